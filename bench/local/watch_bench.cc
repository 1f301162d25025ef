// fk_watch_bench: watch-notification latency and session-cleanup times against the local
// deployment. A program, not a test: prints figures.
//
//   fk_watch_bench [--data DIR] [--rounds N] [--ephemerals N] [--timeout-ms T]
//
//   notify      a session arms a data watch (getData with a watcher); another session sets the
//               node; latency = from just before the set call to the watcher's callback
//   close       a session owning N ephemerals closes; time until close() returns (all deleted
//               in the distributor's transaction(s) by then)
//   expire      a client process owning N ephemerals is killed with SIGKILL; time until an
//               observer's child watch shows the parent empty (includes the session timeout T,
//               counted from the owner's last answered ping)
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <vector>

#include "bench/local/bench_support.h"

extern char** environ;

namespace fk = faaskeeper;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr const char* kProgram = "fk_watch_bench";

[[noreturn]] void die(const std::string& why) { fkbench::die(kProgram, why); }

double ms_since(SteadyClock::time_point t0, SteadyClock::time_point t1) {
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

// Creates `n` ephemerals under `parent` from `c`, pipelined.
void create_ephemerals(fk::Client& c, const std::string& parent, int n) {
  std::vector<std::future<fk::Result<fk::Created>>> pending;
  for (int i = 0; i < n; ++i)
    pending.push_back(c.create_async(parent + "/e" + std::to_string(i), std::string(), fk::CreateMode::Ephemeral));
  for (auto& f : pending) {
    auto r = f.get();
    if (!r.ok()) die("creating an ephemeral failed: " + r.status().to_string());
  }
}

// Blocks until `parent` has no children, re-arming a child watch on each change.
void await_empty(fk::Client& observer, const std::string& parent) {
  while (true) {
    auto changed = std::make_shared<std::promise<void>>();
    auto fired = changed->get_future();
    auto kids = observer.get_children(parent, [changed](const fk::WatchedEvent&) {
      try {
        changed->set_value();
      } catch (const std::future_error&) {
      }
    });
    if (!kids.ok()) die("get_children " + parent + ": " + kids.status().to_string());
    if (kids->names.empty()) return;
    if (fired.wait_for(std::chrono::seconds(60)) != std::future_status::ready)
      die(parent + " still has " + std::to_string(kids->names.size()) + " children after 60 s");
  }
}

// Child mode: own `n` ephemerals under `parent`, say "ready", then wait to be killed.
int own_ephemerals(const std::string& data, const std::string& parent, int n, int timeout_ms) {
  fkbench::Deployment d(kProgram, data, {});
  fk::ClientOptions o;
  o.session_timeout_ms = timeout_ms;
  auto c = d.connect(false, o);
  create_ephemerals(*c, parent, n);
  std::printf("ready\n");
  std::fflush(stdout);
  char b;
  while (::read(0, &b, 1) > 0) {
  }
  std::_Exit(0);  // never reached in the benchmark: the parent kills us first
}

void bench_notify(const fkbench::Deployment& d, int rounds) {
  auto watcher = d.connect(false);
  auto writer = d.connect(false);
  writer->create("/wb/notify", std::string("0"));
  std::vector<double> lat;
  for (int i = 0; i < rounds; ++i) {
    auto fired = std::make_shared<std::promise<SteadyClock::time_point>>();
    auto when = fired->get_future();
    if (!watcher->get("/wb/notify", [fired](const fk::WatchedEvent&) { fired->set_value(SteadyClock::now()); }).ok())
      die("get with watch failed");
    auto t0 = SteadyClock::now();
    if (!writer->set("/wb/notify", std::to_string(i + 1), -1).ok()) die("set failed");
    if (when.wait_for(std::chrono::seconds(30)) != std::future_status::ready) die("no notification within 30 s");
    lat.push_back(ms_since(t0, when.get()));
  }
  std::sort(lat.begin(), lat.end());
  std::printf("%-8s %8d %10.3f %10.3f %10.3f   (setData -> watcher callback, ms)\n", "notify", rounds,
              fkbench::percentile(lat, 50), fkbench::percentile(lat, 99), lat.back());
}

void bench_close(const fkbench::Deployment& d, int n) {
  auto owner = d.connect(false);
  owner->create("/wb/close", std::string());
  create_ephemerals(*owner, "/wb/close", n);
  auto t0 = SteadyClock::now();
  if (!owner->close().ok()) die("close failed");
  double took = ms_since(t0, SteadyClock::now());
  auto check = d.connect(false);
  auto kids = check->get_children("/wb/close");
  if (!kids.ok() || !kids->names.empty()) die("ephemerals remain after close");
  std::printf("%-8s %8d %10.3f   (close() of a session owning %d ephemerals, ms)\n", "close", n, took, n);
}

void bench_expire(const fkbench::Deployment& d, const char* self, int n, int timeout_ms) {
  auto observer = d.connect(false);
  observer->create("/wb/expire", std::string());
  int to_child[2], from_child[2];
  if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) die("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, to_child[0], 0);
  posix_spawn_file_actions_adddup2(&fa, from_child[1], 1);
  std::vector<std::string> args = {self, "--own-ephemerals", d.data(), "/wb/expire", std::to_string(n),
                                   std::to_string(timeout_ms)};
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  pid_t child = -1;
  if (posix_spawn(&child, self, &fa, nullptr, cargs.data(), environ) != 0) die("cannot start the owner process");
  posix_spawn_file_actions_destroy(&fa);
  ::close(to_child[0]);
  ::close(from_child[1]);
  char line[16] = {};
  if (::read(from_child[0], line, sizeof(line) - 1) <= 0) die("the owner process failed");
  auto t0 = SteadyClock::now();
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  await_empty(*observer, "/wb/expire");
  double took = ms_since(t0, SteadyClock::now());
  // The deployment expires a session once its client has not answered pings for the timeout,
  // counted from the last answered ping (the heartbeat runs every second), so this is between
  // timeout - 1 s and timeout + 1 s plus the cleanup itself.
  std::printf("%-8s %8d %10.3f   (SIGKILL of the owner -> parent empty, ms; session timeout %d ms)\n",
              "expire", n, took, timeout_ms);
  ::close(to_child[1]);
  ::close(from_child[0]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 6 && std::string(argv[1]) == "--own-ephemerals")
    return own_ephemerals(argv[2], argv[3], std::atoi(argv[4]), std::atoi(argv[5]));
  std::string data;
  int rounds = 200, ephemerals = 1000, timeout_ms = 4000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--data") data = argv[i + 1];
    else if (k == "--rounds") rounds = std::atoi(argv[i + 1]);
    else if (k == "--ephemerals") ephemerals = std::atoi(argv[i + 1]);
    else if (k == "--timeout-ms") timeout_ms = std::atoi(argv[i + 1]);
    else die("unknown option " + k + " (--data DIR --rounds N --ephemerals N --timeout-ms T)");
  }
  fkbench::Deployment d(kProgram, data, {});
  std::printf("FaaSKeeper watch and session benchmark: %s\n", d.data().c_str());
  std::printf("%-8s %8s %10s %10s %10s\n", "what", "n", "p50/ms", "p99/ms", "max/ms");
  d.connect(false)->create("/wb", std::string());
  bench_notify(d, rounds);
  bench_close(d, ephemerals);
  bench_expire(d, argv[0], ephemerals, timeout_ms);
  return 0;
}
