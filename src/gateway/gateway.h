// Gateway: a ZooKeeper wire-protocol server (127.0.0.1, standalone Asio) in front of a
// FaaSKeeper deployment, so unmodified ZooKeeper clients (kazoo, Curator, zkCli) can use it.
//
// Mapping (docs/gateway.md):
// - Each ZooKeeper session is one FaaSKeeper Client session, opened by a handshake with session
//   id 0 with the requested timeout clamped to [4000, 40000] ms. closeSession (or gateway stop,
//   or expiry in the deployment) closes it. A connection that ends otherwise (EOF, network
//   error, protocol error) only detaches it, as in ZooKeeper: a handshake naming the session id
//   and password within the negotiated timeout resumes it (same id; the client re-arms its
//   watches with setWatches); after the timeout the session is closed and a reconnect gets
//   ZooKeeper's expired-session response (timeOut 0, sessionId 0).
// - The requests of one connection are processed one at a time, in arrival order, on a
//   dedicated thread; replies are written in request order. Watch notifications are written by
//   the client's event thread under the same write lock, before any later reply that could
//   observe the change.
// - A frame longer than 1,048,575 bytes, or a malformed frame header, closes the connection
//   without a reply (as ZooKeeper does). Other sessions are unaffected.
// - Output is bounded by the kernel's socket buffers: a write that makes no progress for 10 s
//   (a client that does not read) drops that connection, with a log line; the session is
//   detached as on any network failure. Other connections are unaffected, and stop() does not
//   wait for a stalled write.
#pragma once

#include <cstddef>
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

  // Test hooks (fk_gateway_server's stdin commands). drop_connections closes every client
  // connection as a network failure would (sessions stay, detached) and returns once they are
  // detached; it returns how many it closed. While hold_reconnects(true), handshakes that name
  // an existing session are closed without an answer (the server looks unreachable to
  // reconnecting clients); new sessions are unaffected.
  size_t drop_connections();
  void hold_reconnects(bool hold);

  class Impl;

 private:
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace faaskeeper::gateway
