#include "runtime/function_runtime.h"

#include <cstdio>
#include <exception>
#include <set>

#include "functions/distributor.h"
#include "functions/watch_function.h"
#include "functions/writer.h"

namespace faaskeeper {

FunctionRuntime::FunctionRuntime(FunctionEnv env, RuntimeConfig config)
    : env_(std::move(env)), config_(config) {
  if (!env_.sleep_ms)
    env_.sleep_ms = [](int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
}

FunctionRuntime::~FunctionRuntime() { stop(); }

void FunctionRuntime::start() {
  if (running_.exchange(true)) return;
  for (int i = 0; i < config_.writer_concurrency; ++i) threads_.emplace_back([this] { writer_loop(); });
  threads_.emplace_back([this] { distributor_loop(); });
  threads_.emplace_back([this] { watch_loop(); });
  if (config_.heartbeat_interval.count() > 0) threads_.emplace_back([this] { heartbeat_loop(); });
}

void FunctionRuntime::stop() {
  if (!running_.exchange(false)) return;
  env_.writer_queue->interrupt();
  env_.distributor_queue->interrupt();
  env_.watch_queue->interrupt();
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

Result<HeartbeatReport> FunctionRuntime::run_heartbeat() {
  ++stats_.heartbeats;
  try {
    return Heartbeat(env_).run();
  } catch (const std::exception& e) {
    ++stats_.crashes;
    return Status(Error::SystemError, std::string("heartbeat crashed: ") + e.what());
  }
}

void FunctionRuntime::writer_loop() {
  Writer writer(env_);
  while (running_) {
    auto batch = env_.writer_queue->receive(config_.writer_batch, config_.poll_wait, config_.visibility);
    if (!batch.ok() || batch->empty()) continue;
    ++stats_.writer_invocations;
    // A message handed back (Retry) must not be overtaken by later messages of its group.
    std::set<std::string> blocked_groups;
    std::vector<std::string> done;
    try {
      for (const auto& m : *batch) {
        if (blocked_groups.count(m.group) || writer.handle(m) == Outcome::Retry) {
          blocked_groups.insert(m.group);
          env_.writer_queue->release(m.receipt);
          continue;
        }
        done.push_back(m.receipt);
      }
    } catch (const std::exception&) {
      // The instance died: what it acked so far stays acked; the rest is redelivered later.
      ++stats_.crashes;
    }
    if (!done.empty()) env_.writer_queue->ack(done);
  }
}

void FunctionRuntime::distributor_loop() {
  Distributor distributor(env_);
  while (running_) {
    auto batch = env_.distributor_queue->receive(config_.distributor_batch, config_.poll_wait,
                                                 config_.visibility);
    if (!batch.ok() || batch->empty()) continue;
    ++stats_.distributor_invocations;
    try {
      auto outcomes = distributor.handle(*batch);
      std::vector<std::string> done;
      for (size_t i = 0; i < batch->size(); ++i) {
        if (outcomes[i] == Outcome::Done)
          done.push_back((*batch)[i].receipt);
        else
          env_.distributor_queue->release((*batch)[i].receipt);
      }
      if (!done.empty()) env_.distributor_queue->ack(done);
    } catch (const std::exception&) {
      ++stats_.crashes;  // nothing acked: the whole batch comes back after the visibility timeout
    }
  }
}

void FunctionRuntime::watch_loop() {
  WatchFunction watch(env_);
  while (running_) {
    auto batch = env_.watch_queue->receive(config_.distributor_batch, config_.poll_wait, config_.visibility);
    if (!batch.ok() || batch->empty()) continue;
    ++stats_.watch_invocations;
    std::vector<std::string> done;
    try {
      for (size_t i = 0; i < batch->size(); ++i) {
        if (watch.handle((*batch)[i]) == Outcome::Retry) {
          for (size_t j = i; j < batch->size(); ++j) env_.watch_queue->release((*batch)[j].receipt);
          break;
        }
        done.push_back((*batch)[i].receipt);
      }
    } catch (const std::exception&) {
      ++stats_.crashes;
    }
    if (!done.empty()) env_.watch_queue->ack(done);
  }
}

void FunctionRuntime::heartbeat_loop() {
  std::unique_lock lock(mu_);
  while (running_) {
    cv_.wait_for(lock, config_.heartbeat_interval, [this] { return !running_; });
    if (!running_) break;
    lock.unlock();
    run_heartbeat();
    lock.lock();
  }
}

}  // namespace faaskeeper
