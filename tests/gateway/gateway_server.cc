// fk_gateway_server DIR: a local deployment on DIR plus the ZooKeeper gateway, both on free
// ports of 127.0.0.1, for the gateway's real-client tests. Prints "ZK_PORT=<port>" once both
// serve, then runs until stdin reaches EOF (the test harness closes it) or SIGTERM/SIGINT.
//
// Commands on stdin, one per line, each acknowledged by one line on stdout once done:
//   drop     close every client connection, keeping the sessions   -> "DROPPED <n>"
//   hold     refuse reconnects to existing sessions (no answer)     -> "HELD"
//   release  accept reconnects again                                -> "RELEASED"
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "client/tcp_transport.h"
#include "endpoint/local_deployment.h"
#include "gateway/gateway.h"

using namespace faaskeeper;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  LocalDeploymentOptions o;
  o.data_dir = argv[1];
  auto d = LocalDeployment::start(o);
  if (!d.ok()) {
    std::fprintf(stderr, "deployment: %s\n", d.status().to_string().c_str());
    return 1;
  }
  auto transport = TcpTransport::connect((*d)->address());
  if (!transport.ok()) {
    std::fprintf(stderr, "transport: %s\n", transport.status().to_string().c_str());
    return 1;
  }
  std::shared_ptr<ClientTransport> shared = *transport;
  gateway::GatewayOptions g;
  g.open_session = [shared](const ClientOptions& co) { return Client::open(shared, co); };
  auto gw = gateway::Gateway::start(g);
  if (!gw.ok()) {
    std::fprintf(stderr, "gateway: %s\n", gw.status().to_string().c_str());
    return 1;
  }
  std::printf("ZK_PORT=%u\n", static_cast<unsigned>((*gw)->port()));
  std::fflush(stdout);

  // Stop on EOF of stdin or on a stop signal, whichever comes first.
  gateway::Gateway* gateway = gw->get();
  std::thread stdin_watch([gateway] {
    std::string line;
    char c;
    while (::read(0, &c, 1) > 0) {
      if (c != '\n') {
        line += c;
        continue;
      }
      if (line == "drop") {
        std::printf("DROPPED %zu\n", gateway->drop_connections());
      } else if (line == "hold") {
        gateway->hold_reconnects(true);
        std::printf("HELD\n");
      } else if (line == "release") {
        gateway->hold_reconnects(false);
        std::printf("RELEASED\n");
      } else {
        std::printf("UNKNOWN %s\n", line.c_str());
      }
      std::fflush(stdout);
      line.clear();
    }
    ::kill(::getpid(), SIGTERM);
  });
  stdin_watch.detach();
  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*gw)->stop();
  (*d)->stop();
  std::_Exit(0);  // the detached stdin reader may still block in read()
}
