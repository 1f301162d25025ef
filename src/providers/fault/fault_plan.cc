#include "providers/fault/fault_plan.h"

#include <thread>

namespace faaskeeper {

namespace {
bool op_matches(const std::string& pattern, const std::string& op) {
  if (!pattern.empty() && pattern.back() == '*')
    return op.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
  return pattern == op;
}
}  // namespace

FaultPlan::FaultPlan() : sleep_([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }) {}

size_t FaultPlan::add(FaultRule rule) {
  if (rule.kind == FaultKind::Fail && rule.status.ok())
    rule.status = Status(Error::SystemError, "injected failure");
  std::lock_guard lock(mu_);
  rules_.push_back(Entry{std::move(rule)});
  live_.push_back(true);
  return rules_.size() - 1;
}

size_t FaultPlan::fail_nth(const std::string& op, int64_t n, Status status) {
  FaultRule r{op, FaultKind::Fail};
  r.skip = n - 1;
  r.status = std::move(status);
  return add(std::move(r));
}

size_t FaultPlan::fail_all(const std::string& op, Status status) {
  FaultRule r{op, FaultKind::Fail};
  r.times = -1;
  r.status = std::move(status);
  return add(std::move(r));
}

size_t FaultPlan::crash_before(const std::string& op, int64_t n) {
  FaultRule r{op, FaultKind::CrashBefore};
  r.skip = n - 1;
  return add(std::move(r));
}

size_t FaultPlan::crash_after(const std::string& op, int64_t n) {
  FaultRule r{op, FaultKind::CrashAfter};
  r.skip = n - 1;
  return add(std::move(r));
}

size_t FaultPlan::delay(const std::string& op, std::chrono::milliseconds d, int64_t times) {
  FaultRule r{op, FaultKind::Delay};
  r.times = times;
  r.delay = d;
  return add(std::move(r));
}

size_t FaultPlan::duplicate_delivery(const std::string& queue, int64_t n) {
  FaultRule r{queue + ".deliver", FaultKind::Duplicate};
  r.skip = n - 1;
  return add(std::move(r));
}

size_t FaultPlan::drop_acks(const std::string& queue, int64_t times) {
  FaultRule r{queue + ".ack", FaultKind::Drop};
  r.times = times;
  return add(std::move(r));
}

void FaultPlan::clear() {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < live_.size(); ++i) live_[i] = false;
}

int64_t FaultPlan::fired(size_t id) const {
  std::lock_guard lock(mu_);
  return id < rules_.size() ? rules_[id].fired : 0;
}

int64_t FaultPlan::calls(const std::string& op) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(op);
  return it == calls_.end() ? 0 : it->second;
}

void FaultPlan::set_sleep(SleepFn sleep) {
  std::lock_guard lock(mu_);
  sleep_ = std::move(sleep);
}

void FaultPlan::sleep(std::chrono::milliseconds d) const {
  SleepFn fn;
  {
    std::lock_guard lock(mu_);
    fn = sleep_;
  }
  fn(d);
}

FaultDecision FaultPlan::on_call(const std::string& op, const std::string& detail) {
  FaultDecision d;
  std::lock_guard lock(mu_);
  ++calls_[op];
  bool decided = false;  // a failure or crash already chosen
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!live_[i]) continue;
    Entry& e = rules_[i];
    if (!op_matches(e.rule.op, op)) continue;
    if (e.rule.match && !e.rule.match(detail)) continue;
    int64_t idx = e.seen++;
    if (idx < e.rule.skip) continue;
    if (e.rule.times >= 0 && e.fired >= e.rule.times) continue;
    switch (e.rule.kind) {
      case FaultKind::Delay:
        d.delay += e.rule.delay;
        break;
      case FaultKind::Drop:
        d.drop = true;
        break;
      case FaultKind::Duplicate:
        d.duplicate = true;
        break;
      case FaultKind::Fail:
        if (decided) continue;  // does not fire: leave it for a later call
        d.fail = e.rule.status;
        decided = true;
        break;
      case FaultKind::CrashBefore:
        if (decided) continue;
        d.crash_before = true;
        decided = true;
        break;
      case FaultKind::CrashAfter:
        if (decided) continue;
        d.crash_after = true;
        decided = true;
        break;
    }
    ++e.fired;
  }
  return d;
}

}  // namespace faaskeeper
