// TcpTransport: a ClientTransport over the local deployment's endpoint (src/endpoint, frames of
// endpoint/wire.h). attach/submit/read are request/answer exchanges on one TCP connection;
// the endpoint pushes the attached sessions' server messages on the same connection. Reads go
// through the endpoint (remote reads): for clients that cannot read the data directory.
//
// Failure behaviour (never hangs):
// - No deployment listening: attach/submit/read fail with ConnectionLoss at once (connect is
//   refused) or after connect_timeout.
// - The connection breaks (deployment stopped or killed): calls waiting for an answer fail with
//   ConnectionLoss at once, and every submitted request of an attached session that has no
//   reply yet is answered with a ConnectionLoss reply (it may or may not take effect, as in
//   ZooKeeper). The next call reconnects (re-resolving the address) and re-attaches every
//   attached session, so a session survives a restart of the deployment.
// - No answer within request_timeout: that call fails with ConnectionLoss.
// - A request larger than the endpoint accepts fails with BadArguments without being sent.
//
// Thread-safe; one connection serves any number of sessions and threads.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "client/transport.h"
#include "endpoint/wire.h"

namespace faaskeeper {

struct TcpTransportOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{10000};
};

class TcpTransport final : public ClientTransport {
 public:
  // Where to connect; called at every (re)connect, so it may follow a restarted deployment.
  using Resolver = std::function<Result<wire::Address>()>;

  // Connects to `address`. ConnectionLoss when nothing answers there.
  static Result<std::shared_ptr<TcpTransport>> connect(const wire::Address& address, TcpTransportOptions options = {});
  static Result<std::shared_ptr<TcpTransport>> connect(Resolver resolver, TcpTransportOptions options = {});
  ~TcpTransport() override;  // closes the connection; receivers are not called afterwards

  Status attach(int64_t session_id, Receiver receiver) override;
  void detach(int64_t session_id) override;
  Status submit(const ClientRequest& request) override;
  Result<std::optional<std::string>> read(const std::string& path) override;

  // Connects now if not connected (and re-attaches sessions). OK when connected.
  Status ensure_connected();
  // Whether the connection is up right now (no I/O).
  bool connected() const;
  // Drops the connection as if it broke (for tests).
  void disconnect();

  class Impl;

 private:
  explicit TcpTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace faaskeeper
