// LocalTransport: the transport of a client on the same machine as a local deployment. Writes
// and session traffic go over the deployment's endpoint (a TcpTransport found through
// DIR/endpoint), but reads go straight to the user store in DIR (LocalUserReader: an LMDB
// snapshot read, no server hop, any number of readers in parallel across processes) — the
// FaaSKeeper read path.
//
// Reads still require a live connection to the deployment: when it is stopped, read() fails
// with ConnectionLoss like every other call (the session cannot be served), instead of
// returning data of a deployment that is gone. The connection state is a flag kept by the
// TCP transport's reader, so this costs no I/O when connected.
#pragma once

#include <memory>
#include <string>

#include "client/tcp_transport.h"
#include "providers/user_store.h"

namespace faaskeeper {

class LocalTransport final : public ClientTransport {
 public:
  // Opens DIR's user store read-only and connects to the endpoint named in DIR/endpoint.
  // Errors: SystemError/DataInconsistency for a missing, foreign or corrupted DIR;
  // ConnectionLoss when no deployment serves DIR.
  static Result<std::shared_ptr<LocalTransport>> open(const std::string& dir, TcpTransportOptions options = {});

  Status attach(int64_t session_id, Receiver receiver) override;
  void detach(int64_t session_id) override;
  Status submit(const ClientRequest& request) override;
  Result<std::optional<std::string>> read(const std::string& path) override;

  TcpTransport& tcp() { return *tcp_; }

 private:
  LocalTransport(std::shared_ptr<TcpTransport> tcp, std::unique_ptr<UserStore> reader)
      : tcp_(std::move(tcp)), reader_(std::move(reader)) {}
  std::shared_ptr<TcpTransport> tcp_;
  std::unique_ptr<UserStore> reader_;
};

}  // namespace faaskeeper
