// MemoryQueue: an in-process, thread-safe Queue with SQS FIFO semantics (see providers/queue.h).
//
// Time for visibility timeouts and the dedup window comes from the injected Clock, so tests
// drive them with a ManualClock. The `wait` of receive() is real (steady) time: a receiver
// blocks on a condition variable and wakes on send/ack/release/interrupt, at the deadline, or
// when the earliest in-flight message's visibility ends by the Clock (re-checked at least
// every kMaxIdlePoll while messages are in flight, so a ManualClock advanced by a test is seen).
//
// interrupt() is sticky: from then on receive() returns an empty batch at once, so a runtime
// that interrupts during shutdown can never miss the wake-up.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "providers/clock.h"
#include "providers/memory/fifo_core.h"
#include "providers/queue.h"

namespace faaskeeper {

struct MemoryQueueOptions {
  int64_t dedup_window_ms = 5 * 60 * 1000;  // SQS: 5 minutes
};

class MemoryQueue final : public Queue {
 public:
  // `clock` must outlive the queue.
  explicit MemoryQueue(Clock& clock, MemoryQueueOptions options = {});
  // Uses the system clock.
  MemoryQueue();

  Result<uint64_t> send(const std::string& group, const std::string& dedup_id,
                        const std::string& body) override;
  // BadArguments when max == 0 or visibility < 0.
  Result<std::vector<QueueMessage>> receive(size_t max, std::chrono::milliseconds wait,
                                            std::chrono::milliseconds visibility) override;
  Status ack(const std::vector<std::string>& receipts) override;
  Status release(const std::string& receipt) override;
  void interrupt() override;

  // Unacked messages, in flight or not (for tests and metrics).
  size_t size() const;

  static constexpr std::chrono::milliseconds kMaxIdlePoll{50};

 private:
  Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  FifoCore core_;
  bool interrupted_ = false;
};

}  // namespace faaskeeper
