#include "providers/aws/sqs_body_codec.h"

#include <nlohmann/json.hpp>

#include "providers/aws/http.h"

namespace faaskeeper::aws {

bool is_sqs_text(const std::string& s) {
  if (!is_valid_utf8(s)) return false;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c < 0x20 && c != 0x9 && c != 0xA && c != 0xD) return false;
      ++i;
      continue;
    }
    // Decode the (valid) sequence to check the excluded ranges U+FFFE, U+FFFF.
    int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    if (len == 3) {
      uint32_t cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
      if (cp == 0xFFFE || cp == 0xFFFF) return false;
    }
    i += len;
  }
  return true;
}

SqsEncoded sqs_encode_inline(const std::string& message) {
  if (!message.empty() && is_sqs_text(message)) return {message, ""};
  // SQS rejects an empty body, so the empty message travels as base64 "" plus the marker...
  // which is empty too; use a single '=' body that decodes to nothing.
  if (message.empty()) return {"=", "base64"};
  return {base64_encode(message), "base64"};
}

std::string sqs_offload_pointer(const std::string& bucket, const std::string& key, size_t size) {
  return nlohmann::json{{"bucket", bucket}, {"key", key}, {"size", size}}.dump();
}

Result<std::string> sqs_decode(const std::string& body, const std::string& encoding, const S3Fetch& fetch,
                               std::string* s3_location) {
  if (encoding.empty()) return body;
  if (encoding == "base64") return body == "=" ? Result<std::string>(std::string()) : base64_decode(body);
  if (encoding != "s3") return Status(Error::MarshallingError, "unknown SQS body encoding " + encoding);
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("bucket") || !j.contains("key") || !j["bucket"].is_string() || !j["key"].is_string())
    return Status(Error::MarshallingError, "malformed SQS offload pointer");
  std::string bucket = j["bucket"], key = j["key"];
  if (!fetch) return Status(Error::BadArguments, "offloaded SQS message but no S3 client configured");
  auto obj = fetch(bucket, key);
  if (!obj.ok()) return obj.status();
  if (!obj->has_value()) return Status(Error::DataInconsistency, "offloaded SQS body missing: s3://" + bucket + "/" + key);
  if (s3_location) *s3_location = bucket + "/" + key;
  return std::move(**obj);
}

namespace {
__extension__ typedef unsigned __int128 u128;
}

Result<Sqs128> parse_sqs_sequence(const std::string& d) {
  if (d.empty() || d.size() > 39) return Status(Error::MarshallingError, "bad SQS sequence number: " + d);
  u128 v = 0;
  const u128 max = ~static_cast<u128>(0);
  for (char c : d) {
    if (c < '0' || c > '9') return Status(Error::MarshallingError, "bad SQS sequence number: " + d);
    unsigned digit = unsigned(c - '0');
    if (v > (max - digit) / 10) return Status(Error::MarshallingError, "SQS sequence number over 128 bits: " + d);
    v = v * 10 + digit;
  }
  return Sqs128{uint64_t(v >> 64), uint64_t(v)};
}

Result<uint64_t> sqs_sequence_to_u64(const std::string& d) {
  auto v = parse_sqs_sequence(d);
  if (!v.ok()) return v.status();
  return v->lo;
}

}  // namespace faaskeeper::aws
