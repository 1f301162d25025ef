#include "providers/fault/faulty_queue.h"

#include "providers/fault/fault_call.h"

namespace faaskeeper {

using fault_detail::run;

namespace {
const std::string kDupPrefix = "fault-dup/";
bool is_duplicate_receipt(const std::string& r) { return r.compare(0, kDupPrefix.size(), kDupPrefix) == 0; }
}  // namespace

FaultyQueue::FaultyQueue(Queue& inner, FaultPlan& plan, std::string name)
    : inner_(inner), plan_(plan), name_(std::move(name)) {}

FaultyQueue::FaultyQueue(std::shared_ptr<Queue> inner, std::shared_ptr<FaultPlan> plan, std::string name)
    : owned_inner_(std::move(inner)),
      owned_plan_(std::move(plan)),
      inner_(*owned_inner_),
      plan_(*owned_plan_),
      name_(std::move(name)) {}

Result<uint64_t> FaultyQueue::send(const std::string& group, const std::string& dedup_id,
                                   const std::string& body) {
  return run<Result<uint64_t>>(plan_, name_ + ".send", group,
                               [&] { return inner_.send(group, dedup_id, body); });
}

Result<std::vector<QueueMessage>> FaultyQueue::receive_now(size_t max, std::chrono::milliseconds wait,
                                                           std::chrono::milliseconds visibility) {
  std::vector<QueueMessage> out;
  {
    std::lock_guard lock(mu_);
    while (!duplicates_.empty() && out.size() < max) {
      out.push_back(std::move(duplicates_.front()));
      duplicates_.pop_front();
    }
  }
  size_t room = max - out.size();
  if (room > 0 || max == 0) {
    // With duplicates in hand there is something to return: do not block for more.
    auto r = inner_.receive(max == 0 ? 0 : room, out.empty() ? wait : std::chrono::milliseconds(0),
                            visibility);
    if (!r.ok()) {
      std::lock_guard lock(mu_);
      for (auto it = out.rbegin(); it != out.rend(); ++it) duplicates_.push_front(std::move(*it));
      return r.status();
    }
    for (auto& m : *r) {
      if (plan_.on_call(name_ + ".deliver", m.group).duplicate) {
        QueueMessage copy = m;
        copy.delivery_count += 1;
        std::lock_guard lock(mu_);
        copy.receipt = kDupPrefix + std::to_string(++dup_counter_) + "/" + m.receipt;
        duplicates_.push_back(std::move(copy));
      }
      out.push_back(std::move(m));
    }
  }
  return out;
}

Result<std::vector<QueueMessage>> FaultyQueue::receive(size_t max, std::chrono::milliseconds wait,
                                                       std::chrono::milliseconds visibility) {
  return run<Result<std::vector<QueueMessage>>>(plan_, name_ + ".receive", "",
                                                [&] { return receive_now(max, wait, visibility); });
}

Status FaultyQueue::ack(const std::vector<std::string>& receipts) {
  std::string detail;
  std::vector<std::string> real;
  for (const auto& r : receipts) {
    if (!detail.empty()) detail += ' ';
    detail += r;
    if (!is_duplicate_receipt(r)) real.push_back(r);
  }
  return run<Status>(plan_, name_ + ".ack", detail,
                     [&] { return real.empty() ? Status::OK() : inner_.ack(real); }, true);
}

Status FaultyQueue::release(const std::string& receipt) {
  return run<Status>(plan_, name_ + ".release", receipt, [&] {
    return is_duplicate_receipt(receipt) ? Status::OK() : inner_.release(receipt);
  }, true);
}

void FaultyQueue::interrupt() { inner_.interrupt(); }

size_t FaultyQueue::pending_duplicates() const {
  std::lock_guard lock(mu_);
  return duplicates_.size();
}

}  // namespace faaskeeper
