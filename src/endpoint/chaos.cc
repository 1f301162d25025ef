#include "endpoint/chaos.h"

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "providers/fault/fault_plan.h"
#include "providers/fault/faulty_queue.h"
#include "providers/fault/function_crash.h"

namespace faaskeeper {

namespace {

class JumpingClock final : public Clock {
 public:
  explicit JumpingClock(Clock& base) : base_(base) {}
  int64_t now_ms() override { return base_.now_ms() + offset_.load(); }
  void jump_to(int64_t offset) { offset_ = offset; }

 private:
  Clock& base_;
  std::atomic<int64_t> offset_{0};
};

}  // namespace

class Chaos::Impl {
 public:
  Impl(ChaosOptions o, Clock& base) : options(o), clock(base), rng(o.seed) {}

  // One draw from the shared generator (functions run on several threads).
  double uniform() {
    std::lock_guard lock(mu);
    return std::uniform_real_distribution<double>(0, 1)(rng);
  }
  int64_t between(int64_t lo, int64_t hi) {
    std::lock_guard lock(mu);
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  }

  void on_step(std::string_view step) {
    if (uniform() < options.jump_rate) {
      clock.jump_to(between(-options.clock_jump_max_ms, options.clock_jump_max_ms));
      ++stats_jumps;
    }
    if (step == "watch.received" && options.watch_delay_max_ms > 0) {
      ++stats_delays;
      std::this_thread::sleep_for(std::chrono::milliseconds(between(0, options.watch_delay_max_ms)));
    }
    if (uniform() < options.crash_rate) {
      ++stats_crashes;
      throw FunctionCrash("(chaos) at " + std::string(step));
    }
  }

  ChaosOptions options;
  JumpingClock clock;
  std::mutex mu;
  std::mt19937_64 rng;
  FaultPlan plan;
  std::atomic<uint64_t> stats_crashes{0}, stats_jumps{0}, stats_delays{0};
  std::vector<size_t> duplicate_rules;
};

Chaos::Chaos(ChaosOptions options, Clock& base) : impl_(std::make_unique<Impl>(options, base)) {}
Chaos::~Chaos() = default;

Clock& Chaos::clock() { return impl_->clock; }

std::function<void(std::string_view)> Chaos::step_hook() {
  Impl* impl = impl_.get();
  return [impl](std::string_view step) { impl->on_step(step); };
}

std::unique_ptr<Queue> Chaos::wrap(Queue& queue, const std::string& name) {
  Impl* impl = impl_.get();
  FaultRule dup;
  dup.op = name + ".deliver";
  dup.kind = FaultKind::Duplicate;
  dup.times = -1;
  dup.match = [impl](const std::string&) { return impl->uniform() < impl->options.duplicate_rate; };
  impl_->duplicate_rules.push_back(impl_->plan.add(std::move(dup)));
  return std::make_unique<FaultyQueue>(queue, impl_->plan, name);
}

Chaos::Stats Chaos::stats() const {
  Stats s;
  s.crashes = impl_->stats_crashes;
  s.jumps = impl_->stats_jumps;
  s.delays = impl_->stats_delays;
  for (size_t id : impl_->duplicate_rules) s.duplicates += static_cast<uint64_t>(impl_->plan.fired(id));
  return s;
}

}  // namespace faaskeeper
