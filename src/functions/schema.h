// How FaaSKeeper lays out its state in the SystemStore. One place, so the writer, distributor,
// heartbeat and tools agree. Keys:
//
//   "n:<path>"            znode metadata + lease   (exists iff attribute cz is present; an item
//                         holding only a lease is a lock on a node that does not exist)
//   "s:<session>"         session record
//   "e:<session>:<path>"  ephemeral index: one item per ephemeral node of a session
//   "r:<path>"            reap index: one item per container or TTL node (attribute p), kept
//                         in the same commit transaction that creates or deletes the node, so
//                         it lists exactly the znodes the reaper must look at (docs/containers.md)
//   "w:<path>"            watches on a path: string sets d (data/exists), c (children),
//                         p (persistent); entries "<session>:<seq>@<txid armed after>"
//   "wr"                  persistent-recursive watches: set r, entries "<entry>|<path>"
//   "txid"                the last assigned txid (attribute v) and the first txid of the
//                         commit transaction that assigned it (attribute f; see distributor.cc)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/messages.h"
#include "providers/system_store.h"

namespace faaskeeper::schema {

std::string node_key(const std::string& path);
std::string session_key(int64_t session_id);
std::string ephemeral_key(int64_t owner, const std::string& path);
std::string ephemeral_prefix(int64_t owner);
inline const std::string kTxidKey = "txid";
inline const std::string kRecursiveWatchesKey = "wr";
std::string watch_key(const std::string& path);
inline const std::string kSessionPrefix = "s:";
std::string reap_key(const std::string& path);
inline const std::string kReapPrefix = "r:";

// Attribute names.
namespace attr {
inline const std::string kLockOwner = "lk", kLockExpiry = "le";
inline const std::string kChildren = "ch";  // string set of child names
inline const std::string kCreated = "cz";   // czxid; its presence means the znode exists
inline const std::string kModified = "mz";  // mzxid
inline const std::string kChildZxid = "pz"; // pzxid
// session
inline const std::string kState = "st", kTimeout = "to", kAppliedSeq = "as", kAppliedTxid = "at",
                         kDecidedSeq = "ws", kDecidedErr = "fe", kDecidedMsg = "fm",
                         kAlive = "hb", kClosedAt = "cl", kExpired = "ex", kPath = "p",
                         kValue = "v";
// the txid counter: first txid of the latest commit transaction
inline const std::string kFirstTxid = "f";
// the system session record (kSystemSessionId): the last seq the reaper reserved
inline const std::string kReapSeq = "rq";
// watch tables
inline const std::string kDataWatches = "d", kChildWatches = "c", kPersistentWatches = "p",
                         kRecursiveWatches = "r";
}  // namespace attr

enum class SessionState : int64_t { Alive = 1, Closed = 2 };

// Whether nodes of this mode are listed in the reap index (containers and TTL nodes).
inline bool is_reapable(CreateMode m) { return m == CreateMode::Container || is_ttl(m); }

// A znode as the writer sees it under its lease.
struct NodeState {
  NodeMeta meta;
  std::vector<std::string> children;
};

// nullopt when the item does not describe an existing znode.
std::optional<NodeState> parse_node(const std::optional<Item>& item);
// The Set actions that store every metadata field (pending txids must be resolved first).
std::vector<Action> meta_actions(const NodeMeta& meta);

struct SessionRecord {
  SessionState state = SessionState::Alive;
  int32_t timeout_ms = 0;
  uint64_t applied_seq = 0;  // last request committed by the distributor
  int64_t applied_txid = 0;
  uint64_t decided_seq = 0;  // last request the writer answered with an error
  Error decided_err = Error::Ok;
  std::string decided_msg;
  int64_t alive_ms = 0;  // last time the client answered (or the session was opened)
  bool expired = false;
};
std::optional<SessionRecord> parse_session(const std::optional<Item>& item);

// A watch-table entry: who armed it, and the last txid committed before it was armed (the
// watch fires only for later txids).
struct WatchEntry {
  int64_t session = 0;
  uint64_t seq = 0;
  int64_t armed_after = 0;
  std::string path;  // recursive entries only
};
std::string format_watch_entry(const WatchEntry& e);  // path appended with '|' when non-empty
std::optional<WatchEntry> parse_watch_entry(const std::string& s);

}  // namespace faaskeeper::schema
