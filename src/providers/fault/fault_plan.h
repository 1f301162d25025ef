// FaultPlan: what the fault-injecting provider wrappers (providers/fault/faulty_*.h) do to the
// calls passing through them. One plan is shared by any number of wrappers; tests change it at
// any time from any thread.
//
// Every wrapped call has an op name "<wrapper name>.<method>" (e.g. "system.update",
// "writer_queue.receive", "channel.send") and a detail string (the key, path(s), group or
// session id the call is about; see each wrapper). A rule applies to the calls whose op equals
// its `op` (or starts with it, when `op` ends in '*'; "*" matches everything) and whose detail
// passes its optional `match`. Of those calls it lets the first `skip` through, then affects
// the next `times` (-1: all of them). Rules are independent and each counts its own calls.
//
// Faults:
//   Fail        the call returns `status` and is not performed.
//   CrashBefore the call throws FunctionCrash and is not performed.
//   CrashAfter  the call is performed, then throws FunctionCrash (its result is lost).
//   Delay       the call waits `delay` (through the plan's sleep function) before running.
//   Drop        a Status-returning call (ack, release, user.write, channel.send) reports OK
//               without being performed (a lost ack, a lost notification). Ignored elsewhere.
//   Duplicate   only on "<queue>.deliver", evaluated once per message a receive() returns
//               (detail = the message's group): the message is delivered again by the next
//               receive() call, ahead of new messages, with delivery_count + 1 (see FaultyQueue).
// Delays of every firing rule add up; a crash or failure of the first firing rule wins.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "faaskeeper/error.h"

namespace faaskeeper {

enum class FaultKind { Fail, CrashBefore, CrashAfter, Delay, Drop, Duplicate };

struct FaultRule {
  std::string op;
  FaultKind kind = FaultKind::Fail;
  std::function<bool(const std::string& detail)> match;  // empty: every detail
  int64_t skip = 0;
  int64_t times = 1;                  // -1: unlimited
  Status status{Error::SystemError, "injected failure"};  // Fail (must not be OK)
  std::chrono::milliseconds delay{0};  // Delay
};

// What a wrapper must do with one call.
struct FaultDecision {
  std::optional<Status> fail;
  bool crash_before = false;
  bool crash_after = false;
  bool drop = false;
  bool duplicate = false;
  std::chrono::milliseconds delay{0};
};

class FaultPlan {
 public:
  using SleepFn = std::function<void(std::chrono::milliseconds)>;

  FaultPlan();

  // Adds a rule; returns its id (for fired()). A Fail rule with an OK status gets SystemError.
  size_t add(FaultRule rule);

  // Shorthands. `n` is 1-based: the n-th matching call from now on.
  size_t fail_nth(const std::string& op, int64_t n, Status status);
  size_t fail_all(const std::string& op, Status status);
  size_t crash_before(const std::string& op, int64_t n = 1);
  size_t crash_after(const std::string& op, int64_t n = 1);
  size_t delay(const std::string& op, std::chrono::milliseconds d, int64_t times = -1);
  // The n-th message delivered by `queue` from now on is delivered twice.
  size_t duplicate_delivery(const std::string& queue, int64_t n = 1);
  // The next `times` ack calls of `queue` are lost (so the messages come back after visibility).
  size_t drop_acks(const std::string& queue, int64_t times = -1);

  // Removes every rule (call counters stay).
  void clear();

  // How often rule `id` fired so far.
  int64_t fired(size_t id) const;
  // How many calls with op name `op` the wrappers saw (whether or not a rule fired).
  int64_t calls(const std::string& op) const;

  // The function delays use; default std::this_thread::sleep_for. Tests inject a fake.
  void set_sleep(SleepFn sleep);
  void sleep(std::chrono::milliseconds d) const;

  // Called by wrappers once per call: counts it and returns what to do.
  FaultDecision on_call(const std::string& op, const std::string& detail);

 private:
  struct Entry {
    FaultRule rule;
    int64_t seen = 0;   // matching calls so far
    int64_t fired = 0;  // calls affected so far
  };
  mutable std::mutex mu_;
  std::vector<Entry> rules_;  // index = rule id; cleared rules stay as inert tombstones
  std::vector<bool> live_;
  std::map<std::string, int64_t> calls_;
  SleepFn sleep_;
};

}  // namespace faaskeeper
