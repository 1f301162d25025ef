// SessionHandler: answers the ZooKeeper requests of one connection with one FaaSKeeper Client
// session. No networking: frames in, frames out through `send`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

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

  std::unique_ptr<Client> client_;
  std::mutex send_mu_;              // guards send_; held while a frame is handed to it
  Send send_;
  std::mutex mu_;                   // guards the armed tables and next_gen_
  std::map<std::string, uint64_t> data_armed_, child_armed_;
  uint64_t next_gen_ = 1;
  bool closed_ = false;
};

}  // namespace faaskeeper::gateway
