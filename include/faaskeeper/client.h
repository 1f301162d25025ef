// faaskeeper::Client: a ZooKeeper-style session against a FaaSKeeper deployment.
//
// Guarantees (docs/client.md):
// - A session's operations take effect, and complete, in the order they were issued
//   (asynchronous calls included); a read issued after a write observes that write.
// - Writes go through the writer queue and are acknowledged only after the distributor has
//   committed them and published them to the user store. Reads go straight to the user store.
// - A call that gets no answer within the request timeout fails with ConnectionLoss: it may or
//   may not have taken effect. After the session expires every call fails with SessionExpired.
//
// Every method is thread-safe. Errors are values: check ok() on the Result or Status.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "faaskeeper/error.h"
#include "faaskeeper/ops.h"
#include "faaskeeper/types.h"

namespace faaskeeper {

class ClientTransport;  // how a client reaches a deployment (embedded, local endpoint, cloud)

// Called with each watch event, on the client's event thread, in the order events arrive.
// A watcher may call the client (e.g. to re-arm itself).
using Watcher = std::function<void(const WatchedEvent&)>;

// addWatch modes (ZooKeeper AddWatchMode).
enum class AddWatchMode : int32_t { Persistent = 0, PersistentRecursive = 1 };

// removeWatches / checkWatches types (ZooKeeper WatcherType).
enum class WatcherType : int32_t { Children = 1, Data = 2, Any = 3, Persistent = 4, PersistentRecursive = 5 };

struct ClientOptions {
  // Requested session timeout; the deployment expires the session when the client has not
  // answered its pings for this long.
  int32_t session_timeout_ms = 10'000;
  // How long a request may wait for its answer before failing with ConnectionLoss.
  std::chrono::milliseconds request_timeout{10'000};
  // Receives session events (type None): Expired when the deployment expired the session.
  Watcher session_watcher;
  // Tracing: called with every watch event the moment the client accepts it (on the receiving
  // thread, before any read the event releases can return, and before the event's watchers
  // run on the event thread). Must be fast and must not call the client. For recording
  // histories (src/check); leave empty otherwise.
  std::function<void(const WatchedEvent&)> event_trace;
};

struct NodeData {
  Data data;
  Stat stat;
};

struct Children {
  std::vector<std::string> names;  // child names, not paths; unordered as in ZooKeeper
  Stat stat;
};

struct Created {
  std::string path;  // with the sequential suffix when the mode is sequential
  Stat stat;
};

class Client {
 public:
  // Opens a new session over `transport`. Fails with ConnectionLoss when the deployment does not
  // answer within options.request_timeout.
  static Result<std::unique_ptr<Client>> open(std::shared_ptr<ClientTransport> transport,
                                              ClientOptions options = {});
  ~Client();  // closes the session if it is still open
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  int64_t session_id() const;
  SessionState state() const;
  // The highest txid this session has observed (replies and reads).
  int64_t last_txid() const;

  // --- writes (synchronous) ---
  // Creates `path`. Errors: NodeExists, NoNode (parent missing), NoChildrenForEphemerals,
  // BadArguments (invalid path, data over kMaxDataBytes, bad TTL).
  Result<Created> create(const std::string& path, Data data = std::string(),
                         CreateMode mode = CreateMode::Persistent, int64_t ttl_ms = -1);
  // Deletes `path` if its version matches (-1: any). Errors: NoNode, BadVersion, NotEmpty,
  // BadArguments (/, /zookeeper...).
  Status remove(const std::string& path, int32_t version = -1);
  // Replaces the data if the version matches (-1: any); returns the new Stat.
  Result<Stat> set(const std::string& path, Data data, int32_t version = -1);
  // Applies every op or none, under one txid. The Result is an error only when the request
  // itself failed (ConnectionLoss, SessionExpired); a refused multi returns per-op results,
  // of which one carries the cause (see OpResult).
  Result<std::vector<OpResult>> multi(std::vector<MultiOp> ops);
  // Completes after every earlier request of this session; returns `path`.
  Result<std::string> sync(const std::string& path);

  // --- reads (synchronous) ---
  Result<NodeData> get(const std::string& path);                 // NoNode if absent
  Result<std::optional<Stat>> exists(const std::string& path);   // nullopt if absent
  Result<Children> get_children(const std::string& path);        // NoNode if absent

  // --- reads that leave a one-shot watch (ZooKeeper semantics) ---
  // The watch is armed atomically with the read: it fires for the first change after the
  // returned state. getData and getChildren arm nothing when the node is absent (NoNode);
  // exists arms a creation watch on an absent node. Watch before data: while a watch is armed,
  // no read of this session returns a state newer than a change that fired it before the
  // watcher has been handed that event.
  Result<NodeData> get(const std::string& path, Watcher watcher);
  Result<std::optional<Stat>> exists(const std::string& path, Watcher watcher);
  Result<Children> get_children(const std::string& path, Watcher watcher);
  // A watch that stays armed: on the node (data and children events), or on the node and every
  // descendant (created, deleted, data changed; never children changed).
  Status add_watch(const std::string& path, AddWatchMode mode, Watcher watcher);
  // Removes this session's watches of `type` on `path` (locally and in the deployment).
  // NoWatcher when there is none.
  Status remove_watches(const std::string& path, WatcherType type);
  // Ok when this session holds a watch of `type` on `path`, NoWatcher otherwise.
  Status check_watches(const std::string& path, WatcherType type) const;

  // --- asynchronous forms: same semantics, completed in issue order ---
  std::future<Result<Created>> create_async(const std::string& path, Data data = std::string(),
                                            CreateMode mode = CreateMode::Persistent, int64_t ttl_ms = -1);
  std::future<Status> remove_async(const std::string& path, int32_t version = -1);
  std::future<Result<Stat>> set_async(const std::string& path, Data data, int32_t version = -1);
  std::future<Result<std::vector<OpResult>>> multi_async(std::vector<MultiOp> ops);
  std::future<Result<NodeData>> get_async(const std::string& path);
  std::future<Result<std::optional<Stat>>> exists_async(const std::string& path);
  std::future<Result<Children>> get_children_async(const std::string& path);

  // Ends the session: its ephemeral nodes are deleted in one transaction. Idempotent.
  Status close();

  class Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace faaskeeper
