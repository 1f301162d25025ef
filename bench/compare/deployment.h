// Starts and stops a FaaSKeeper local deployment (`faaskeeper local --data DIR`) on a fresh
// temporary directory for the duration of a benchmark run.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace fkbench {

class LocalDeployment {
 public:
  // Spawns `bin local --data TMP/data` (stderr to TMP/deployment.log) plus `extra` arguments and
  // waits (up to 30 s) until it published its endpoint. On failure ok() is false, why() says why.
  LocalDeployment(const std::string& bin, const std::vector<std::string>& extra);
  ~LocalDeployment();  // SIGTERM, wait, remove the directory
  bool ok() const { return pid_ > 0; }
  const std::string& why() const { return why_; }
  const std::string& data_dir() const { return data_; }
  pid_t pid() const { return pid_; }
  double start_seconds() const { return start_seconds_; }

 private:
  pid_t pid_ = -1;
  std::string tmp_, data_, why_;
  double start_seconds_ = 0;
};

// Resident set size of process `pid` in KiB (from /proc), or -1.
long rss_kib(pid_t pid);

}  // namespace fkbench
