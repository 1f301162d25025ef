// A Lambda custom runtime (the `bootstrap` of a provided.al2023 function) on the Lambda
// Runtime API: GET next invocation, POST response / error, POST init error.
//
// The functions plug in as std::function handlers, so this builds without them:
//
//   int main() {
//     return faaskeeper::aws::lambda_main([](const std::string& handler) -> Result<LambdaHandlers> {
//       auto cfg = AwsProviderConfig::from_environment(); ...  // once per cold start
//       if (handler == "writer") return LambdaHandlers{.on_sqs = ...};
//       return Status(Error::BadArguments, "unknown handler " + handler);
//     });
//   }
//
// `handler` is the function's Handler setting (env _HANDLER), e.g. "writer", "distributor",
// "heartbeat", "watch" in deploy/aws/faaskeeper.yaml.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/aws/http.h"
#include "providers/aws/lambda/events.h"

namespace faaskeeper::aws {

struct LambdaContext {
  std::string request_id;
  int64_t deadline_ms = 0;  // epoch ms by which the invocation must answer
  std::string function_arn;
  std::string trace_id;
};

struct LambdaHandlers {
  // An SQS batch. Returns the receipts (messageIds) of messages that failed; the runtime
  // adds every later message of the same group and reports them as batchItemFailures. An
  // error Status fails the whole batch (all messages are retried).
  std::function<Result<std::vector<std::string>>(const SqsBatch&, const LambdaContext&)> on_sqs;
  // A scheduled event (heartbeat).
  std::function<Status(const nlohmann::json& event, const LambdaContext&)> on_schedule;
  // Any other event (direct invocation): payload in, response body out.
  std::function<Result<std::string>(const std::string& payload, const LambdaContext&)> on_invoke;
  // Reads S3-offloaded SQS bodies (set by the bootstrap from the provider's S3 client).
  S3Fetch fetch;
};

// The Runtime API client.
class LambdaRuntimeClient {
 public:
  // `api` is host:port from AWS_LAMBDA_RUNTIME_API.
  LambdaRuntimeClient(std::string api, std::shared_ptr<HttpTransport> http);

  struct Invocation {
    LambdaContext context;
    std::string payload;
  };
  // Blocks until the next event.
  Result<Invocation> next();
  Status respond(const std::string& request_id, const std::string& body);
  Status fail(const std::string& request_id, const std::string& error_type, const std::string& message);
  Status init_error(const std::string& error_type, const std::string& message);

 private:
  Status post(const std::string& path, const std::string& body, const std::string& error_type = "");
  std::string base_;
  std::shared_ptr<HttpTransport> http_;
};

// Runs one invocation through the handlers and returns the response body (or the error to
// report). Exposed for tests.
Result<std::string> dispatch_invocation(const LambdaHandlers& h, const LambdaRuntimeClient::Invocation& inv);

// The bootstrap's main loop: init via `init(_HANDLER)` (an error is reported as an init error
// and the process exits 1), then next/dispatch/respond forever, or until
// FK_LAMBDA_MAX_INVOCATIONS invocations when that is set (tests). Returns the exit code.
int lambda_main(const std::function<Result<LambdaHandlers>(const std::string& handler)>& init);

}  // namespace faaskeeper::aws
