// The ZooKeeper data model as seen by clients: Stat, create modes, watch events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faaskeeper {

// Node data. std::nullopt is ZooKeeper's null buffer (length -1 on the wire); an empty string
// is a zero-length buffer. The two are stored and returned distinctly.
using Data = std::optional<std::string>;

// Largest data a node may hold: ZooKeeper's default jute.maxbuffer (0xFFFFF).
inline constexpr size_t kMaxDataBytes = 0xFFFFF;

// ZooKeeper's Stat, fields in jute order.
struct Stat {
  int64_t czxid = 0;           // txid that created the node
  int64_t mzxid = 0;           // txid of the last data change (create or setData)
  int64_t ctime = 0;           // ms since the epoch at creation
  int64_t mtime = 0;           // ms since the epoch at the last data change
  int32_t version = 0;         // number of setData calls
  int32_t cversion = 0;        // 2 * child creations - numChildren (ZooKeeper's visible rule)
  int32_t aversion = 0;        // ACL changes (always 0: ACLs are not supported)
  int64_t ephemeral_owner = 0; // owning session for ephemeral nodes, else 0
  int32_t data_length = 0;     // bytes of data (0 for null data)
  int32_t num_children = 0;
  int64_t pzxid = 0;           // txid of the last change to the set of children (or creation)

  bool operator==(const Stat&) const = default;
};

// Create flags with ZooKeeper's numeric values (CreateMode.fromFlag).
enum class CreateMode : int32_t {
  Persistent = 0,
  Ephemeral = 1,
  PersistentSequential = 2,
  EphemeralSequential = 3,
  Container = 4,
  PersistentWithTtl = 5,
  PersistentSequentialWithTtl = 6,
};

inline bool is_ephemeral(CreateMode m) {
  return m == CreateMode::Ephemeral || m == CreateMode::EphemeralSequential;
}
inline bool is_sequential(CreateMode m) {
  return m == CreateMode::PersistentSequential || m == CreateMode::EphemeralSequential ||
         m == CreateMode::PersistentSequentialWithTtl;
}
inline bool is_ttl(CreateMode m) {
  return m == CreateMode::PersistentWithTtl || m == CreateMode::PersistentSequentialWithTtl;
}
// Whether `flag` is a valid CreateMode value.
inline bool is_valid_create_mode(int32_t flag) { return flag >= 0 && flag <= 6; }

// Watch event types with ZooKeeper's numeric values (Watcher.Event.EventType).
enum class EventType : int32_t {
  None = -1,
  NodeCreated = 1,
  NodeDeleted = 2,
  NodeDataChanged = 3,
  NodeChildrenChanged = 4,
  DataWatchRemoved = 5,
  ChildWatchRemoved = 6,
  PersistentWatchRemoved = 7,
};

// Session states with ZooKeeper's numeric values (Watcher.Event.KeeperState).
enum class SessionState : int32_t {
  Disconnected = 0,
  SyncConnected = 3,
  Closed = 7,
  Expired = -112,
};

struct WatchedEvent {
  EventType type = EventType::None;
  SessionState state = SessionState::SyncConnected;
  std::string path;  // full path of the node the event is about
  int64_t zxid = -1; // txid of the change that triggered the event

  bool operator==(const WatchedEvent&) const = default;
};

std::string event_type_name(EventType t);

}  // namespace faaskeeper
