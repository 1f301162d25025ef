// The local function runtime: plays the cloud's event-source mappings on one machine. It polls
// the writer queue with `writer_concurrency` instances, the distributor queue with exactly one,
// the watch queue with one, and runs the heartbeat on a schedule, invoking the same handlers a cloud bootstrap invokes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "functions/env.h"
#include "functions/heartbeat.h"

namespace faaskeeper {

struct RuntimeConfig {
  int writer_concurrency = 4;
  size_t writer_batch = 10;
  size_t distributor_batch = 10;
  std::chrono::milliseconds poll_wait{100};
  // How long a delivered message stays invisible; a crashed invocation's messages come back
  // after this.
  std::chrono::milliseconds visibility{2000};
  // 0 disables the schedule (tests call run_heartbeat() themselves).
  std::chrono::milliseconds heartbeat_interval{1000};
};

struct RuntimeStats {
  std::atomic<uint64_t> writer_invocations{0}, distributor_invocations{0}, watch_invocations{0},
      crashes{0}, heartbeats{0};
};

class FunctionRuntime {
 public:
  FunctionRuntime(FunctionEnv env, RuntimeConfig config);
  ~FunctionRuntime();  // stops

  void start();
  // Stops polling and waits for in-flight invocations to finish.
  void stop();

  // Runs the heartbeat once, now, on the caller's thread.
  Result<HeartbeatReport> run_heartbeat();

  const RuntimeStats& stats() const { return stats_; }
  const FunctionEnv& env() const { return env_; }

 private:
  void writer_loop();
  void distributor_loop();
  void watch_loop();
  void heartbeat_loop();

  FunctionEnv env_;
  RuntimeConfig config_;
  RuntimeStats stats_;
  std::atomic<bool> running_{false};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace faaskeeper
