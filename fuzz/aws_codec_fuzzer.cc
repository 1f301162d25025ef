// libFuzzer target: what the AWS provider parses from the cloud (src/providers/aws): DynamoDB
// AttributeValue JSON (dynamo_codec), SQS bodies and their "fk-enc" encodings and sequence
// numbers (sqs_body_codec), Lambda SQS events (lambda/events), AWS error responses (http). The
// first byte selects the parser (mod 6); the rest is the response text.
// Properties: no crash/UB/leak and no escaping exception; errors are MarshallingError;
//   - a decoded DynamoDB item/value re-encodes (encode_value) to JSON that decodes to the same
//     value;
//   - any byte string survives sqs_encode_inline + sqs_decode unchanged, and the inline body is
//     text SQS accepts; an offload pointer names exactly the bucket and key it was made from;
//   - parse_sqs_sequence accepts exactly 1-39 decimal digits below 2^128 and its value printed
//     in decimal is the input without leading zeros;
//   - a parsed Lambda SQS event has one message per record.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_require.h"
#include "providers/aws/dynamo_codec.h"
#include "providers/aws/http.h"
#include "providers/aws/lambda/events.h"
#include "providers/aws/sqs_body_codec.h"

using namespace faaskeeper;
using namespace faaskeeper::aws;
using faaskeeper::fuzz::require;
using nlohmann::json;

namespace {

void check_value_round_trip(const Value& v) {
  auto av = encode_value(v);
  if (!av.ok()) {  // only string sets with non-UTF-8 members are refused
    require(av.code() == Error::BadArguments && std::holds_alternative<StringSet>(v), "encode_value refusal");
    return;
  }
  auto back = decode_value(json::parse(av->dump()));
  require(back.ok() && *back == v, "AttributeValue round trip");
}

void dynamo_item(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return;
  auto item = decode_item(j, {"path"});
  if (!item.ok()) {
    require(item.code() == Error::MarshallingError, "decode_item error is MarshallingError");
    return;
  }
  require(item->count("path") == 0, "skipped key attribute left out");
  for (const auto& [name, v] : *item) check_value_round_trip(v);
}

void dynamo_value(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return;
  auto v = decode_value(j);
  if (!v.ok()) {
    require(v.code() == Error::MarshallingError, "decode_value error is MarshallingError");
    return;
  }
  check_value_round_trip(*v);
}

void sqs_body(const std::string& bytes) {
  const SqsEncoded enc = sqs_encode_inline(bytes);
  require(is_sqs_text(enc.body), "inline body is valid SQS text");
  require(!enc.body.empty(), "inline body is not empty (SQS rejects empty bodies)");
  auto back = sqs_decode(enc.body, enc.encoding, nullptr);
  require(back.ok() && *back == bytes, "SQS inline round trip");
  // The same bytes as a received base64 body: whatever decodes re-encodes to equivalent base64.
  auto raw = sqs_decode(bytes, "base64", nullptr);
  if (raw.ok()) {
    auto again = base64_decode(base64_encode(*raw));
    require(again.ok() && *again == *raw, "base64 round trip");
  } else {
    require(raw.code() == Error::MarshallingError, "base64 error is MarshallingError");
  }
  // As an offload pointer: the fetch sees exactly the bucket and key in it.
  std::string seen;
  auto fetch = [&](const std::string& b, const std::string& k) -> Result<std::optional<std::string>> {
    seen = b + "/" + k;
    return std::optional<std::string>(std::string("payload"));
  };
  std::string loc;
  auto off = sqs_decode(bytes, "s3", fetch, &loc);
  if (off.ok()) require(*off == "payload" && loc == seen, "offload pointer fetch");
  // A pointer made from the input's halves names them exactly.
  const std::string bucket = bytes.substr(0, bytes.size() / 2), key = bytes.substr(bytes.size() / 2);
  if (is_valid_utf8(bucket) && is_valid_utf8(key)) {
    std::string ptr = sqs_offload_pointer(bucket, key, bytes.size());
    auto p = sqs_decode(ptr, "s3", fetch, &loc);
    require(p.ok() && loc == bucket + "/" + key, "offload pointer round trip");
  }
}

__extension__ typedef unsigned __int128 u128;

std::string decimal(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v > 0) {
    s.insert(s.begin(), char('0' + int(v % 10)));
    v /= 10;
  }
  return s;
}

void sqs_sequence(const std::string& d) {
  auto v = parse_sqs_sequence(d);
  bool digits = !d.empty() && d.size() <= 39 && d.find_first_not_of("0123456789") == std::string::npos;
  if (!v.ok()) {
    require(v.code() == Error::MarshallingError, "sequence error is MarshallingError");
    // Only 39-digit values can overflow 128 bits (2^128 - 1 has 39 digits).
    if (digits) require(d.size() == 39 && d.find_first_not_of('0') == 0, "refused a valid sequence number");
    return;
  }
  require(digits, "accepted a sequence number that is not 1-39 digits");
  u128 value = (u128(v->hi) << 64) | v->lo;
  size_t nz = d.find_first_not_of('0');
  require(decimal(value) == (nz == std::string::npos ? "0" : d.substr(nz)), "sequence value in decimal");
  auto lo = sqs_sequence_to_u64(d);
  require(lo.ok() && *lo == v->lo, "sqs_sequence_to_u64 is the low 64 bits");
}

void lambda_event(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return;
  auto fetch = [](const std::string&, const std::string&) -> Result<std::optional<std::string>> {
    return std::optional<std::string>();  // every offloaded body is missing
  };
  auto batch = parse_sqs_event(j, fetch);
  if (!batch.ok()) return;
  require(batch->messages.size() == j["Records"].size(), "one message per record");
  for (const auto& m : batch->messages) require(m.delivery_count >= 1, "delivery count at least 1");
  (void)fifo_failures(*batch, {batch->messages.front().receipt});
}

void error_response(const std::string& text) {
  HttpResponse r;
  r.status = 400;
  r.body = text;
  r.headers["x-amzn-errortype"] = text.substr(0, text.size() / 3);
  std::string t = aws_error_type(r);
  require(t.size() <= text.size(), "error type is a part of the response");
  (void)is_throttling_error(t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0: dynamo_item(rest); break;
    case 1: dynamo_value(rest); break;
    case 2: sqs_body(rest); break;
    case 3: sqs_sequence(rest); break;
    case 4: lambda_event(rest); break;
    case 5: error_response(rest); break;
  }
  return 0;
}
