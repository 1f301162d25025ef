#include "tools/faaskeeper/local_command.h"

#include <signal.h>
#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>

#include "endpoint/local_deployment.h"
#include "tools/faaskeeper/connect.h"
#include "tools/faaskeeper/gateway_command.h"

namespace faaskeeper::cli {

namespace {

void log(const std::string& line) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  std::fprintf(stderr, "%s [faaskeeper] %s\n", stamp, line.c_str());
}

struct LocalArgs {
  std::string data_dir;
  int port = 0;
  int writers = 4;
  int batch = 10;
  int heartbeat_ms = 1000;
  bool verbose = false;
  // ZooKeeper gateway port: -1 disables it; 0 picks a free port. When the default (2181) is
  // taken, the deployment runs without the gateway (a warning is logged); an explicit port that
  // cannot be bound is an error.
  int zk_port = kDefaultZkPort;
  bool zk_port_given = false;
  uint64_t chaos_seed = 0;  // fault campaign only (endpoint/chaos.h)
};

int run_local(const LocalArgs& a) {
  // Block the stop signals in every thread the deployment starts; this thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a client vanishing mid-write is an error value, not a signal

  LocalDeploymentOptions o;
  o.data_dir = a.data_dir;
  o.endpoint.port = static_cast<uint16_t>(a.port);
  o.endpoint.log_connections = a.verbose;
  o.runtime.writer_concurrency = a.writers;
  o.runtime.writer_batch = static_cast<size_t>(a.batch);
  o.runtime.distributor_batch = static_cast<size_t>(a.batch);
  o.runtime.heartbeat_interval = std::chrono::milliseconds(a.heartbeat_ms);
  o.chaos.seed = a.chaos_seed;
  auto started = std::chrono::steady_clock::now();
  auto d = LocalDeployment::start(o);
  if (!d.ok()) {
    std::fprintf(stderr, "faaskeeper local: %s\n", d.status().to_string().c_str());
    return 1;
  }
  std::unique_ptr<gateway::Gateway> gw;
  if (a.zk_port >= 0) {
    auto g = start_gateway_for((*d)->address(), a.zk_port);
    if (g.ok()) {
      gw = std::move(*g);
    } else if (a.zk_port_given) {
      std::fprintf(stderr, "faaskeeper local: %s\n", g.status().to_string().c_str());
      (*d)->stop();
      return 1;
    } else {
      log("warning: no ZooKeeper gateway (" + g.status().to_string() + "); use --zk-port to choose a port");
    }
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  std::string address = (*d)->address().to_string();
  log("serving data directory " + a.data_dir + " (pid " + std::to_string(::getpid()) + ", started in " +
      std::to_string(ms) + " ms)");
  log("client endpoint: " + address + " (written to " + a.data_dir + "/endpoint)");
  if (gw) log("ZooKeeper gateway: 127.0.0.1:" + std::to_string(gw->port()) + " (zkCli/kazoo/Curator clients)");
  log("functions: " + std::to_string(a.writers) + " writer instance(s), 1 distributor, batch size " +
      std::to_string(a.batch) + ", heartbeat every " + std::to_string(a.heartbeat_ms) + " ms");
  if (a.chaos_seed != 0)
    log("CHAOS: injecting function crashes, duplicate deliveries, watch delays and clock jumps (seed " +
        std::to_string(a.chaos_seed) + "); for fault testing only");
  log("stores: " + a.data_dir + "/system (system store + queues), " + a.data_dir + "/user (user store)");
  log("try: faaskeeper ls / --data " + a.data_dir + "   stop: faaskeeper stop --data " + a.data_dir +
      " (or Ctrl-C)");
  std::fflush(stderr);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  log(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ", shutting down");
  if (gw) gw->stop();
  if (const Chaos* chaos = (*d)->chaos()) {
    Chaos::Stats cs = chaos->stats();
    log("chaos injected: " + std::to_string(cs.crashes) + " crashes, " + std::to_string(cs.duplicates) +
        " duplicate deliveries, " + std::to_string(cs.delays) + " watch delays, " + std::to_string(cs.jumps) +
        " clock jumps");
  }
  (*d)->stop();
  log("stopped; data is in " + a.data_dir);
  return 0;
}

// The pid in DIR/LOCK while a process holds the lock on it; 0 when no process holds it.
pid_t lock_holder(const std::string& dir) {
  int fd = ::open((dir + "/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  pid_t pid = 0;
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
    ::flock(fd, LOCK_UN);
  } else {
    char buf[32] = {0};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n > 0) pid = static_cast<pid_t>(std::atol(buf));
    if (pid <= 0) pid = -1;
  }
  ::close(fd);
  return pid;
}

int run_stop(const std::string& dir, int wait_s) {
  pid_t pid = lock_holder(dir);
  if (pid == 0) {
    std::fprintf(stderr, "faaskeeper stop: no deployment is running on %s\n", dir.c_str());
    return 1;
  }
  if (pid < 0 || ::kill(pid, SIGTERM) != 0) {
    std::fprintf(stderr, "faaskeeper stop: cannot signal the process holding %s/LOCK\n", dir.c_str());
    return 1;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  while (lock_holder(dir) != 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "faaskeeper stop: process %d still runs after %d s\n", pid, wait_s);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::printf("stopped the deployment on %s (pid %d)\n", dir.c_str(), pid);
  return 0;
}

}  // namespace

void add_local_commands(CLI::App& app, int& exit_code) {
  static LocalArgs a;
  a.data_dir = default_data_dir();
  auto* local = app.add_subcommand("local", "Run the local deployment in the foreground (Ctrl-C / SIGTERM stops it)");
  local->add_option("--data", a.data_dir, "data directory (created when absent; must be a faaskeeper data directory)")
      ->capture_default_str()
      ->envname("FAASKEEPER_DATA");
  local->add_option("--port", a.port, "TCP port of the client endpoint on 127.0.0.1 (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  local->add_option("--writers", a.writers, "concurrent writer function instances")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  local->add_option("--batch", a.batch, "largest batch of queue messages per function invocation")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000));
  local->add_option("--heartbeat-ms", a.heartbeat_ms, "heartbeat function period in milliseconds")
      ->capture_default_str()
      ->check(CLI::Range(10, 600'000));
  local->add_option("--zk-port", a.zk_port, "ZooKeeper gateway port on 127.0.0.1 (0: any free port, -1: no gateway)")
      ->capture_default_str()
      ->check(CLI::Range(-1, 65535))
      ->each([](const std::string&) { a.zk_port_given = true; });
  local->add_flag("--verbose", a.verbose, "also log every client connection");
  local->add_option("--chaos-seed", a.chaos_seed,
                    "fault testing only: inject crashes, duplicates, delays and clock jumps (0: off)")
      ->group("Testing");
  local->callback([&] { exit_code = run_local(a); });

  static std::string stop_dir = default_data_dir();
  static int wait_s = 30;
  auto* stop = app.add_subcommand("stop", "Stop the deployment running on a data directory (SIGTERM, then wait)");
  stop->add_option("--data", stop_dir, "data directory")->capture_default_str()->envname("FAASKEEPER_DATA");
  stop->add_option("--wait", wait_s, "seconds to wait for it to exit")->capture_default_str();
  stop->callback([&] { exit_code = run_stop(stop_dir, wait_s); });
}

}  // namespace faaskeeper::cli
