// Queue: a FIFO queue with message groups, deduplication and at-least-once delivery
// (SQS FIFO semantics).
//
// - Messages of one group are delivered in send order. While any message of a group is in
//   flight (received, not yet acked, visibility not expired), no later message of that group
//   is delivered, so a group is processed by one consumer at a time.
// - A send whose dedup id equals one sent within the dedup window is accepted but not
//   enqueued again; it returns the first send's sequence number.
// - A received message that is not acked becomes visible again after the visibility timeout
//   (or at once after release()), and is redelivered with delivery_count + 1.
// - Sequence numbers are strictly increasing per queue, but not dense.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "faaskeeper/error.h"

namespace faaskeeper {

struct QueueMessage {
  std::string group;
  std::string dedup_id;
  std::string body;
  uint64_t sequence = 0;
  std::string receipt;     // handle for ack()/release() of this delivery
  int delivery_count = 1;  // 1 on the first delivery
};

class Queue {
 public:
  virtual ~Queue() = default;

  // Enqueues durably. Returns the message's sequence number.
  virtual Result<uint64_t> send(const std::string& group, const std::string& dedup_id,
                                const std::string& body) = 0;

  // Up to `max` visible messages, waiting up to `wait` for the first one. Messages of one group
  // come out in order; the returned batch may mix groups (each group's messages contiguous).
  // An empty vector means none arrived in time.
  virtual Result<std::vector<QueueMessage>> receive(size_t max, std::chrono::milliseconds wait,
                                                    std::chrono::milliseconds visibility) = 0;

  // Deletes delivered messages for good. Acking an expired or unknown receipt is OK (no-op).
  virtual Status ack(const std::vector<std::string>& receipts) = 0;

  // Makes a delivered message visible again at once (a failed invocation).
  virtual Status release(const std::string& receipt) = 0;

  // Wakes receivers blocked in receive() so a runtime can shut down promptly.
  virtual void interrupt() = 0;
};

}  // namespace faaskeeper
