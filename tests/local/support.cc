#include "tests/local/support.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace faaskeeper::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/fk-local-test-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

Process::Process(std::vector<std::string> argv, const std::string& stdout_path, const std::string& stderr_path)
    : stdout_path_(stdout_path), stderr_path_(stderr_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
}

Process::~Process() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void Process::signal(int sig) {
  if (!reaped_) ::kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (reaped_) return status_;
  bool done = wait_for(
      [&] {
        int st = 0;
        pid_t r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
          reaped_ = true;
          status_ = st;
        }
        return reaped_;
      },
      timeout);
  if (!done) return std::nullopt;
  return status_;
}

bool Process::running() { return !wait(0ms).has_value(); }

RunResult run(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  TempDir io;
  auto start = std::chrono::steady_clock::now();
  RunResult r;
  Process p(std::move(argv), io.sub("out"), io.sub("err"));
  auto st = p.wait(timeout);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (st && WIFEXITED(*st)) r.code = WEXITSTATUS(*st);
  if (!st) p.signal(SIGKILL), p.wait(10s);
  r.out = p.out();
  r.err = p.err();
  return r;
}

RawSocket::RawSocket(const wire::Address& address) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(address.port);
  ::inet_pton(AF_INET, address.host.c_str(), &sa.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawSocket::~RawSocket() {
  if (fd_ >= 0) ::close(fd_);
}

void RawSocket::set_receive_buffer(int bytes) { ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes); }

bool RawSocket::send_bytes(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

bool RawSocket::read_exact(char* p, size_t n, std::chrono::steady_clock::time_point deadline) {
  while (n > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t r = ::recv(fd_, p, n, 0);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

std::optional<wire::Frame> RawSocket::read_frame(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char header[wire::kHeaderBytes];
  if (!read_exact(header, sizeof header, deadline)) return std::nullopt;
  std::string body(wire::body_length(header), '\0');
  if (!read_exact(body.data(), body.size(), deadline)) return std::nullopt;
  auto f = wire::decode_body(body);
  if (!f.ok()) return std::nullopt;
  return *f;
}

bool RawSocket::closed_by_peer(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
    if (r == 0) return true;
    if (r < 0) return errno == ECONNRESET || errno == EPIPE;
  }
}

}  // namespace faaskeeper::test

namespace faaskeeper::test {

LocalProcess::LocalProcess(const std::string& binary, const std::string& dir, const std::string& log_prefix,
                           std::vector<std::string> extra_args) {
  std::vector<std::string> argv = {binary, "local", "--data", dir};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<Process>(argv, log_prefix + ".out", log_prefix + ".log");
}

bool LocalProcess::ready(std::chrono::milliseconds timeout) {
  wait_for([&] { return log().find("client endpoint:") != std::string::npos || !process_->running(); }, timeout);
  return process_->running() && log().find("client endpoint:") != std::string::npos;
}

std::string LocalProcess::address() const {
  std::string l = log();
  auto at = l.find("client endpoint: ");
  if (at == std::string::npos) return "";
  at += std::strlen("client endpoint: ");
  return l.substr(at, l.find(' ', at) - at);
}

}  // namespace faaskeeper::test
