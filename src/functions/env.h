// What every function handler gets: the providers, a clock, tuning, and fault-injection hooks.
// Handlers keep no state between invocations; everything lives in the stores and queues.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "providers/client_channel.h"
#include "providers/clock.h"
#include "providers/queue.h"
#include "providers/system_store.h"
#include "providers/user_store.h"

namespace faaskeeper {

struct FunctionConfig {
  int64_t lease_ms = 10'000;        // how long a writer's lease on a node lasts
  int64_t lease_margin_ms = 1'000;  // a writer does not push with less lease than this left
  int lock_attempts = 20;           // tries for a busy lease before handing the message back
  int64_t lock_backoff_ms = 2;      // first back-off between tries (doubles up to the max)
  // A lease is held until the distributor commits (milliseconds locally, tens of them on a
  // cloud), and every try is a billed conditional write on DynamoDB: a deployment tunes both.
  int64_t lock_backoff_max_ms = 50;
};

// Messages of one invocation are acked on Done and handed back to the queue on Retry.
// Any exception escaping a handler is a crash of the function instance: nothing of the
// invocation is acked, and the queue redelivers after the visibility timeout.
enum class Outcome { Done, Retry };

inline const std::string kDistributorGroup = "distributor";
inline const std::string kWatchGroup = "watch";

struct FunctionEnv {
  SystemStore* system = nullptr;
  UserStore* user = nullptr;
  Queue* writer_queue = nullptr;
  Queue* distributor_queue = nullptr;
  Queue* watch_queue = nullptr;  // distributor -> watch function
  ClientChannel* channel = nullptr;
  Clock* clock = nullptr;
  FunctionConfig config;
  // Called at every named step ("writer.locked", "distributor.committed", ...); a test hook may
  // throw there to crash the function at that step.
  std::function<void(std::string_view step)> step_hook;
  // Sleeps for lease back-off; tests may replace it.
  std::function<void(int64_t ms)> sleep_ms;

  void step(std::string_view name) const {
    if (step_hook) step_hook(name);
  }
};

// Creates /, /zookeeper, /zookeeper/quota, /zookeeper/config and the txid counter in empty
// stores; does nothing when they exist. Idempotent and safe to repeat after a crash.
Status initialize_stores(SystemStore& system, UserStore& user, Clock& clock);

}  // namespace faaskeeper
