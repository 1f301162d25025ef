// The heartbeat function (scheduled): pings every live session through the client channel and
// expires sessions whose client has not answered for longer than their timeout, by queueing a
// CloseSession{expired} request in the session's own writer group (so it is ordered after the
// session's pending requests and deletes its ephemerals in one transaction). Then it runs the
// reaper (reaper.h), which queues deletes of due container and TTL nodes.
#pragma once

#include "functions/env.h"

namespace faaskeeper {

struct HeartbeatReport {
  int alive = 0;
  int expired = 0;
  int reaped = 0;  // reap requests queued for container and TTL nodes that were due
};

class Heartbeat {
 public:
  explicit Heartbeat(const FunctionEnv& env) : env_(env) {}
  Result<HeartbeatReport> run();

 private:
  void touch_all(const std::vector<TxnOp>& touches);
  const FunctionEnv& env_;
};

}  // namespace faaskeeper
