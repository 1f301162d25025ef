#include "deployment.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

extern char** environ;

namespace fkbench {
namespace {

// A port that was free on 127.0.0.1 a moment ago (the kernel picks it).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

LocalDeployment::LocalDeployment(const std::string& bin, const std::vector<std::string>& extra, const std::string& tag,
                                 bool gateway)
    : bin_(bin) {
  tmp_ = std::filesystem::temp_directory_path() / ("fk-compare-" + std::to_string(::getpid()) + "-" + tag);
  std::filesystem::remove_all(tmp_);
  std::filesystem::create_directories(tmp_);
  data_ = tmp_ + "/data";
  log_ = tmp_ + "/deployment.log";
  zk_port_ = gateway ? free_port() : -1;
  args_ = {bin, "local", "--data", data_, "--zk-port", std::to_string(zk_port_)};
  args_.insert(args_.end(), extra.begin(), extra.end());
  spawn();
}

bool LocalDeployment::spawn() {
  std::vector<char*> cargs;
  for (auto& a : args_) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = -1;
  int rc = posix_spawn(&pid, cargs[0], &fa, nullptr, cargs.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    why_ = "cannot start " + bin_;
    return false;
  }
  auto deadline = t0 + std::chrono::seconds(60);
  auto fail = [&](const std::string& why) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    why_ = why + "; see " + log_;
    return false;
  };
  // The endpoint file appears once the deployment serves requests; poll it with a deadline.
  while (!std::filesystem::exists(data_ + "/endpoint")) {
    if (std::chrono::steady_clock::now() > deadline || ::waitpid(pid, nullptr, WNOHANG) == pid)
      return fail("the deployment did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  start_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // The gateway is started right after the endpoint; it is not part of the start-up figure.
  while (zk_port_ > 0 && !accepts(zk_port_)) {
    if (std::chrono::steady_clock::now() > deadline || ::waitpid(pid, nullptr, WNOHANG) == pid)
      return fail("the ZooKeeper gateway did not start on port " + std::to_string(zk_port_));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  pid_ = pid;
  return true;
}

double LocalDeployment::restart() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return spawn() ? start_seconds_ : -1;
}

LocalDeployment::~LocalDeployment() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  if (why_.empty()) std::filesystem::remove_all(tmp_);
}

long rss_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  return -1;
}

unsigned long long dir_bytes(const std::string& dir) {
  std::error_code ec;
  unsigned long long total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode))
      total += static_cast<unsigned long long>(st.st_blocks) * 512;  // allocated, not apparent
  }
  return total;
}

std::string control_request(const std::string& address, const std::string& command) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return "error bad control address " + address;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "error socket";
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(std::atoi(address.c_str() + colon + 1)));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &a.sin_addr);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string line = command + "\n";
    if (::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size())) {
      char c;
      while (::read(fd, &c, 1) == 1 && c != '\n') reply.push_back(c);
    }
  } else {
    reply = "error cannot connect to " + address;
  }
  ::close(fd);
  return reply;
}

}  // namespace fkbench
