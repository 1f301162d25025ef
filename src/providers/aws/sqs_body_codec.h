// How a Queue message body (arbitrary bytes, any size) travels through SQS, whose bodies must be
// XML-safe Unicode text of at most 256 KiB (including message attributes).
//
// The message attribute "fk-enc" (String) says how to read the body:
//   absent   the body is the message, verbatim (it was valid SQS text);
//   "base64" the body is the base64 of the message (it was binary);
//   "s3"     the body is {"bucket": B, "key": K, "size": N}: the message bytes are the S3 object
//            B/K (the "extended client" pattern for messages over the size limit).
// The same decoding serves SqsQueue::receive and Lambda SQS events (lambda/events.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "faaskeeper/error.h"

namespace faaskeeper::aws {

inline constexpr const char* kSqsEncodingAttr = "fk-enc";
// Default largest encoded body kept inline: SQS's 256 KiB less 1 KiB for attributes.
inline constexpr size_t kSqsInlineMax = 256 * 1024 - 1024;

// Whether SQS accepts `s` as a body: UTF-8 with only #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
// #x10000-#x10FFFF.
bool is_sqs_text(const std::string& s);

struct SqsEncoded {
  std::string body;
  std::string encoding;  // "" (verbatim), "base64" or "s3"
};

// The inline encoding of `message` (verbatim or base64), ignoring size.
SqsEncoded sqs_encode_inline(const std::string& message);
// The pointer body for an offloaded message.
std::string sqs_offload_pointer(const std::string& bucket, const std::string& key, size_t size);

using S3Fetch = std::function<Result<std::optional<std::string>>(const std::string& bucket, const std::string& key)>;
// Recovers the message from a received body and its "fk-enc" value. `fetch` reads offloaded
// bodies; a missing S3 object is DataInconsistency. `s3_key`, when given, receives
// "bucket/key" of an offloaded body (so it can be deleted after the ack).
Result<std::string> sqs_decode(const std::string& body, const std::string& encoding, const S3Fetch& fetch,
                               std::string* s3_location = nullptr);

// SQS FIFO sequence numbers are decimal strings of up to 128 bits. The Queue interface's
// 64-bit sequence is the value modulo 2^64: order-preserving as long as one queue's numbers
// stay inside one 2^64-aligned window, which holds for fauxqs (a counter from 1) and for the
// values AWS documents (about 1.88e19, between 2^64 and 2^65). Functions use it only as an
// ordering hint, never as a txid. Fails on anything that is not 1-39 decimal digits.
struct Sqs128 {
  uint64_t hi = 0, lo = 0;
};
Result<Sqs128> parse_sqs_sequence(const std::string& decimal);
Result<uint64_t> sqs_sequence_to_u64(const std::string& decimal);

}  // namespace faaskeeper::aws
