#include "deployment.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

extern char** environ;

namespace fkbench {

LocalDeployment::LocalDeployment(const std::string& bin, const std::vector<std::string>& extra) {
  tmp_ = std::filesystem::temp_directory_path() / ("fk-compare-" + std::to_string(::getpid()));
  std::filesystem::remove_all(tmp_);
  std::filesystem::create_directories(tmp_);
  data_ = tmp_ + "/data";
  std::string log = tmp_ + "/deployment.log";
  std::vector<std::string> args = {bin, "local", "--data", data_};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = -1;
  int rc = posix_spawn(&pid, cargs[0], &fa, nullptr, cargs.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    why_ = "cannot start " + bin;
    return;
  }
  auto deadline = t0 + std::chrono::seconds(30);
  // The endpoint file appears once the deployment serves requests; poll it with a deadline.
  while (!std::filesystem::exists(data_ + "/endpoint")) {
    if (std::chrono::steady_clock::now() > deadline || ::waitpid(pid, nullptr, WNOHANG) == pid) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      why_ = "the deployment did not start; see " + log;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  start_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  pid_ = pid;
}

LocalDeployment::~LocalDeployment() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  if (why_.empty()) std::filesystem::remove_all(tmp_);
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace fkbench
