// fk_local_storm_client: one client process of the crash-restart test. It writes as fast as it
// can through a LocalTransport and records every outcome, one line each, flushed at once:
//   ready
//   set <k> ok <version> | set <k> unknown | set <k> error <ERROR>
//   seq <k> ok <path>    | seq <k> unknown | seq <k> error <ERROR>
//   done
// For k = 1, 2, ...: set /storm/c<ID> to "<k>" (any version), then create a persistent
// sequential node /storm/q<ID>/n- holding "<k>". It stops at the first failure: ConnectionLoss
// ("unknown": the write may or may not have taken effect) exits 0, anything else exits 3.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "client/local_transport.h"
#include "faaskeeper/client.h"

using namespace faaskeeper;

int main(int argc, char** argv) {
  std::string dir, record, id;
  long ops = 1'000'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--data") dir = argv[i + 1];
    else if (k == "--id") id = argv[i + 1];
    else if (k == "--record") record = argv[i + 1];
    else if (k == "--ops") ops = std::atol(argv[i + 1]);
  }
  if (dir.empty() || record.empty() || id.empty()) {
    std::fprintf(stderr, "usage: %s --data DIR --id ID --record FILE [--ops N]\n", argv[0]);
    return 2;
  }
  FILE* out = std::fopen(record.c_str(), "w");
  if (!out) return 2;
  auto say = [&](const std::string& line) {
    std::fputs((line + "\n").c_str(), out);
    std::fflush(out);
  };

  TcpTransportOptions topts;
  topts.request_timeout = std::chrono::seconds(10);
  auto transport = LocalTransport::open(dir, topts);
  if (!transport.ok()) return say("open-failed " + transport.status().to_string()), 2;
  ClientOptions copts;
  copts.session_timeout_ms = 30'000;
  auto client = Client::open(*transport, copts);
  if (!client.ok()) return say("open-failed " + client.status().to_string()), 2;
  Client& c = **client;
  std::string counter = "/storm/c" + id, queue = "/storm/q" + id;
  if (!c.create(counter, std::string("0")).ok() || !c.create(queue, std::string()).ok())
    return say("setup-failed"), 2;
  say("ready");

  for (long k = 1; k <= ops; ++k) {
    std::string v = std::to_string(k);
    auto s = c.set(counter, v, -1);
    if (s.code() == Error::ConnectionLoss) return say("set " + v + " unknown"), 0;
    if (!s.ok()) return say("set " + v + " error " + error_name(s.code())), 3;
    say("set " + v + " ok " + std::to_string(s->version));
    auto q = c.create(queue + "/n-", v, CreateMode::PersistentSequential);
    if (q.code() == Error::ConnectionLoss) return say("seq " + v + " unknown"), 0;
    if (!q.ok()) return say("seq " + v + " error " + error_name(q.code())), 3;
    say("seq " + v + " ok " + q->path);
  }
  say("done");
  std::fclose(out);
  return 0;
}
