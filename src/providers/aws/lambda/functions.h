// The FaaSKeeper functions on Lambda: wiring of the aws provider (stores, queues, the TCP
// client channel) into the handlers of src/functions, and the mapping of Lambda events onto
// them. The bootstrap executable (bootstrap.cc) is `lambda_main(init_aws_function)`.
//
//   _HANDLER     event                           handler
//   writer       SQS batch of the writer queue   Writer::handle per message, in order
//   distributor  SQS batch of the distributor q. Distributor::handle(batch)
//                {"action":"initialize"}         initialize_stores (run once by deploy)
//   watch        SQS batch of the watch queue    WatchFunction::handle per message, in order
//   heartbeat    EventBridge Scheduled Event     Heartbeat::run; also any direct invocation,
//                                                answering {"alive":N,"expired":M}
//
// Partial batch failures: a message whose handler answers Retry is reported in
// batchItemFailures, and so is every later message of its group (the runtime adds those), so
// Lambda redelivers them in order. A malformed message is answered Done by the handlers
// (it can never be processed) and is therefore deleted, not retried forever. An exception
// escaping the writer or watch handler fails that message and the rest of its group (other
// groups go on: the handlers keep no state between messages); one escaping the distributor
// fails the whole batch. A real crash (signal) fails the whole invocation, as Lambda does.
#pragma once

#include <memory>
#include <string>

#include "functions/env.h"
#include "providers/aws/aws_provider.h"
#include "providers/aws/lambda/runtime.h"
#include "providers/aws/tcp_channel.h"

namespace faaskeeper::aws {

// Everything one function instance owns for its lifetime (a cold start builds it once).
struct AwsFunctionInstance {
  AwsProviders providers;
  std::unique_ptr<ClientChannel> channel;
  std::unique_ptr<Clock> clock;
  FunctionEnv env;
};

// Builds the instance from a provider config (channel timeouts from FK_CHANNEL_*_MS).
Result<std::shared_ptr<AwsFunctionInstance>> make_function_instance(const AwsProviderConfig& cfg);

// The handlers for `handler` over `instance` (kept alive by the handlers).
Result<LambdaHandlers> make_function_handlers(const std::string& handler,
                                              std::shared_ptr<AwsFunctionInstance> instance);

// The bootstrap's init: config from the environment, instance, handlers.
Result<LambdaHandlers> init_aws_function(const std::string& handler);

}  // namespace faaskeeper::aws
