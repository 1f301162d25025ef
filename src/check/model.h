// Internal: the sequential specification of the ZooKeeper tree that the linearizability search
// runs operations against. A partition's state is a flat vector of 64-bit words: word 0 is the
// largest zxid known to be taken in this partition ("zmax"); then one slot per key (universe.h).
//
// Keys outside the partition are read as their initial value and writes to them are dropped;
// partition.h guarantees that this only happens to keys that never change (observed, never
// modified) or that nobody reads (modified, never observed).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "check/universe.h"

namespace faaskeeper::check::detail {

// Where each key's slot lives.
struct Layout {
  std::vector<bool> live;             // by key: observed by some op and modified by some op
  std::vector<uint32_t> partition;    // by key: owning partition, kNone if none
  std::vector<int32_t> offset;        // by key: first word of its slot in the partition state
};

// The keys an operation may touch, over all states (mirrors apply()).
// For kids(P) keys, obs/mod/cmod concern the child count and pzxid, and the counter_* lists
// concern the stored child counter (which names sequential children); the two parts conflict
// independently (a delete changes the count, never the counter).
struct Touch {
  std::vector<uint32_t> obs;   // keys whose value may decide its outcome
  std::vector<uint32_t> mod;   // keys it may write if it takes effect
  // keys it only updates commutatively (child counts and counters, the parent's pzxid when its
  // own zxid is unknown): two such updates give the same state in either order
  std::vector<uint32_t> cmod;
  std::vector<uint32_t> counter_obs, counter_mod, counter_cmod;
};
Touch touches(const Universe& u, const POp& op);

class Model {
 public:
  // `float_floor` (by operation index, may be null): for operations that never complete, a
  // lower bound of their zxid that does not depend on where they are linearized (the largest
  // known zxid of a write that completed before they were invoked), or -1.
  // `key_float_floor` (by key, may be null): the smallest such bound among floating operations
  // that may modify the key, or INT64_MAX; dead() needs it, since a floating operation may still
  // give a key a zxid below zmax.
  Model(const Universe& u, const Layout& layout, uint32_t partition,
        const std::vector<int64_t>* float_floor = nullptr,
        const std::vector<int64_t>* key_float_floor = nullptr)
      : u_(u), layout_(layout), partition_(partition), float_floor_(float_floor),
        key_float_floor_(key_float_floor) {}

  // Applies `op` at this point of a linearization. Returns whether the outcome the client saw is
  // what the specification gives here; if so, `words` becomes the state after the op (Unknown
  // outcomes always fit: the op either takes effect as the state dictates or is a no-op). When
  // it does not fit and `why` is given, explains the difference.
  bool apply(const POp& op, std::vector<int64_t>& words, std::string* why = nullptr) const;

  // Whether the determinate `op`, not linearized yet, can fit neither this state nor any later
  // one: its zxid is already passed, or it reports a czxid/mzxid/pzxid the node has already left
  // behind, or a version a never-deleted node has already passed. Later changes take zxids above
  // zmax, or above their own floor for floating operations, so these are certain.
  bool dead(const POp& op, const std::vector<int64_t>& words) const;

  // Whether `op` fits no state the history can produce at all, decided without search: a read
  // of data nobody wrote to the path, a version beyond what the path's writes allow, a node
  // nothing can have created. Returns the explanation, or nullopt.
  std::optional<std::string> impossible(const POp& op) const;

  // The initial state of a partition with these keys (slot offsets from the layout).
  std::vector<int64_t> initial_state(const std::vector<uint32_t>& keys) const;
  // Human-readable rendering of the given keys' state.
  std::string describe_state(const std::vector<uint32_t>& keys,
                             const std::vector<int64_t>& words) const;

 private:
  class Ctx;
  std::string data_text(int32_t id) const;
  const Universe& u_;
  const Layout& layout_;
  uint32_t partition_;
  const std::vector<int64_t>* float_floor_;
  const std::vector<int64_t>* key_float_floor_;
};

}  // namespace faaskeeper::check::detail
