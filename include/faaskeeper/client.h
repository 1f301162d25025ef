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

struct ClientOptions {
  // Requested session timeout; the deployment expires the session when the client has not
  // answered its pings for this long.
  int32_t session_timeout_ms = 10'000;
  // How long a request may wait for its answer before failing with ConnectionLoss.
  std::chrono::milliseconds request_timeout{10'000};
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
