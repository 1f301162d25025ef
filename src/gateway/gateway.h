// Gateway: a ZooKeeper wire-protocol server (127.0.0.1, standalone Asio) in front of a
// FaaSKeeper deployment, so unmodified ZooKeeper clients (kazoo, Curator, zkCli) can use it.
//
// Mapping (docs/gateway.md):
// - Each ZooKeeper connection that completes a handshake owns exactly one FaaSKeeper Client
//   session, opened with the requested session timeout clamped to [4000, 40000] ms. The session
//   is closed when the connection ends (closeSession, EOF, protocol error, gateway stop).
// - A handshake that names an existing session id (reconnect) is answered with ZooKeeper's
//   expired-session response (timeOut 0, sessionId 0) and the connection is closed.
// - The requests of one connection are processed one at a time, in arrival order, on a
//   dedicated thread; replies are written in request order. Watch notifications are written by
//   the client's event thread under the same write lock, before any later reply that could
//   observe the change.
// - A frame longer than 1,048,575 bytes, or a malformed frame header, closes the connection
//   without a reply (as ZooKeeper does). Other sessions are unaffected.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "faaskeeper/client.h"
#include "faaskeeper/error.h"

namespace faaskeeper::gateway {

// Opens one FaaSKeeper session for one ZooKeeper connection.
using SessionFactory = std::function<Result<std::unique_ptr<Client>>(const ClientOptions&)>;

struct GatewayOptions {
  uint16_t port = 0;  // 0: any free port on 127.0.0.1
  SessionFactory open_session;
};

class Gateway {
 public:
  // Binds 127.0.0.1:port and starts accepting. Errors: SystemError (port in use, no factory).
  static Result<std::unique_ptr<Gateway>> start(GatewayOptions options);
  ~Gateway();  // stop()
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // The bound port.
  uint16_t port() const;
  // Stops accepting, closes every connection (closing its session) and joins all threads.
  // Idempotent.
  void stop();

  class Impl;

 private:
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace faaskeeper::gateway
