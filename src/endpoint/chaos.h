// Chaos: fault injection inside a running local deployment, for the fault campaign
// (tests/campaign, docs/reliability.md). Off unless a seed is given (`faaskeeper local
// --chaos-seed N`); never for production use. With a seed, and reproducibly per seed as far as
// thread scheduling allows:
//   - a function instance crashes (FunctionCrash) at a named step with probability crash_rate
//     (writer, distributor, watch function; the queue redelivers after the visibility timeout);
//   - a message a function receives is delivered a second time with probability duplicate_rate;
//   - the watch function waits up to watch_delay_max_ms before each batch (watch-before-data);
//   - the functions' clock (leases, session expiry, ctime/mtime) jumps forward or backward by up
//     to clock_jump_max_ms now and then (with probability jump_rate per step).
// Killing the deployment itself (kill -9) is the campaign's job, from outside.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "providers/clock.h"
#include "providers/queue.h"

namespace faaskeeper {

struct ChaosOptions {
  uint64_t seed = 0;  // 0: off
  double crash_rate = 0.002;
  double duplicate_rate = 0.02;
  int64_t watch_delay_max_ms = 30;
  double jump_rate = 0.002;
  int64_t clock_jump_max_ms = 3000;
};

class Chaos {
 public:
  Chaos(ChaosOptions options, Clock& base);
  ~Chaos();

  // The clock the functions use: the base clock plus the current jump offset.
  Clock& clock();
  // The functions' step hook: crashes, watch delays, clock jumps.
  std::function<void(std::string_view)> step_hook();
  // `queue` as the functions see it: deliveries sometimes duplicated.
  std::unique_ptr<Queue> wrap(Queue& queue, const std::string& name);

  struct Stats {
    uint64_t crashes = 0, duplicates = 0, jumps = 0, delays = 0;
  };
  Stats stats() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace faaskeeper
