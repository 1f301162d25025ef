// SessionHandler: answers the ZooKeeper requests of one connection with one FaaSKeeper Client
// session. No networking: frames in, frames out through `send`.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
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

  Client& client() { return *client_; }

 private:
  enum Kind { kData = 1, kChild = 2 };
  // A watcher that forwards events as notifications, deduplicated per (path, kind) the way
  // ZooKeeper's server-side watch tables are (one event per armed path and kind).
  Watcher one_shot(Kind kind);
  Watcher persistent();
  void notify(const WatchedEvent& ev, Kind kind, bool persistent);
  int64_t zxid() const;

  std::unique_ptr<Client> client_;
  Send send_;
  std::mutex mu_;                   // guards the armed sets
  std::set<std::string> data_armed_, child_armed_;
};

}  // namespace faaskeeper::gateway
