// A Lambda bootstrap with test handlers, driven by lambda_runtime_test.py (a Lambda Runtime
// API server) both as a plain binary and from its packaged zip.
//   _HANDLER=test : SQS messages whose body is "fail" fail; a scheduled event answers {};
//                   a direct invocation echoes its payload reversed, and "crash" is an error.
//   anything else : init error.
#include <algorithm>

#include "providers/aws/lambda/runtime.h"

using namespace faaskeeper;
using namespace faaskeeper::aws;

int main() {
  return lambda_main([](const std::string& handler) -> Result<LambdaHandlers> {
    if (handler != "test") return Status(Error::BadArguments, "unknown handler '" + handler + "'");
    LambdaHandlers h;
    h.on_sqs = [](const SqsBatch& batch, const LambdaContext&) -> Result<std::vector<std::string>> {
      std::vector<std::string> failed;
      for (const auto& m : batch.messages) {
        if (m.body == "fail") failed.push_back(m.receipt);
        if (m.body == "fail-all") return Status(Error::SystemError, "whole batch failed");
      }
      return failed;
    };
    h.on_schedule = [](const nlohmann::json& event, const LambdaContext&) {
      return event.value("detail", nlohmann::json::object()).value("fail", false)
                 ? Status(Error::SystemError, "heartbeat failed")
                 : Status::OK();
    };
    h.on_invoke = [](const std::string& payload, const LambdaContext& ctx) -> Result<std::string> {
      if (payload == "\"crash\"") return Status(Error::SystemError, "crashed on request " + ctx.request_id);
      std::string r = payload;
      std::reverse(r.begin(), r.end());
      return r;
    };
    return h;
  });
}
