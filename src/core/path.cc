#include "core/path.h"

#include <cstdio>

namespace faaskeeper {

namespace {

Status bad(std::string_view path, const char* why) {
  return Status(Error::BadArguments, "invalid path \"" + std::string(path) + "\": " + why);
}

// Decodes one UTF-8 code point starting at s[i]; advances i. Returns -1 for malformed input.
int32_t next_code_point(std::string_view s, size_t& i) {
  auto b0 = static_cast<unsigned char>(s[i]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return -1;
  int32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (int k = 1; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b >> 6) != 0x2) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  // Reject overlong forms (a code point encoded in more bytes than it needs).
  static constexpr int32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[len]) return -1;
  i += len;
  return cp;
}

// ZooKeeper checks UTF-16 code units (Java chars): a code point above U+FFFF is a surrogate
// pair there, and surrogates fall in the forbidden U+D800-U+F8FF range, so it is rejected too.
bool forbidden(int32_t c) {
  return (c >= 0x0000 && c <= 0x001F) || (c >= 0x007F && c <= 0x009F) ||
         (c >= 0xD800 && c <= 0xF8FF) || (c >= 0xFFF0);
}

}  // namespace

Status validate_path(std::string_view path) {
  if (path.empty()) return bad(path, "path length must be > 0");
  if (path[0] != '/') return bad(path, "path must start with / character");
  if (path.size() == 1) return Status::OK();
  if (path.back() == '/') return bad(path, "path must not end with / character");
  size_t i = 1;
  size_t component_start = 1;
  while (i <= path.size()) {
    if (i == path.size() || path[i] == '/') {
      std::string_view comp = path.substr(component_start, i - component_start);
      if (comp.empty()) return bad(path, "empty node name specified");
      if (comp == "." || comp == "..") return bad(path, "relative paths not allowed");
      component_start = i + 1;
      ++i;
      continue;
    }
    size_t at = i;
    int32_t c = next_code_point(path, i);
    if (c < 0) return bad(path, "malformed UTF-8");
    if (c == 0) return bad(path, "null character not allowed");
    if (forbidden(c)) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "invalid character @%zu", at);
      return bad(path, buf);
    }
  }
  return Status::OK();
}

Status validate_sequential_prefix(std::string_view path) {
  std::string probe(path);
  probe += '1';
  return validate_path(probe);
}

std::string parent_of(std::string_view path) {
  if (path.size() <= 1) return "";
  size_t slash = path.rfind('/');
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string basename_of(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return std::string(path);
  return std::string(path.substr(slash + 1));
}

std::string join_path(std::string_view parent, std::string_view name) {
  std::string out(parent);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

std::string sequential_suffix(int32_t counter) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%010d", counter);
  return buf;
}

bool is_protected_path(std::string_view path) {
  return path == "/" || path == "/zookeeper" || path == "/zookeeper/quota" ||
         path == "/zookeeper/config";
}

}  // namespace faaskeeper
