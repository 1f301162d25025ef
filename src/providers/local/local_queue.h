// LocalQueue: the durable Queue of the local deployment (SQS FIFO semantics, see
// providers/queue.h), stored in DIR/system next to the system store.
//
// Durability (the guarantees the crash tests check):
//  - send() returns once the message (and its dedup entry) is fdatasync'ed; a message is never
//    delivered before that, and later messages of its group wait for it.
//  - ack() returns once the deletion is fdatasync'ed: an acked message never comes back, even
//    after kill -9 or power loss.
//  - After a restart every unacked message is visible again at once (in-flight state is not
//    persisted; its consumer died with the process) and reports delivery_count >= 2 on its next
//    delivery, because it may have been delivered before the restart.
//  - Dedup entries survive restarts; the window is measured with the injected Clock (wall time
//    by default, so it spans restarts).
//  - Sequence numbers keep increasing across restarts (the last one is persisted).
// Concurrent sends/acks (from many threads) share commits through the environment's group
// commit. receive() is served from memory.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "providers/clock.h"
#include "providers/local/local_database.h"
#include "providers/memory/fifo_core.h"
#include "providers/queue.h"

namespace faaskeeper {

struct LocalQueueOptions {
  int64_t dedup_window_ms = 5 * 60 * 1000;
};

class LocalQueue final : public Queue {
 public:
  // Opens queue `name` (non-empty, no NUL) of `db`, restoring its unacked messages and dedup
  // entries. `clock` must outlive the queue. One LocalQueue per name and database at a time
  // (BadArguments otherwise).
  static Result<std::unique_ptr<LocalQueue>> open(std::shared_ptr<LocalDatabase> db, const std::string& name,
                                                  Clock& clock, LocalQueueOptions options = {});
  ~LocalQueue() override;

  Result<uint64_t> send(const std::string& group, const std::string& dedup_id,
                        const std::string& body) override;
  // BadArguments when max == 0 or visibility < 0. interrupt() is sticky, as in MemoryQueue.
  Result<std::vector<QueueMessage>> receive(size_t max, std::chrono::milliseconds wait,
                                            std::chrono::milliseconds visibility) override;
  Status ack(const std::vector<std::string>& receipts) override;
  Status release(const std::string& receipt) override;
  void interrupt() override;

  // Unacked messages (for tests and metrics).
  size_t size() const;

 private:
  LocalQueue(std::shared_ptr<LocalDatabase> db, std::string name, Clock& clock, LocalQueueOptions options);
  Status recover();
  std::string message_key(uint64_t seq) const;
  std::string dedup_key(const std::string& dedup_id) const;

  std::shared_ptr<LocalDatabase> db_;
  LmdbEnv& env_;
  MDB_dbi messages_, dedup_, meta_;
  std::string name_;
  Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  FifoCore core_;
  bool interrupted_ = false;
};

}  // namespace faaskeeper
