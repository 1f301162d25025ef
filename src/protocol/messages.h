// Messages between clients and functions, and between the writer and the distributor.
//
// All are encoded with core/bytes.h (little-endian, length-prefixed), prefixed by a one-byte
// format version; decoders reject unknown versions and malformed input with MarshallingError.
//
//   client ──ClientRequest──▶ writer queue (group = session id, dedup id = "<session>:<seq>")
//   writer ──DistributorMessage──▶ distributor queue (one group: the global order)
//   writer / distributor / heartbeat ──ServerMessage──▶ ClientChannel ──▶ client
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "faaskeeper/error.h"
#include "faaskeeper/ops.h"
#include "faaskeeper/types.h"

namespace faaskeeper {

// ---- operations a client asks for ----------------------------------------------------------

struct MultiRequest {
  std::vector<MultiOp> ops;
};
struct SyncRequest {
  std::string path;
};
struct OpenSessionRequest {
  int32_t timeout_ms = 10000;
};
struct CloseSessionRequest {
  bool expired = false;  // true when the heartbeat expires the session
};

// Watch tables, as in ZooKeeper's WatchManager plus the two persistent modes.
enum class WatchKind : int32_t { Data = 0, Child = 1, Persistent = 2, PersistentRecursive = 3 };

// Arms a watch iff the node is still as the client read it: absent (expect_exists = false) or
// with the given zxid (mzxid for data watches, pzxid for child watches, czxid otherwise).
// Answered by the writer directly: Ok when armed, RuntimeInconsistency when the node changed
// (the client re-reads and retries).
struct RegisterWatchRequest {
  std::string path;
  WatchKind kind = WatchKind::Data;
  bool expect_exists = true;
  int64_t expect_zxid = 0;
};
// Removes the session's watches on `path` of the given ZooKeeper WatcherType (1 children,
// 2 data, 3 any, 4 persistent, 5 persistent recursive). NoWatcher when none matched.
struct RemoveWatchesRequest {
  std::string path;
  int32_t type = 3;
};
// The reaper's delete of a container or TTL node (ZooKeeper's internal deleteContainer). It
// deletes the node only if it is still exactly the node the reaper judged due: same czxid (not
// deleted and recreated), same mzxid (no setData), same pzxid (no child created or deleted
// since), no children, and still due by the reap rules. Otherwise it is refused and nothing
// changes. Accepted only from kSystemSessionId.
struct ReapRequest {
  std::string path;
  int64_t czxid = 0, mzxid = 0, pzxid = 0;
};
using Operation = std::variant<CreateRequest, DeleteRequest, SetDataRequest, MultiRequest,
                               SyncRequest, OpenSessionRequest, CloseSessionRequest,
                               RegisterWatchRequest, RemoveWatchesRequest, ReapRequest>;

struct ClientRequest {
  int64_t session_id = 0;
  uint64_t seq = 0;  // per-session, strictly increasing in issue order
  Operation op;
};

// The seq of the CloseSession{expired} request the heartbeat queues: after everything else.
inline constexpr uint64_t kExpirySeq = INT64_MAX;

// The session the deployment itself writes under (the reaper's deletes), as ZooKeeper's
// ContainerManager submits under session 0. Clients never get it: their ids are in [1, 2^63).
// Its record is created by the reaper; the heartbeat neither pings nor expires it.
inline constexpr int64_t kSystemSessionId = 0;

std::string request_id(int64_t session_id, uint64_t seq);  // "<session>:<seq>", the dedup id
std::string encode(const ClientRequest& r);
Result<ClientRequest> decode_client_request(std::string_view bytes);

// ---- what functions send to a client --------------------------------------------------------

struct Reply {
  uint64_t seq = 0;
  Error err = Error::Ok;  // for multi: the first failing op's code, Ok if it committed
  std::string message;    // precise reason when err != Ok
  int64_t txid = 0;       // txid of the committed change (0 when nothing committed)
  std::vector<OpResult> results;
};
struct WatchNotification {
  EventType type = EventType::None;
  std::string path;
  int64_t txid = 0;
};
struct Ping {
  int64_t now_ms = 0;
};
struct SessionClosed {
  bool expired = false;  // expired by the heartbeat rather than closed by the client
};
using ServerMessage = std::variant<Reply, WatchNotification, Ping, SessionClosed>;

std::string encode(const ServerMessage& m);
Result<ServerMessage> decode_server_message(std::string_view bytes);
// Whether `bytes` is an encoded Ping (looks at the first two bytes only).
bool is_ping(std::string_view bytes);

// ---- writer -> distributor -------------------------------------------------------------------

// Marks a txid field the writer cannot know yet: the distributor substitutes the txid it
// assigns to the message.
inline constexpr int64_t kPendingTxid = INT64_MIN;
inline int64_t resolve_txid(int64_t v, int64_t txid) { return v == kPendingTxid ? txid : v; }

// Authoritative metadata of one znode (the system store's view). child_counter is ZooKeeper's
// stored cversion: it counts child creations and never decreases; visible cversion is derived.
struct NodeMeta {
  int64_t czxid = 0, mzxid = 0, pzxid = 0, ctime = 0, mtime = 0;
  int32_t version = 0, child_counter = 0, aversion = 0;
  int64_t ephemeral_owner = 0;
  int32_t data_length = 0, num_children = 0;
  CreateMode mode = CreateMode::Persistent;
  int64_t ttl_ms = -1;

