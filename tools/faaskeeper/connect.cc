#include "tools/faaskeeper/connect.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "client/local_transport.h"
#include "client/tcp_transport.h"
#include "providers/aws/aws_transport.h"

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
  cmd->add_option("--aws-config", options.aws_config,
                  "JSON client configuration of a deployment on AWS (the stack outputs; docs/aws.md)")
      ->envname("FAASKEEPER_AWS_CONFIG");
  cmd->add_option("--channel-listen", options.channel_listen,
                  "with --aws-config: address the reply channel listens on")
      ->capture_default_str();
  cmd->add_option("--channel-advertise", options.channel_advertise,
                  "with --aws-config: address the functions dial to reach this client (required "
                  "when listening on 0.0.0.0)");
  cmd->add_option("--channel-port", options.channel_port, "with --aws-config: reply channel port (0: any)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--timeout", options.timeout_ms, "request timeout in milliseconds")
      ->capture_default_str()
      ->check(CLI::Range(1, 3'600'000));
}

namespace {

Result<std::shared_ptr<ClientTransport>> open_aws(const ConnectOptions& options) {
  std::ifstream in(options.aws_config);
  if (!in) return Status(Error::BadArguments, "cannot read the AWS client configuration " + options.aws_config);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return Status(Error::BadArguments, options.aws_config + " is not a JSON object (docs/aws.md, \"Clients\")");
  auto cfg = aws::AwsProviderConfig::from_json(j);
  if (!cfg.ok()) return cfg.status();
  aws::AwsTransportOptions o;
  o.provider = std::move(*cfg);
  o.listener.listen_host = options.channel_listen;
  o.listener.port = static_cast<uint16_t>(options.channel_port);
  o.advertise_host = options.channel_advertise;
  auto t = aws::AwsTransport::open(std::move(o));
  if (!t.ok()) return t.status();
  return std::shared_ptr<ClientTransport>(*t);
}

}  // namespace

Result<std::shared_ptr<ClientTransport>> open_transport(const ConnectOptions& options) {
  if (!options.aws_config.empty()) return open_aws(options);
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
