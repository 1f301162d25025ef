// The planner: ZooKeeper's validation rules and effects, as a pure function of the nodes it
// reads. The writer runs it over a view whose lookups take leases; unit tests run it over a map.
//
// Check order follows ZooKeeper's PrepRequestProcessor exactly (first failure wins), e.g. a
// wrong version on a non-empty node is BADVERSION, not NOTEMPTY.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "functions/schema.h"
#include "protocol/messages.h"

namespace faaskeeper {

// Read access to znodes. A lookup may fail for infrastructure reasons (a lease that cannot be
// taken); the planner then stops and returns that status unchanged.
class NodeView {
 public:
  virtual ~NodeView() = default;
  virtual Result<std::optional<schema::NodeState>> lookup(const std::string& path) = 0;
};

struct Plan {
  std::vector<NodeWrite> writes;
  std::vector<EphemeralEntry> ephemerals_add, ephemerals_remove;
  std::vector<std::string> reapables_add, reapables_remove;  // the reap index (schema.h)
  std::vector<WatchTrigger> triggers;
  // The answer to the client. err != Ok means the request fails and nothing may be applied
  // (results then carry ZooKeeper's per-op multi codes).
  Reply reply;
};

struct PlanInput {
  int64_t session_id = 0;
  int64_t now_ms = 0;  // ctime/mtime of this transaction
};

// Plans create/delete/setData/multi/sync and the reaper's deletes. Session operations are
// planned by the writer.
Result<Plan> plan_operation(NodeView& view, const Operation& op, const PlanInput& in);

// The next data version after `v` (ZooKeeper 3.9+/master: wraps past INT32_MAX, skips -1).
int32_t next_version(int32_t v);

}  // namespace faaskeeper
