#include "providers/memory/memory_queue.h"

#include <algorithm>
#include <random>

namespace faaskeeper {

namespace {
SystemClock& system_clock() {
  static SystemClock clock;
  return clock;
}
uint64_t random_prefix() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}
}  // namespace

MemoryQueue::MemoryQueue(Clock& clock, MemoryQueueOptions options)
    : clock_(clock), core_(options.dedup_window_ms, random_prefix()) {}

MemoryQueue::MemoryQueue() : MemoryQueue(system_clock()) {}

Result<uint64_t> MemoryQueue::send(const std::string& group, const std::string& dedup_id,
                                   const std::string& body) {
  uint64_t seq;
  {
    std::lock_guard lock(mu_);
    int64_t now = clock_.now_ms();
    core_.expire_dedup(now);
    seq = core_.send(group, dedup_id, body, now).sequence;
  }
  cv_.notify_all();
  return seq;
}

Result<std::vector<QueueMessage>> MemoryQueue::receive(size_t max, std::chrono::milliseconds wait,
                                                       std::chrono::milliseconds visibility) {
  if (max == 0) return Status(Error::BadArguments, "receive: max must be at least 1");
  if (visibility.count() < 0) return Status(Error::BadArguments, "receive: negative visibility");
  auto deadline = std::chrono::steady_clock::now() + wait;
  std::unique_lock lock(mu_);
  for (;;) {
    if (interrupted_) return std::vector<QueueMessage>{};
    int64_t now = clock_.now_ms();
    auto out = core_.receive(max, now, visibility.count());
    if (!out.empty()) return out;
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return out;
    if (auto next = core_.next_expiry()) {
      auto until = std::chrono::milliseconds(std::max<int64_t>(1, *next - now));
      left = std::min<std::chrono::steady_clock::duration>(left, std::min(until, kMaxIdlePoll));
    }
    cv_.wait_for(lock, left);
  }
}

Status MemoryQueue::ack(const std::vector<std::string>& receipts) {
  {
    std::lock_guard lock(mu_);
    int64_t now = clock_.now_ms();
    for (const auto& r : receipts) core_.ack(r, now);
  }
  cv_.notify_all();
  return Status::OK();
}

Status MemoryQueue::release(const std::string& receipt) {
  {
    std::lock_guard lock(mu_);
    core_.release(receipt, clock_.now_ms());
  }
  cv_.notify_all();
  return Status::OK();
}

void MemoryQueue::interrupt() {
  {
    std::lock_guard lock(mu_);
    interrupted_ = true;
  }
  cv_.notify_all();
}

size_t MemoryQueue::size() const {
  std::lock_guard lock(mu_);
  return core_.size();
}

}  // namespace faaskeeper
