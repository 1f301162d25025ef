// When a container or TTL node is due for deletion: ZooKeeper's ContainerManager rules, shared
// by the reaper (which picks candidates) and the planner (which re-checks them under leases).
#pragma once

#include <cstdint>

#include "protocol/messages.h"

namespace faaskeeper {

// A container is due once it is empty and its stored cversion (child_counter) is positive, i.e.
// it had a child; one that never had a child is kept forever (ZooKeeper 3.8/3.9 with
// znode.container.maxNeverUsedIntervalMs = 0). A TTL node is due when it is empty and its
// last data change is more than ttl_ms in the past (strictly, as ZooKeeper's `elapsed > ttl`).
inline bool reap_due(const NodeMeta& m, int64_t now_ms) {
  if (m.num_children != 0) return false;
  if (m.mode == CreateMode::Container) return m.child_counter > 0;
  if (is_ttl(m.mode)) return m.ttl_ms > 0 && now_ms - m.mtime > m.ttl_ms;
  return false;
}

}  // namespace faaskeeper
