// Starts and stops a FaaSKeeper local deployment (`faaskeeper local --data DIR`) on a fresh
// temporary directory for the duration of a benchmark run, with its ZooKeeper gateway on a free
// 127.0.0.1 port (so ZooKeeper clients can drive the same deployment).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace fkbench {

class LocalDeployment {
 public:
  // Spawns `bin local --data TMP/data --zk-port P` (stderr to TMP/deployment.log) plus `extra`
  // arguments and waits (up to 30 s) until it published its endpoint and the gateway accepts
  // connections. On failure ok() is false, why() says why.
  // `tag` names the temporary directory (fk-compare-PID-TAG) so that several can coexist.
  // Without `gateway` the deployment runs with --zk-port -1 (zk_port() is -1).
  LocalDeployment(const std::string& bin, const std::vector<std::string>& extra, const std::string& tag = "main",
                  bool gateway = true);
  ~LocalDeployment();  // SIGTERM, wait, remove the directory
  bool ok() const { return pid_ > 0; }
  const std::string& why() const { return why_; }
  const std::string& data_dir() const { return data_; }
  pid_t pid() const { return pid_; }
  int zk_port() const { return zk_port_; }
  // Seconds from spawn until the endpoint file appeared (the deployment serves requests).
  double start_seconds() const { return start_seconds_; }
  // Stops the process (SIGTERM, wait) and starts it again on the same DIR and ports' settings;
  // returns the new start_seconds(), or -1 (why() says why).
  double restart();

 private:
  bool spawn();
  std::string bin_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  int zk_port_ = -1;
  std::string tmp_, data_, log_, why_;
  double start_seconds_ = 0;
};

// Resident set size of process `pid` in KiB (from /proc/PID/status), or -1. `field` picks the
// part: "VmRSS:" (all), "RssAnon:" (heap, stacks: private memory), "RssFile:" (mapped files,
// e.g. LMDB pages -- page cache the kernel can drop and re-read).
long rss_kib(pid_t pid, const std::string& field = "VmRSS:");

// One request on the control channel of `tests/harness/zk_server.py with --control`
// (ZK_CONTROL, "127.0.0.1:PORT"): sends `command` ("pid", "dir", "start", "restart") and returns
// the reply line ("error ..." on failure).
std::string control_request(const std::string& address, const std::string& command);

// Total allocated size in bytes of the regular files under `dir` (0 if absent).
unsigned long long dir_bytes(const std::string& dir);

}  // namespace fkbench
