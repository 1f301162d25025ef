// FifoCore: the SQS-FIFO state machine shared by the in-memory and the local (durable) queue.
//
// Not thread-safe and time-free: callers lock around it and pass the current time (ms from
// their injected Clock) into every call. Durability is the caller's business; FifoCore only
// reports what changed (sequence assigned, message deleted) so a durable queue can log it.
//
// Invariants:
//  - records_ holds every message not yet acked, keyed by its sequence number.
//  - groups_[g].pending lists the group's unacked sequence numbers in send order.
//  - groups_[g].in_flight holds those of the group's messages that carry a live receipt
//    (delivered, not acked, not released). A group is deliverable only when every one of them
//    has passed its invisible_until; its messages then go out from the front, in order.
//  - a receipt is accepted (ack/release) only while now < invisible_until of that delivery.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "providers/queue.h"

namespace faaskeeper {

class FifoCore {
 public:
  // `dedup_window_ms`: a send whose dedup id was first sent less than this long ago is dropped.
  // `receipt_prefix`: distinguishes this instance's receipts from any earlier instance's (a
  // durable queue passes a fresh random value at every open).
  FifoCore(int64_t dedup_window_ms, uint64_t receipt_prefix);

  struct SendResult {
    uint64_t sequence = 0;
    bool enqueued = false;  // false: a duplicate within the window; `sequence` is the first's
  };
  // Enqueues a message (or recognises a duplicate). An empty dedup id disables deduplication.
  // Call expire_dedup(now_ms) first. A message sent with ready = false is not delivered (and
  // blocks its group) until mark_ready(); a durable queue uses that while it persists it.
  SendResult send(const std::string& group, const std::string& dedup_id, const std::string& body,
                  int64_t now_ms, bool ready = true);
  void mark_ready(uint64_t sequence);
  // Forgets an unacked message (a send whose persistence failed), and its dedup entry.
  void discard(uint64_t sequence);
  // Whether an unacked message with this sequence exists, and whether it is ready.
  bool contains(uint64_t sequence) const { return records_.count(sequence) != 0; }
  bool is_ready(uint64_t sequence) const;
  // Whether `dedup_id` is remembered as the dedup id of message `sequence`.
  bool is_known_duplicate(const std::string& dedup_id, uint64_t sequence) const;

  // Up to `max` deliverable messages, oldest group first, each group's messages contiguous and
  // in order. Each returned message is in flight until now_ms + visibility_ms.
  std::vector<QueueMessage> receive(size_t max, int64_t now_ms, int64_t visibility_ms);

  // Deletes the message of a live receipt; returns its sequence number. nullopt (and no
  // change) for an unknown, malformed, superseded or expired receipt.
  std::optional<uint64_t> ack(const std::string& receipt, int64_t now_ms);

  // Makes the message of a live receipt visible at once. False (no change) otherwise.
  bool release(const std::string& receipt, int64_t now_ms);

  // The earliest time (ms) at which an in-flight message becomes visible again, if any.
  std::optional<int64_t> next_expiry() const;

  // Number of unacked messages (in flight or not, ready or not).
  size_t size() const { return records_.size(); }

  // --- recovery (durable queues rebuild the state from their log) ---
  // Re-inserts an unacked message as visible, with `deliveries` earlier deliveries.
  void restore_message(uint64_t sequence, const std::string& group, const std::string& dedup_id,
                       const std::string& body, int deliveries);
  // Re-inserts a dedup entry first sent at `sent_ms`.
  void restore_dedup(const std::string& dedup_id, uint64_t sequence, int64_t sent_ms);
  // Sequence numbers handed out from now on are > `last`.
  void set_last_sequence(uint64_t last);
  uint64_t last_sequence() const { return last_seq_; }

  // Dedup entries first sent at or before `now_ms - window` are forgotten; returns their ids
  // (a durable queue deletes them from disk).
  std::vector<std::string> expire_dedup(int64_t now_ms);

 private:
  struct Record {
    std::string group;
    std::string dedup_id;
    std::string body;
    int deliveries = 0;       // completed deliveries so far
    std::string receipt;      // live receipt, empty when not in flight
    int64_t invisible_until = 0;
    bool ready = true;
  };
  struct Group {
    std::deque<uint64_t> pending;  // send order
    std::set<uint64_t> in_flight;
  };
  struct DedupEntry {
    uint64_t sequence;
    int64_t sent_ms;
  };

  // Clears expired receipts of `g`; true when nothing of it is in flight any more.
  bool settle(Group& g, int64_t now_ms);
  Record* live(const std::string& receipt, int64_t now_ms, uint64_t* seq);
  void erase_message(uint64_t seq);

  int64_t window_ms_;
  uint64_t receipt_prefix_;
  uint64_t receipt_counter_ = 0;
  uint64_t last_seq_ = 0;
  std::map<uint64_t, Record> records_;
  std::unordered_map<std::string, Group> groups_;
  std::unordered_map<std::string, DedupEntry> dedup_;
  std::deque<std::pair<int64_t, std::string>> dedup_order_;  // (sent_ms, id), send order
};

}  // namespace faaskeeper
