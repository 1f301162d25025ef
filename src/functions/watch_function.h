// The watch function: delivers the notifications of one committed transaction (a WatchBatch
// from the distributor) through the client channel, then asks the distributor to clear the
// epoch stamps it put on the node objects. Consumes the watch queue in one FIFO group, so each
// session receives its notifications in txid order.
#pragma once

#include "functions/env.h"

namespace faaskeeper {

class WatchFunction {
 public:
  explicit WatchFunction(const FunctionEnv& env) : env_(env) {}
  Outcome handle(const QueueMessage& message);

 private:
  const FunctionEnv& env_;
};

}  // namespace faaskeeper