  Stat to_stat(int64_t txid) const;  // visible Stat, pending txids resolved to `txid`
  bool operator==(const NodeMeta&) const = default;
};

// The final effect of a transaction on one znode, computed by the writer under its leases.
struct NodeWrite {
  std::string path;
  bool deleted = false;                      // the node is gone after the transaction
  bool created = false;                      // the node did not exist before
  NodeMeta meta;                             // final metadata (when !deleted)
  bool data_changed = false;                 // `data` replaces the node's data
  Data data;
  std::vector<std::string> children_add;     // child names added
  std::vector<std::string> children_remove;  // child names removed
};

// The effect of a transaction on the requesting session's record.
struct SessionWrite {
  bool open = false;   // creates the session record
  bool close = false;  // marks it closed (client close or expiry)
  bool expired = false;
  int32_t timeout_ms = 0;
  // One chunk of a close too large for one transaction: deletes some ephemerals, leaves the
  // session open, and is not answered (the final chunk is the close itself).
  bool partial_close = false;
};

// An ephemeral node recorded in (or removed from) its owner's ephemeral index.
struct EphemeralEntry {
  int64_t owner = 0;
  std::string path;
  bool operator==(const EphemeralEntry&) const = default;
};

// A watch trigger produced by the transaction (delivered by the watch function).
struct WatchTrigger {
  EventType type = EventType::None;
  std::string path;
  bool operator==(const WatchTrigger&) const = default;
};

struct DistributorMessage {
  // When non-empty the message only asks to remove these epoch stamps (txid) from the node
  // objects at these paths, sent by the watch function once it delivered the notifications.
  std::vector<std::pair<std::string, int64_t>> clear_epochs;
  int64_t session_id = 0;
  uint64_t seq = 0;
  std::string lock_owner;  // the writer's lease token; the commit requires it still holds
  std::vector<NodeWrite> writes;
  // Leases the plan holds on nodes it does not write (multi checks, nodes created and deleted
  // within the transaction): the commit releases them, and requires them still held.
  std::vector<std::string> unlock;  // existing nodes: remove the lease
  std::vector<std::string> unlock_delete;  // items that only carry the lease: delete them
  SessionWrite session;
  std::vector<EphemeralEntry> ephemerals_add, ephemerals_remove;
  std::vector<WatchTrigger> triggers;
  Reply reply;  // results with pending txids; err Ok
  // Reap-index changes: container/TTL nodes created / deleted by the transaction.
  std::vector<std::string> reapables_add, reapables_remove;
};

std::string encode(const DistributorMessage& m);
Result<DistributorMessage> decode_distributor_message(std::string_view bytes);

// ---- distributor -> watch function ------------------------------------------------------------

struct Notification {
  int64_t session_id = 0;
  EventType type = EventType::None;
  std::string path;
  bool operator==(const Notification&) const = default;
};

// The notifications of one committed transaction, in the order ZooKeeper fires them, and the
// node objects stamped with `txid` until they are delivered.
struct WatchBatch {
  int64_t txid = 0;
  std::vector<Notification> notifications;
  std::vector<std::string> stamped_paths;
};

std::string encode(const WatchBatch& b);
Result<WatchBatch> decode_watch_batch(std::string_view bytes);

}  // namespace faaskeeper
