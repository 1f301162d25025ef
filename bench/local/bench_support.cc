#include "bench/local/bench_support.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "client/local_transport.h"
#include "client/tcp_transport.h"
#include "endpoint/endpoint_file.h"

extern char** environ;

namespace fkbench {

namespace fk = faaskeeper;

void die(const std::string& program, const std::string& why) {
  std::fprintf(stderr, "%s: %s\n", program.c_str(), why.c_str());
  std::exit(1);
}

Deployment::Deployment(const std::string& program, std::string data, const std::vector<std::string>& extra_args)
    : program_(program), data_(std::move(data)) {
  if (!data_.empty()) return;
  tmp_ = std::filesystem::temp_directory_path() / (program + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(tmp_);
  std::filesystem::create_directories(tmp_);
  data_ = tmp_ + "/data";
  std::string log = tmp_ + "/deployment.log";
  // --zk-port -1: no ZooKeeper gateway, so a benchmark never competes for port 2181.
  std::vector<std::string> args = {FK_FAASKEEPER_BIN, "local", "--data", data_, "--zk-port", "-1"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (posix_spawn(&server_, cargs[0], &fa, nullptr, cargs.data(), environ) != 0) die(program_, "cannot start faaskeeper");
  posix_spawn_file_actions_destroy(&fa);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  // Polling a file the deployment writes once it serves: a start-up wait, not a measurement.
  while (!std::filesystem::exists(data_ + "/endpoint")) {
    if (std::chrono::steady_clock::now() > deadline || ::waitpid(server_, nullptr, WNOHANG) == server_)
      die(program_, "the deployment did not start; see " + log);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Deployment::~Deployment() {
  if (server_ <= 0) return;
  ::kill(server_, SIGTERM);
  ::waitpid(server_, nullptr, 0);
  std::filesystem::remove_all(tmp_);
}

std::unique_ptr<fk::Client> Deployment::connect(bool remote, fk::ClientOptions options) const {
  std::shared_ptr<fk::ClientTransport> t;
  if (remote) {
    auto address = fk::read_endpoint_file(data_);
    if (!address.ok()) die(program_, address.status().to_string());
    auto tcp = fk::TcpTransport::connect(*address);
    if (!tcp.ok()) die(program_, tcp.status().to_string());
    t = *tcp;
  } else {
    auto local = fk::LocalTransport::open(data_);
    if (!local.ok()) die(program_, local.status().to_string());
    t = *local;
  }
  auto c = fk::Client::open(t, options);
  if (!c.ok()) die(program_, c.status().to_string());
  return std::move(*c);
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(static_cast<double>(sorted.size()) * p / 100.0);
  return sorted[std::min(sorted.size() - 1, i)];
}

}  // namespace fkbench
