// FaultyQueue: forwards to a wrapped Queue, injecting the faults of a FaultPlan (see
// fault_plan.h).
//
// Op names and details:
//   "<name>.send"     detail = group        Fail / CrashBefore / CrashAfter / Delay
//   "<name>.receive"  detail = ""           Fail / CrashBefore / CrashAfter / Delay
//                                           (CrashAfter: the batch is in flight but lost, so it
//                                           comes back after its visibility timeout)
//   "<name>.deliver"  detail = group        Duplicate, once per message receive() returns
//   "<name>.ack"      detail = receipts     Fail / Crash* / Delay / Drop (lost ack: redelivery)
//   "<name>.release"  detail = receipt      Fail / Crash* / Delay / Drop
// interrupt() is forwarded untouched.
//
// Duplicate delivery: a duplicated message is handed out once more by the next receive() call
// (from any consumer), in front of whatever the wrapped queue returns, with the same group,
// dedup id, body and sequence, delivery_count + 1 and a receipt of its own. Acking or
// releasing that receipt is a no-op (the wrapped queue never knew the copy). This is the
// at-least-once hazard of a message coming back after (or while) it was processed.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "providers/fault/fault_plan.h"
#include "providers/queue.h"

namespace faaskeeper {

class FaultyQueue final : public Queue {
 public:
  FaultyQueue(Queue& inner, FaultPlan& plan, std::string name = "queue");
  FaultyQueue(std::shared_ptr<Queue> inner, std::shared_ptr<FaultPlan> plan,
              std::string name = "queue");

  Result<uint64_t> send(const std::string& group, const std::string& dedup_id,
                        const std::string& body) override;
  Result<std::vector<QueueMessage>> receive(size_t max, std::chrono::milliseconds wait,
                                            std::chrono::milliseconds visibility) override;
  Status ack(const std::vector<std::string>& receipts) override;
  Status release(const std::string& receipt) override;
  void interrupt() override;

  // Duplicates waiting for the next receive().
  size_t pending_duplicates() const;

 private:
  Result<std::vector<QueueMessage>> receive_now(size_t max, std::chrono::milliseconds wait,
                                                std::chrono::milliseconds visibility);

  std::shared_ptr<Queue> owned_inner_;
  std::shared_ptr<FaultPlan> owned_plan_;
  Queue& inner_;
  FaultPlan& plan_;
  std::string name_;
  mutable std::mutex mu_;
  std::deque<QueueMessage> duplicates_;
  uint64_t dup_counter_ = 0;
};

}  // namespace faaskeeper
