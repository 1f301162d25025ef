// A client for the AWS JSON protocol (DynamoDB, and SQS's JSON protocol): POST / with
// X-Amz-Target "<prefix>.<Action>" and a JSON body; errors come back as {"__type", "message"}.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "providers/aws/aws_config.h"
#include "providers/aws/http.h"

namespace faaskeeper::aws {

// A completed call: a 2xx with its body, or an AWS error (4xx, or 5xx/throttling after the
// retries ran out) with its type ("ConditionalCheckFailedException") and message.
struct JsonReply {
  long status = 0;
  std::string error_type;  // "" on success
  std::string message;
  nlohmann::json body;     // parsed body ({} when empty)

  bool ok() const { return status >= 200 && status < 300; }
  // This reply as a Status for errors the caller does not handle itself:
  // throttling -> Throttled, 5xx -> SystemError, others -> ApiError, with type and message.
  Status to_status(const std::string& action) const;
};

class AwsJsonClient {
 public:
  // service: SigV4 name ("dynamodb", "sqs"); target_prefix: "DynamoDB_20120810" or "AmazonSQS".
  AwsJsonClient(std::shared_ptr<HttpTransport> transport, std::string endpoint, std::string region,
                std::string service, std::string target_prefix, RetryPolicy retry);

  // Calls `action`. Transport failures that survive the retries are errors (ConnectionLoss,
  // OperationTimeout, Closing); any HTTP reply is a JsonReply. `timeout` overrides the
  // transport's per-attempt deadline (long polls); `cancel` aborts the call (see HttpRequest).
  Result<JsonReply> call(const std::string& action, const nlohmann::json& request,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds{0},
                         const std::atomic<uint64_t>* cancel = nullptr);

  const std::string& endpoint() const { return endpoint_; }

 private:
  std::shared_ptr<HttpTransport> transport_;
  std::string endpoint_, region_, service_, target_prefix_;
  RetryPolicy retry_;
};

}  // namespace faaskeeper::aws
