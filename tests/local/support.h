// Helpers for the local-deployment tests: temporary directories, child processes, raw frame
// sockets, and waiting for observable conditions with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "endpoint/wire.h"

namespace faaskeeper::test {

using namespace std::chrono_literals;

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Polls `pred` (every few milliseconds) until it holds or `timeout` passes; returns its last value.
bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

// A child process with stdout and stderr redirected to files.
class Process {
 public:
  // Starts argv[0] (a path) with the arguments. Throws std::runtime_error when it cannot start.
  Process(std::vector<std::string> argv, const std::string& stdout_path, const std::string& stderr_path);
  ~Process();  // SIGKILLs the process if it still runs
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig);
  // Waits up to `timeout` for the process to end; its wait status, nullopt if it still runs.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  std::string out() const { return read_file(stdout_path_); }
  std::string err() const { return read_file(stderr_path_); }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string stdout_path_, stderr_path_;
};

// Runs a command to completion (at most `timeout`) and returns its exit code (-1 if it was
// killed by a signal or timed out), stdout and stderr.
struct RunResult {
  int code = -1;
  std::string out, err;
  double seconds = 0;
};
RunResult run(std::vector<std::string> argv, std::chrono::milliseconds timeout = 30s);

// A blocking TCP connection speaking raw frames, for testing the endpoint's edge cases.
class RawSocket {
 public:
  explicit RawSocket(const wire::Address& address);
  ~RawSocket();
  bool ok() const { return fd_ >= 0; }
  // Sends bytes as they are; false when the connection is broken.
  bool send_bytes(const std::string& bytes);
  // The next frame within `timeout`; nullopt on timeout, EOF or error (see closed()).
  std::optional<wire::Frame> read_frame(std::chrono::milliseconds timeout = 5s);
  // Whether the peer closed the connection: waits up to `timeout` for EOF/reset, discarding
  // any data that arrives before it.
  bool closed_by_peer(std::chrono::milliseconds timeout = 5s);
  void set_receive_buffer(int bytes);
  int fd() const { return fd_; }

 private:
  bool read_exact(char* p, size_t n, std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
};

}  // namespace faaskeeper::test

namespace faaskeeper::test {

// A `faaskeeper local --data DIR` process, started and waited for until it serves (its log
// says so), or until it exits.
class LocalProcess {
 public:
  LocalProcess(const std::string& binary, const std::string& dir, const std::string& log_prefix,
               std::vector<std::string> extra_args = {});
  // Whether it came up serving within `timeout` (false: it exited or never got ready).
  bool ready(std::chrono::milliseconds timeout = 30s);
  Process& process() { return *process_; }
  std::string log() const { return process_->err(); }
  // The endpoint address it logged ("" before it is ready).
  std::string address() const;

 private:
  std::unique_ptr<Process> process_;
};

}  // namespace faaskeeper::test
