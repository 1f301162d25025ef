// How CLI verbs and demo processes reach a running deployment: --data DIR (same machine: the
// endpoint named in DIR/endpoint, reads straight from DIR) or --server host:port (everything
// through the endpoint).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "client/transport.h"
#include "faaskeeper/client.h"

namespace faaskeeper::cli {

struct ConnectOptions {
  std::string data_dir;  // default: $FAASKEEPER_DATA, else ./.faaskeeper-data
  std::string server;    // host:port; overrides data_dir when set
  int timeout_ms = 10'000;
  int session_timeout_ms = 10'000;
};

// The data directory used when none is given.
std::string default_data_dir();

// Adds --data, --server and --timeout to `cmd`.
void add_connect_options(CLI::App* cmd, ConnectOptions& options);

// The transport the options name.
Result<std::shared_ptr<ClientTransport>> open_transport(const ConnectOptions& options);
// A session over it.
Result<std::unique_ptr<Client>> open_client(const ConnectOptions& options);

// Prints "ERRORNAME: message" to stderr and returns the exit code for a failed operation (1).
int fail(const Status& status);

}  // namespace faaskeeper::cli
