#include "zk/jute.h"

#include <cstring>

namespace faaskeeper::zk {

namespace {
uint32_t load32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}
uint64_t load64(const char* p) { return (uint64_t{load32(p)} << 32) | load32(p + 4); }
void store32(std::string& out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out.append(b, 4);
}
}  // namespace

bool JuteReader::need(size_t n) {
  if (!ok_) return false;
  if (remaining() < n) {
    fail("truncated at byte " + std::to_string(pos_) + ": need " + std::to_string(n) +
         ", have " + std::to_string(remaining()));
    return false;
  }
  return true;
}

void JuteReader::fail(std::string why) {
  if (!ok_) return;
  ok_ = false;
  error_ = std::move(why);
}

Status JuteReader::status() const {
  if (ok_) return Status::OK();
  return Status(Error::MarshallingError, error_);
}

void JuteReader::int32(int32_t& v) {
  if (!need(4)) return;
  v = static_cast<int32_t>(load32(in_.data() + pos_));
  pos_ += 4;
}

void JuteReader::int64(int64_t& v) {
  if (!need(8)) return;
  v = static_cast<int64_t>(load64(in_.data() + pos_));
  pos_ += 8;
}

void JuteReader::boolean(bool& v) {
  if (!need(1)) return;
  v = in_[pos_] != 0;
  pos_ += 1;
}

bool JuteReader::length(int32_t& len, bool& is_null, size_t unit, int32_t limit,
                        const char* what) {
  size_t at = pos_;
  int32(len);
  if (!ok_) return false;
  is_null = len == -1;
  if (is_null) return true;
  if (len < 0) {
    fail(std::string("negative ") + what + " length " + std::to_string(len) + " at byte " +
         std::to_string(at));
    return false;
  }
  if (len > limit) {
    fail(std::string(what) + " length " + std::to_string(len) + " exceeds the limit " +
         std::to_string(limit) + " at byte " + std::to_string(at));
    return false;
  }
  // Each element occupies at least `unit` bytes, so a count the rest cannot hold is truncation.
  if (static_cast<size_t>(len) > remaining() / (unit == 0 ? 1 : unit)) {
    fail(std::string(what) + " length " + std::to_string(len) + " at byte " + std::to_string(at) +
         " overruns the " + std::to_string(remaining()) + " remaining bytes");
    return false;
  }
  return true;
}

void JuteReader::buffer(Data& v) {
  int32_t n = 0;
  bool is_null = false;
  if (!length(n, is_null, 1, kMaxFieldBytes, "buffer")) return;
  if (is_null) {
    v.reset();
    return;
  }
  v.emplace(in_.data() + pos_, static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
}

void JuteReader::buffer(std::string& v) {
  Data d;
  buffer(d);
  if (ok_) v = d.value_or(std::string());
}

void JuteReader::ustring(std::string& v) {
  int32_t n = 0;
  bool is_null = false;
  if (!length(n, is_null, 1, kMaxFieldBytes, "ustring")) return;
  if (is_null) {
    v.clear();
    return;
  }
  v.assign(in_.data() + pos_, static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
}

void JuteReader::ustrings(std::vector<std::string>& v) {
  v.clear();
  int32_t n = 0;
  bool is_null = false;
  if (!length(n, is_null, 4, kMaxFieldBytes, "vector<ustring>")) return;
  if (is_null) return;
  v.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n && ok_; ++i) {
    v.emplace_back();
    ustring(v.back());
  }
  if (!ok_) v.clear();
}

void JuteReader::stat(Stat& s) {
  if (!need(kStatBytes)) return;
  int64(s.czxid);
  int64(s.mzxid);
  int64(s.ctime);
  int64(s.mtime);
  int32(s.version);
  int32(s.cversion);
  int32(s.aversion);
  int64(s.ephemeral_owner);
  int32(s.data_length);
  int32(s.num_children);
  int64(s.pzxid);
}

JuteWriter::JuteWriter(bool framed) : framed_(framed) {
  if (framed_) out_.append(4, '\0');
}

void JuteWriter::int32(const int32_t& v) { store32(out_, static_cast<uint32_t>(v)); }

void JuteWriter::int64(const int64_t& v) {
  store32(out_, static_cast<uint32_t>(static_cast<uint64_t>(v) >> 32));
  store32(out_, static_cast<uint32_t>(static_cast<uint64_t>(v)));
}

void JuteWriter::boolean(const bool& v) { out_.push_back(v ? '\1' : '\0'); }

void JuteWriter::buffer(const Data& v) {
  if (!v) {
    int32(-1);
    return;
  }
  buffer(*v);
}

void JuteWriter::buffer(const std::string& v) {
  int32(static_cast<int32_t>(v.size()));
  out_.append(v);
}

void JuteWriter::ustring(const std::string& v) { buffer(v); }

void JuteWriter::ustrings(const std::vector<std::string>& v) {
  int32(static_cast<int32_t>(v.size()));
  for (const auto& s : v) ustring(s);
}

void JuteWriter::stat(const Stat& s) {
  int64(s.czxid);
  int64(s.mzxid);
  int64(s.ctime);
  int64(s.mtime);
  int32(s.version);
  int32(s.cversion);
  int32(s.aversion);
  int64(s.ephemeral_owner);
  int32(s.data_length);
  int32(s.num_children);
  int64(s.pzxid);
}

std::string JuteWriter::finish() && {
  if (framed_) {
    std::string len;
    store32(len, static_cast<uint32_t>(out_.size() - 4));
    std::memcpy(out_.data(), len.data(), 4);
  }
  return std::move(out_);
}

}  // namespace faaskeeper::zk
