// The writer function: validates a client's write under per-node leases and pushes the planned
// transaction to the distributor queue. Many writer instances run in parallel (one session's
// requests are serialised by the queue's message group).
//
// Safety argument (docs/write-protocol.md): every node a plan reads is leased by the request;
// the distributor commits only while the lease is still held by that request, so the state the
// plan was computed from is the state the commit applies to.
#pragma once

#include "functions/env.h"

namespace faaskeeper {

class Writer {
 public:
  explicit Writer(const FunctionEnv& env) : env_(env) {}

  // Processes one message of the writer queue.
  Outcome handle(const QueueMessage& message);

 private:
  const FunctionEnv& env_;
};

}  // namespace faaskeeper
