#include "tools/faaskeeper/gateway_command.h"

#include <signal.h>

#include <cstdio>

#include "client/tcp_transport.h"
#include "tools/faaskeeper/connect.h"

namespace faaskeeper::cli {

namespace {

Result<std::unique_ptr<gateway::Gateway>> start_over(std::shared_ptr<ClientTransport> transport, int port) {
  gateway::GatewayOptions g;
  g.port = static_cast<uint16_t>(port);
  g.open_session = [transport](const ClientOptions& o) { return Client::open(transport, o); };
  return gateway::Gateway::start(std::move(g));
}

struct GatewayArgs {
  ConnectOptions connect;
  int zk_port = kDefaultZkPort;
};

int run_gateway(const GatewayArgs& a) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  auto transport = open_transport(a.connect);
  if (!transport.ok()) return fail(transport.status());
  auto gw = start_over(*transport, a.zk_port);
  if (!gw.ok()) return fail(gw.status());
  std::fprintf(stderr, "[faaskeeper] ZooKeeper gateway: 127.0.0.1:%u\n", static_cast<unsigned>((*gw)->port()));
  std::fflush(stderr);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*gw)->stop();
  return 0;
}

}  // namespace

Result<std::unique_ptr<gateway::Gateway>> start_gateway_for(const wire::Address& endpoint, int port) {
  auto t = TcpTransport::connect(endpoint);
  if (!t.ok()) return t.status();
  return start_over(std::shared_ptr<ClientTransport>(*t), port);
}

void add_gateway_command(CLI::App& app, int& exit_code) {
  static GatewayArgs a;
  a.connect.data_dir = default_data_dir();
  auto* cmd = app.add_subcommand("gateway", "Serve the ZooKeeper protocol on 127.0.0.1 in front of a running deployment");
  add_connect_options(cmd, a.connect);
  cmd->add_option("--zk-port", a.zk_port, "ZooKeeper client port on 127.0.0.1 (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->callback([&] { exit_code = run_gateway(a); });
}

}  // namespace faaskeeper::cli
