#include "tools/faaskeeper/connect.h"

#include <cstdio>
#include <cstdlib>

#include "client/local_transport.h"
#include "client/tcp_transport.h"

namespace faaskeeper::cli {

std::string default_data_dir() {
  const char* env = std::getenv("FAASKEEPER_DATA");
  return env && *env ? env : "./.faaskeeper-data";
}

void add_connect_options(CLI::App* cmd, ConnectOptions& options) {
  options.data_dir = default_data_dir();
  cmd->add_option("--data", options.data_dir,
                  "data directory of a deployment on this machine (reads go straight to it)")
      ->capture_default_str()
      ->envname("FAASKEEPER_DATA");
  cmd->add_option("--server", options.server, "host:port of a deployment's endpoint (reads go through it)");
  cmd->add_option("--timeout", options.timeout_ms, "request timeout in milliseconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 3'600'000));
}

Result<std::shared_ptr<ClientTransport>> open_transport(const ConnectOptions& options) {
  TcpTransportOptions topts;
  topts.request_timeout = std::chrono::milliseconds(options.timeout_ms);
  if (!options.server.empty()) {
    auto address = wire::parse_address(options.server);
    if (!address.ok()) return address.status();
    auto t = TcpTransport::connect(*address, topts);
    if (!t.ok()) return t.status();
    return std::shared_ptr<ClientTransport>(*t);
  }
  auto t = LocalTransport::open(options.data_dir, topts);
  if (!t.ok()) return t.status();
  return std::shared_ptr<ClientTransport>(*t);
}

Result<std::unique_ptr<Client>> open_client(const ConnectOptions& options) {
  auto transport = open_transport(options);
  if (!transport.ok()) return transport.status();
  ClientOptions copts;
  copts.request_timeout = std::chrono::milliseconds(options.timeout_ms);
  copts.session_timeout_ms = options.session_timeout_ms;
  return Client::open(*transport, copts);
}

int fail(const Status& status) {
  std::fprintf(stderr, "%s\n", status.to_string().c_str());
  return 1;
}

}  // namespace faaskeeper::cli
