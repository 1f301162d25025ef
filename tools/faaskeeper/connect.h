// How CLI verbs, the gateway and demo processes reach a running deployment: --data DIR (same
// machine: the endpoint named in DIR/endpoint, reads straight from DIR), --server host:port
// (everything through the endpoint), or --aws-config FILE (a deployment on AWS: writes to its
// SQS writer queue, reads from its user store, replies over a TCP channel this process opens;
// docs/aws.md "Clients").
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
  std::string aws_config;       // JSON client configuration; overrides both when set
  std::string channel_listen = "0.0.0.0";  // --aws-config: where the reply channel listens
  std::string channel_advertise;           // --aws-config: the address functions dial
  int channel_port = 0;
  int timeout_ms = 10'000;
  int session_timeout_ms = 10'000;
};

// The data directory used when none is given.
std::string default_data_dir();

// Adds --data, --server, --aws-config (with its --channel-* options) and --timeout to `cmd`.
void add_connect_options(CLI::App* cmd, ConnectOptions& options);

// The transport the options name.
Result<std::shared_ptr<ClientTransport>> open_transport(const ConnectOptions& options);
// A session over it.
Result<std::unique_ptr<Client>> open_client(const ConnectOptions& options);

// Prints "ERRORNAME: message" to stderr and returns the exit code for a failed operation (1).
int fail(const Status& status);

}  // namespace faaskeeper::cli
