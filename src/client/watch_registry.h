// The client's table of armed watches: which watchers an event triggers (consuming one-shot
// watches), and the watch-before-data rule for reads. Not thread-safe: the client serialises
// access under its own mutex.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "faaskeeper/client.h"
#include "protocol/messages.h"

namespace faaskeeper {

class WatchRegistry {
 public:
  // Whether (path, kind) is armed in the deployment, so a new watcher can simply join it.
  bool armed(const std::string& path, WatchKind kind) const { return table_.count({path, kind}) > 0; }

  // Records a watch armed in the deployment. `zxid`: for one-shot watches, the node's zxid the
  // registration was checked against (mzxid for data, pzxid for children; ignored when the node
  // was absent); for persistent ones, the last txid committed before arming.
  void arm(const std::string& path, WatchKind kind, bool node_exists, int64_t zxid, Watcher w);
  void join(const std::string& path, WatchKind kind, Watcher w);

  // The watchers `e` triggers, in registration order. One-shot watches it fires are removed.
  std::vector<Watcher> on_event(const WatchedEvent& e);

  // Watch before data: whether a read of `path` that observed `node` (nullopt: absent) must
  // wait, because an armed watch of this session was necessarily fired by a change the read
  // observes and its event has not arrived yet.
  bool owes_event(const std::string& path, const std::optional<Stat>& node) const;

  // Removes this session's local watches of `type` on `path`; returns the kinds removed.
  std::vector<WatchKind> remove(const std::string& path, WatcherType type);
  bool has(const std::string& path, WatcherType type) const;
  void clear() { table_.clear(); }

 private:
  struct Armed {
    bool node_exists = true;
    int64_t zxid = 0;
    std::vector<Watcher> watchers;
  };
  static std::vector<WatchKind> kinds_of(WatcherType type);
  std::map<std::pair<std::string, WatchKind>, Armed> table_;
};

}  // namespace faaskeeper
