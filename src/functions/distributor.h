// The distributor function: the single, ordered committer. For each message, in queue order, it
// assigns the next txid, commits the planned transaction to the system store (conditional on the
// writer's leases), publishes the changed node objects to the user store, and replies to the
// client. Exactly one distributor instance runs at a time.
#pragma once

#include <vector>

#include "functions/env.h"

namespace faaskeeper {

class Distributor {
 public:
  explicit Distributor(const FunctionEnv& env) : env_(env) {}

  // Processes a batch in order; returns one outcome per message. After the first Retry every
  // later message is also Retry (order must be kept).
  std::vector<Outcome> handle(const std::vector<QueueMessage>& batch);

 private:
  const FunctionEnv& env_;
};

}  // namespace faaskeeper
