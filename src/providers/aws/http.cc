#include "providers/aws/http.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "providers/aws/aws_config.h"

namespace faaskeeper::aws {

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string uri_encode(const std::string& s, bool keep_slash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string base64_encode(const std::string& in) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(const std::string& text) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : text) {
    if (c == '=') {
      ++pad;
      continue;
    }
    if (c == '\n' || c == '\r') continue;
    int v = val(c);
    if (v < 0 || pad) return Status(Error::MarshallingError, "invalid base64");
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xFF));
    }
  }
  if (bits >= 6 || pad > 2) return Status(Error::MarshallingError, "invalid base64 length");
  return out;
}

bool is_valid_utf8(const std::string& s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

bool is_retryable_status(long s) { return s == 429 || s >= 500; }

bool is_throttling_error(const std::string& t) {
  static const char* kinds[] = {"ThrottlingException", "ProvisionedThroughputExceededException",
                                "RequestLimitExceeded", "Throttling", "ThrottledException",
                                "RequestThrottled", "SlowDown", "RequestThrottledException",
                                "TooManyRequestsException", "LimitExceededException",
                                "KMSThrottlingException"};
  for (const char* k : kinds)
    if (t == k) return true;
  return false;
}

std::string aws_error_type(const HttpResponse& r) {
  if (r.status < 300) return "";
  std::string q = r.header("x-amzn-query-error");
  if (!q.empty()) return q.substr(0, q.find(';'));
  if (!r.body.empty() && r.body.front() == '{') {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_object()) {
      std::string t;
      if (j.contains("__type") && j["__type"].is_string()) t = j["__type"].get<std::string>();
      else if (j.contains("code") && j["code"].is_string()) t = j["code"].get<std::string>();
      size_t hash = t.rfind('#');
      if (hash != std::string::npos) t = t.substr(hash + 1);
      return t;
    }
  }
  size_t b = r.body.find("<Code>");
  if (b != std::string::npos) {
    size_t e = r.body.find("</Code>", b);
    if (e != std::string::npos) return r.body.substr(b + 6, e - b - 6);
  }
  std::string h = r.header("x-amzn-errortype");
  if (!h.empty()) return h.substr(0, h.find(':'));
  return "";
}

Result<HttpResponse> send_with_retries(HttpTransport& transport, const HttpRequest& request,
                                       const RetryPolicy& policy, int* attempts) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int n = 0;
  for (;;) {
    ++n;
    auto r = transport.send(request);
    bool retry = false;
    if (!r.ok()) {
      retry = r.code() != Error::Closing;
    } else {
      retry = is_retryable_status(r->status) || (r->status == 400 && is_throttling_error(aws_error_type(*r)));
    }
    if (!retry || n >= policy.max_attempts) {
      if (attempts) *attempts = n;
      return r;
    }
    int64_t ceiling = policy.base.count() << std::min(n - 1, 20);
    ceiling = std::min<int64_t>(ceiling, policy.cap.count());
    std::uniform_int_distribution<int64_t> d(0, std::max<int64_t>(ceiling, 0));
    std::this_thread::sleep_for(std::chrono::milliseconds(d(rng)));
  }
}

}  // namespace faaskeeper::aws
