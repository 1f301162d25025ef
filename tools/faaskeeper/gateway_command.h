// `faaskeeper gateway [--data DIR | --server host:port] [--zk-port P]`: runs the ZooKeeper
// wire-protocol gateway (src/gateway, docs/gateway.md) alone against a running deployment,
// in the foreground until SIGINT/SIGTERM. Also the helper `faaskeeper local` uses to start the
// gateway next to the deployment (--zk-port).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "faaskeeper/error.h"
#include "gateway/gateway.h"
#include "endpoint/wire.h"

namespace faaskeeper::cli {

// ZooKeeper's client port, the default of --zk-port.
inline constexpr int kDefaultZkPort = 2181;

// Starts a gateway on 127.0.0.1:port whose sessions reach the deployment at `endpoint`
// (one shared TCP transport). Errors: ConnectionLoss (no deployment), SystemError (port in use).
Result<std::unique_ptr<gateway::Gateway>> start_gateway_for(const wire::Address& endpoint, int port);

// Registers `gateway` on `app`; when it runs, its exit code goes to `exit_code`.
// Signals: call before any thread starts (SIGINT/SIGTERM are waited for synchronously).
void add_gateway_command(CLI::App& app, int& exit_code);

}  // namespace faaskeeper::cli
