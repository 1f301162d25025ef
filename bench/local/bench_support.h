// Shared by the local-deployment benchmarks: start (or join) a `faaskeeper local` deployment and
// open native-client sessions on it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "faaskeeper/client.h"

namespace fkbench {

[[noreturn]] void die(const std::string& program, const std::string& why);

// A deployment the benchmark uses: its own (started on a fresh temporary directory, stopped and
// removed by the destructor) when `data` is empty, otherwise the one already serving `data`.
class Deployment {
 public:
  Deployment(const std::string& program, std::string data, const std::vector<std::string>& extra_args);
  ~Deployment();
  Deployment(const Deployment&) = delete;
  Deployment& operator=(const Deployment&) = delete;

  const std::string& data() const { return data_; }

  // A new session. `remote`: through the TCP endpoint (a client on another machine); otherwise
  // reading DIR directly. Exits the program with a message if the session cannot be opened.
  std::unique_ptr<faaskeeper::Client> connect(bool remote, faaskeeper::ClientOptions options = {}) const;

 private:
  std::string program_;
  std::string data_;
  std::string tmp_;
  pid_t server_ = -1;
};

// p-th percentile (0..100) of sorted samples; 0 when empty.
double percentile(const std::vector<double>& sorted, double p);

}  // namespace fkbench
