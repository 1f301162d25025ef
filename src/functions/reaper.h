// The reaper: ZooKeeper's ContainerManager for FaaSKeeper. Run by the scheduled heartbeat, it
// reads the reap index (schema.h, "r:<path>"), picks the container and TTL nodes that are due
// (reap_rules.h), and queues one ReapRequest per node in the writer queue under the system
// session (kSystemSessionId). It deletes nothing itself: each reap is an ordinary write through
// the writer and distributor, so it gets a txid in the global order, updates the parent's
// cversion/pzxid, fires NodeDeleted/NodeChildrenChanged watches, and is exactly-once under
// redelivery like any client write. The request names the czxid/mzxid/pzxid the reaper saw; the
// writer refuses it when the node changed since (docs/containers.md), so a racing create wins.
#pragma once

#include "functions/env.h"

namespace faaskeeper {

struct ReapReport {
  int indexed = 0;  // container and TTL nodes listed in the reap index
  int queued = 0;   // reap requests queued (nodes that were due)
};

class Reaper {
 public:
  explicit Reaper(const FunctionEnv& env) : env_(env) {}
  Result<ReapReport> run();

 private:
  const FunctionEnv& env_;
};

}  // namespace faaskeeper
