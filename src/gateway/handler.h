// SessionHandler: answers the ZooKeeper requests of one connection with one FaaSKeeper Client
// session. No networking: frames in, frames out through `send`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "faaskeeper/client.h"
#include "zk/codec.h"

namespace faaskeeper::gateway {

class SessionHandler {
 public:
  // send(frame) writes one complete frame to the connection; it must be safe to call from the
  // client's event thread concurrently with handle() (the connection serialises writes).
  using Send = std::function<void(std::string)>;

  SessionHandler(std::unique_ptr<Client> client, Send send);
  ~SessionHandler();  // closes the session

  // Answers one request frame (the payload after the handshake). Writes its reply (if any)
  // through send. Returns false when the connection must be closed afterwards (closeSession,
  // or a payload too short for a request header).
  bool handle(std::string_view payload);

  // The session outlives its connection (ZooKeeper semantics): detach() is called when the
  // connection drops without closeSession. From then on nothing is sent, and the one-shot
  // watch tables are cleared, as ZooKeeper forgets a connection's watches; the client re-arms
  // them with setWatches after attach(send) on its next connection. Persistent watches are kept.
  void detach();
  void attach(Send send);
  // True once closeSession was answered: the session is gone with its connection.
  bool closed() const { return closed_; }

  Client& client() { return *client_; }

 private:
  enum Kind { kData = 1, kChild = 2 };
  // A watcher that forwards events as notifications, deduplicated per (path, kind) the way
  // ZooKeeper's server-side watch tables are (one event per armed path and kind). `gen`
  // identifies the arming: a client watch left from an earlier arming (before a detach, or
  // superseded by setWatches) finds another generation in the table and is ignored.
  Watcher one_shot(Kind kind, uint64_t gen);
  Watcher persistent();
  void notify(const WatchedEvent& ev, Kind kind, uint64_t gen);
  // Arms (kind, path): a new generation, or 0 when this session already holds that watch.
  uint64_t arm(Kind kind, const std::string& path);
  void disarm(Kind kind, const std::string& path, uint64_t gen);
  // setWatches(2): re-arms the watches a reconnecting client still holds, or fires at once
  // those whose node changed after relative_zxid (ZooKeeper's DataTree.setWatches rules).
  void set_watches(int64_t relative_zxid, const std::vector<std::string>& data,
                   const std::vector<std::string>& exist, const std::vector<std::string>& child);
  void send(std::string frame);
  int64_t zxid() const;
  // getEphemerals bookkeeping. The Client API cannot list a session's ephemerals, but every
  // create of this session passes through handle(): note_create records where an ephemeral
  // node of this session may exist, and ephemerals() checks each such place (exists(): the
  // node is there and its ephemeralOwner is this session), as ZooKeeper's per-session set.
  void note_create(const std::string& path, CreateMode mode, const Status& outcome,
                   const std::string& created);
  std::vector<std::string> ephemerals(const std::string& prefix);
  // getAllChildrenNumber: the number of descendants of `path` (a get_children traversal).
  Result<int32_t> count_descendants(const std::string& path);

  std::unique_ptr<Client> client_;
  std::mutex send_mu_;              // guards send_; held while a frame is handed to it
  Send send_;
  std::mutex mu_;                   // guards the armed tables and next_gen_
  std::map<std::string, uint64_t> data_armed_, child_armed_;
  uint64_t next_gen_ = 1;
  bool closed_ = false;
  std::mutex eph_mu_;               // guards the two sets below
  // Paths where an ephemeral node of this session may be. Dropped once seen absent or foreign,
  // except those whose create had an unknown outcome (it may still land): kept in uncertain_.
  std::set<std::string> eph_candidates_, eph_uncertain_;
  // Ephemeral sequential creates with an unknown outcome: the requested path (parent + name
  // prefix); the node, if created, is that path followed by 10 digits.
  std::set<std::string> eph_uncertain_seq_;
};

}  // namespace faaskeeper::gateway
