// Internal: P-compositionality. Operations are grouped into independent partitions, each checked
// on its own; a history is linearizable iff every partition is (docs/checker.md, "Partitions").
//
// A key is *live* when some operation's outcome depends on it and some operation may change it.
// An operation's footprint is the node of every path it targets plus the live keys it touches;
// operations whose footprints share a key are in the same partition. Keys that are not live are
// constants (never changed) or invisible (never read), so dropping them from a footprint loses
// nothing.
#pragma once

#include <string>
#include <vector>

#include "check/model.h"
#include "check/universe.h"

namespace faaskeeper::check::detail {

struct Partition {
  std::vector<uint32_t> ops;   // indices into Universe::ops(), in ascending order
  std::vector<uint32_t> keys;  // its keys; their slots are laid out in this order
  std::string name;            // the paths involved, for reports
};

struct Partitioning {
  Layout layout;
  std::vector<Partition> parts;
  size_t skipped_ops = 0;  // operations that constrain nothing (rejected, or unanswered reads)
};

Partitioning make_partitions(const Universe& u);

}  // namespace faaskeeper::check::detail
