// The narrow HTTP seam of the aws provider: one request in, one response out.
//
// CurlTransport implements it on libcurl (SigV4 signing by CURLOPT_AWS_SIGV4); unit tests
// implement it with a scripted fake. Nothing above this interface knows about curl.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "faaskeeper/error.h"

namespace faaskeeper::aws {

struct HttpRequest {
  std::string method = "GET";  // GET, PUT, POST, DELETE, HEAD
  std::string url;             // absolute, already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // SigV4 signing scope. Empty service: the request is sent unsigned (Lambda Runtime API).
  std::string service;
  std::string region;
  // Whole-request deadline; zero means the transport's default. Negative: no limit (only for
  // the Lambda Runtime API's blocking "next invocation" call).
  std::chrono::milliseconds timeout{0};
  // When set and it changes value from the one seen at send() start, the request is aborted
  // with Error::Closing (used by Queue::interrupt to cut a long poll short).
  const std::atomic<uint64_t>* cancel_generation = nullptr;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The header's value, or "" when absent.
  std::string header(const std::string& lower_name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one request. A response with any HTTP status is a value; only transport failures
  // are errors: ConnectionLoss (connect/reset), OperationTimeout (deadline), Closing
  // (cancelled), SystemError (anything else). Thread-safe.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

// RFC 3986 percent-encoding of every byte except unreserved characters; '/' is kept when
// keep_slash is true (S3 object keys in a path).
std::string uri_encode(const std::string& s, bool keep_slash);

std::string base64_encode(const std::string& bytes);
// Decodes standard base64 (padding optional). nullopt-like failure is reported as an error.
Result<std::string> base64_decode(const std::string& text);

// Whether `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(const std::string& s);

// Hex SHA-256 of `data` (x-amz-content-sha256).
std::string sha256_hex(const std::string& data);

}  // namespace faaskeeper::aws

namespace faaskeeper::aws {

struct RetryPolicy;

// Whether an HTTP status / AWS error type is worth retrying: 5xx, 429 and the throttling
// error types of DynamoDB, S3 and SQS. Requests rejected this way were not applied.
bool is_retryable_status(long http_status);
bool is_throttling_error(const std::string& aws_error_type);

// The AWS error type of a response: the JSON `__type` suffix after '#', the
// x-amzn-query-error code, or the <Code> of an S3 XML error. "" when none.
std::string aws_error_type(const HttpResponse& response);

// Sends `request`, retrying transport failures (not Closing), retryable statuses and
// throttling errors with full-jitter exponential backoff. Returns the last response or error.
// `attempts`, when given, receives the number of attempts made.
Result<HttpResponse> send_with_retries(HttpTransport& transport, const HttpRequest& request,
                                       const RetryPolicy& policy, int* attempts = nullptr);

}  // namespace faaskeeper::aws
