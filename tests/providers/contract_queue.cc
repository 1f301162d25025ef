// Queue contract (providers/queue.h): SQS FIFO semantics.
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "contract.h"

namespace faaskeeper::contract {
namespace {

using std::chrono::milliseconds;
using Clk = std::chrono::steady_clock;
constexpr milliseconds kLong{60'000};  // a visibility that never ends within a test

class Q {
 public:
  explicit Q(Queue& q) : q_(q) {}
  uint64_t send(const std::string& g, const std::string& d, const std::string& b) {
    auto r = q_.send(g, d, b);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? *r : 0;
  }
  std::vector<QueueMessage> now(size_t max = 10, milliseconds vis = kLong) {
    auto r = q_.receive(max, milliseconds(0), vis);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? *r : std::vector<QueueMessage>{};
  }
  // Polls until a non-empty batch arrives or 10 s pass (then the batch is empty).
  std::vector<QueueMessage> some(size_t max = 10, milliseconds vis = kLong) {
    auto deadline = Clk::now() + std::chrono::seconds(10);
    while (Clk::now() < deadline) {
      auto r = q_.receive(max, milliseconds(200), vis);
      EXPECT_TRUE(r.ok()) << r.status().to_string();
      if (!r.ok()) break;
      if (!r->empty()) return *r;
    }
    return {};
  }
  QueueMessage one(milliseconds vis = kLong) {
    auto b = some(1, vis);
    EXPECT_EQ(b.size(), 1u);
    return b.empty() ? QueueMessage{} : b[0];
  }
  void ack(std::vector<std::string> receipts) {
    Status s = q_.ack(receipts);
    EXPECT_TRUE(s.ok()) << s.to_string();
  }
  // Receives (acking each batch) until `n` messages came or 10 s passed.
  std::vector<QueueMessage> drain(size_t n) {
    std::vector<QueueMessage> all;
    auto deadline = Clk::now() + std::chrono::seconds(10);
    while (all.size() < n && Clk::now() < deadline) {
      auto b = some(10);
      std::vector<std::string> rs;
      for (auto& m : b) {
        rs.push_back(m.receipt);
        all.push_back(m);
      }
      if (!rs.empty()) ack(rs);
    }
    return all;
  }

 private:
  Queue& q_;
};

std::vector<std::string> bodies(const std::vector<QueueMessage>& ms) {
  std::vector<std::string> out;
  for (auto& m : ms) out.push_back(m.body);
  return out;
}

TEST_P(QueueContract, ReceivedMessageCarriesItsFields) {
  Q q(*queue);
  uint64_t seq = q.send("g1", "d1", std::string("body\0bin", 8));
  auto m = q.one();
  EXPECT_EQ(m.group, "g1");
  EXPECT_EQ(m.dedup_id, "d1");
  EXPECT_EQ(m.body, std::string("body\0bin", 8));
  EXPECT_EQ(m.sequence, seq);
  EXPECT_EQ(m.delivery_count, 1);
  EXPECT_FALSE(m.receipt.empty());
}

TEST_P(QueueContract, SequenceNumbersStrictlyIncrease) {
  Q q(*queue);
  std::map<std::string, uint64_t> sent;  // body -> sequence
  uint64_t last = 0;
  for (int i = 0; i < 30; ++i) {
    std::string body = "m" + std::to_string(i);
    uint64_t s = q.send("g" + std::to_string(i % 3), "d" + std::to_string(i), body);
    EXPECT_GT(s, last);
    last = s;
    sent[body] = s;
  }
  auto got = q.drain(30);
  ASSERT_EQ(got.size(), 30u);
  for (auto& m : got) EXPECT_EQ(m.sequence, sent[m.body]) << m.body;
}

TEST_P(QueueContract, FifoWithinGroup) {
  Q q(*queue);
  for (int i = 0; i < 8; ++i) q.send("g", "d" + std::to_string(i), std::to_string(i));
  EXPECT_EQ(bodies(q.drain(8)), (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7"}));
}

TEST_P(QueueContract, GroupIsBlockedWhileAMessageIsInFlight) {
  Q q(*queue);
  q.send("g", "d1", "1");
  q.send("g", "d2", "2");
  auto first = q.some(1);
  ASSERT_EQ(bodies(first), std::vector<std::string>{"1"});
  EXPECT_TRUE(q.now().empty());  // "2" must wait for "1"
  q.ack({first[0].receipt});
  auto second = q.one();
  EXPECT_EQ(second.body, "2");
  EXPECT_EQ(second.delivery_count, 1);
}

TEST_P(QueueContract, GroupIsBlockedUntilEveryMessageOfABatchIsDone) {
  Q q(*queue);
  for (int i = 1; i <= 3; ++i) q.send("g", "d" + std::to_string(i), std::to_string(i));
  auto batch = q.some(2);
  ASSERT_GE(batch.size(), 1u);
  ASSERT_EQ(batch[0].body, "1");
  if (batch.size() == 2) {
    EXPECT_EQ(batch[1].body, "2");
    q.ack({batch[0].receipt});
    EXPECT_TRUE(q.now().empty());  // "2" still in flight
    q.ack({batch[1].receipt});
    EXPECT_EQ(q.one().body, "3");
  }
}

TEST_P(QueueContract, DifferentGroupsAreDeliveredInParallel) {
  Q q(*queue);
  q.send("a", "a1", "a1");
  q.send("b", "b1", "b1");
  q.send("a", "a2", "a2");
  auto m1 = q.one();
  EXPECT_EQ(m1.body, "a1");  // oldest head first
  auto m2 = q.one();         // a is blocked, b is not
  EXPECT_EQ(m2.body, "b1");
  EXPECT_TRUE(q.now().empty());
  q.ack({m1.receipt});
  EXPECT_EQ(q.one().body, "a2");
}

TEST_P(QueueContract, BatchesKeepEachGroupContiguousAndInOrder) {
  Q q(*queue);
  for (const char* b : {"a1", "b1", "a2", "b2", "c1", "a3"}) q.send(std::string(1, b[0]), b, b);
  std::map<std::string, std::vector<std::string>> per_group;
  size_t total = 0;
  auto deadline = Clk::now() + std::chrono::seconds(10);
  while (total < 6 && Clk::now() < deadline) {
    auto batch = q.some(10);
    std::set<std::string> closed;  // groups whose run in this batch ended
    std::string prev;
    std::vector<std::string> rs;
    for (auto& m : batch) {
      if (m.group != prev) {
        EXPECT_EQ(closed.count(m.group), 0u) << "group " << m.group << " not contiguous";
        if (!prev.empty()) closed.insert(prev);
        prev = m.group;
      }
      per_group[m.group].push_back(m.body);
      rs.push_back(m.receipt);
      ++total;
    }
    if (!rs.empty()) q.ack(rs);
  }
  EXPECT_EQ(per_group["a"], (std::vector<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(per_group["b"], (std::vector<std::string>{"b1", "b2"}));
  EXPECT_EQ(per_group["c"], (std::vector<std::string>{"c1"}));
}

TEST_P(QueueContract, MaxBoundsTheBatch) {
  Q q(*queue);
  for (int i = 0; i < 5; ++i) q.send("g" + std::to_string(i), "d" + std::to_string(i), "x");
  auto b = q.some(2);
  EXPECT_GE(b.size(), 1u);
  EXPECT_LE(b.size(), 2u);
}

TEST_P(QueueContract, DuplicateWithinWindowIsAcceptedButNotEnqueued) {
  Q q(*queue);
  uint64_t s1 = q.send("g", "dup", "first");
  uint64_t s2 = q.send("g", "dup", "second");
  EXPECT_EQ(s2, s1);
  auto m = q.one();
  EXPECT_EQ(m.body, "first");
  q.ack({m.receipt});
  // Still a duplicate after the first was consumed.
  EXPECT_EQ(q.send("g", "dup", "third"), s1);
  EXPECT_TRUE(q.now().empty());
}

TEST_P(QueueContract, DeduplicationSpansGroups) {
  Q q(*queue);
  uint64_t s1 = q.send("g1", "same", "x");
  EXPECT_EQ(q.send("g2", "same", "y"), s1);
  auto got = q.drain(1);
  EXPECT_EQ(bodies(got), std::vector<std::string>{"x"});
  EXPECT_TRUE(q.now().empty());
}

TEST_P(QueueContract, DedupWindowIsFiveMinutesFromTheFirstSend) {
  if (!GetParam().queue_follows_clock) GTEST_SKIP() << "dedup window needs a controllable clock";
  Q q(*queue);
  constexpr int64_t kWindow = 5 * 60 * 1000;
  uint64_t s1 = q.send("g", "d", "first");
  advance(kWindow - 1);
  EXPECT_EQ(q.send("g", "d", "dup"), s1);  // a duplicate does not extend the window
  advance(1);
  uint64_t s2 = q.send("g", "d", "again");
  EXPECT_GT(s2, s1);
  EXPECT_EQ(bodies(q.drain(2)), (std::vector<std::string>{"first", "again"}));
}

TEST_P(QueueContract, UnackedMessageIsRedeliveredAfterVisibilityTimeout) {
  Q q(*queue);
  const auto vis = GetParam().visibility;
  uint64_t seq = q.send("g", "d", "m");
  q.send("g", "d2", "next");
  auto first = q.one(vis);
  EXPECT_EQ(first.body, "m");
  if (GetParam().queue_follows_clock) {
    advance(vis.count() - 1);
    EXPECT_TRUE(q.now(10, vis).empty());
    advance(1);
  } else {
    advance(vis.count());
  }
  auto again = q.one(vis);
  EXPECT_EQ(again.body, "m");  // not "next": order holds across redelivery
  EXPECT_EQ(again.sequence, seq);
  EXPECT_EQ(again.delivery_count, 2);
  EXPECT_NE(again.receipt, first.receipt);
}

TEST_P(QueueContract, AckOfExpiredReceiptDoesNotDelete) {
  Q q(*queue);
  const auto vis = GetParam().visibility;
  q.send("g", "d", "m");
  auto first = q.one(vis);
  advance(vis.count());
  q.ack({first.receipt});  // OK, but too late
  auto again = q.one();
  EXPECT_EQ(again.body, "m");
  EXPECT_EQ(again.delivery_count, 2);
}

TEST_P(QueueContract, AckOfSupersededReceiptDoesNotDelete) {
  Q q(*queue);
  const auto vis = GetParam().visibility;
  q.send("g", "d", "m");
  auto first = q.one(vis);
  advance(vis.count());
  auto second = q.one();
  ASSERT_EQ(second.delivery_count, 2);
  q.ack({first.receipt});
  ASSERT_TRUE(queue->release(second.receipt).ok());
  auto third = q.one();
  EXPECT_EQ(third.body, "m");
  EXPECT_EQ(third.delivery_count, 3);
}

TEST_P(QueueContract, ReleaseMakesTheMessageVisibleAtOnceKeepingOrder) {
  Q q(*queue);
  q.send("g", "d1", "1");
  q.send("g", "d2", "2");
  auto m = q.one();
  ASSERT_EQ(m.body, "1");
  ASSERT_TRUE(queue->release(m.receipt).ok());
  auto again = q.one();
  EXPECT_EQ(again.body, "1");
  EXPECT_EQ(again.delivery_count, 2);
  ASSERT_TRUE(queue->release(again.receipt).ok());
  EXPECT_EQ(q.one().delivery_count, 3);
}

TEST_P(QueueContract, UnknownReceiptsAreNoOps) {
  Q q(*queue);
  EXPECT_TRUE(queue->ack({"bogus", "", "1-2-3"}).ok());
  EXPECT_TRUE(queue->release("bogus").ok());
  q.send("g", "d", "m");
  auto m = q.one();
  EXPECT_TRUE(queue->ack({"not-" + m.receipt}).ok());
  EXPECT_TRUE(q.now().empty());  // still in flight: the bogus ack did not touch it
  q.ack({m.receipt});
  q.ack({m.receipt});  // acking twice is fine
}

TEST_P(QueueContract, AckedMessagesNeverReturn) {
  Q q(*queue);
  const auto vis = GetParam().visibility;
  for (int i = 0; i < 3; ++i) q.send("g" + std::to_string(i), "d" + std::to_string(i), "m");
  std::vector<std::string> rs;
  auto deadline = Clk::now() + std::chrono::seconds(10);
  while (rs.size() < 3 && Clk::now() < deadline)
    for (auto& m : q.some(10, vis)) rs.push_back(m.receipt);
  ASSERT_EQ(rs.size(), 3u);
  q.ack(rs);  // one call, several receipts
  advance(2 * vis.count());
  EXPECT_TRUE(q.now(10, vis).empty());
}

TEST_P(QueueContract, ReceiveWaitsForASend) {
  Q q(*queue);
  std::promise<std::vector<QueueMessage>> got;
  auto start = Clk::now();
  std::thread t([&] {
    auto r = queue->receive(1, std::chrono::seconds(20), kLong);
    got.set_value(r.ok() ? *r : std::vector<QueueMessage>{});
  });
  q.send("g", "d", "wake");
  auto batch = got.get_future().get();
  t.join();
  EXPECT_EQ(bodies(batch), std::vector<std::string>{"wake"});
  EXPECT_LT(Clk::now() - start, std::chrono::seconds(10));
}

TEST_P(QueueContract, ReceiveReturnsEmptyAfterWait) {
  auto start = Clk::now();
  auto r = queue->receive(1, milliseconds(200), kLong);
  auto took = Clk::now() - start;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  if (GetParam().queue_follows_clock) {
    EXPECT_GE(took, milliseconds(190));
  }
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_P(QueueContract, InterruptWakesABlockedReceive) {
  auto start = Clk::now();
  std::promise<bool> empty;
  std::thread t([&] {
    auto r = queue->receive(1, std::chrono::seconds(30), kLong);
    empty.set_value(r.ok() && r->empty());
  });
  queue->interrupt();
  auto f = empty.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  t.join();
  EXPECT_TRUE(f.get());
  EXPECT_LT(Clk::now() - start, std::chrono::seconds(10));
  // Later receivers do not block either (interrupt is for shutdown).
  auto later = Clk::now();
  auto r = queue->receive(1, std::chrono::seconds(30), kLong);
  EXPECT_TRUE(r.ok());
  EXPECT_LT(Clk::now() - later, std::chrono::seconds(10));
}

// Several consumers: every message is processed exactly once, each group in send order, and
// never by two consumers at the same time.
TEST_P(QueueContract, ParallelConsumersKeepGroupsExclusiveAndOrdered) {
  constexpr int kGroups = 6, kPerGroup = 30, kConsumers = 4;
  Q q(*queue);
  for (int i = 0; i < kPerGroup; ++i)
    for (int g = 0; g < kGroups; ++g)
      q.send("g" + std::to_string(g), std::to_string(g) + "/" + std::to_string(i), std::to_string(i));
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> seen;
  std::map<std::string, int> active;
  std::atomic<int> processed{0}, overlaps{0}, errors{0};
  auto deadline = Clk::now() + std::chrono::seconds(30);
  std::vector<std::thread> consumers;
  for (int c = 0; c < kConsumers; ++c)
    consumers.emplace_back([&] {
      while (processed.load() < kGroups * kPerGroup && Clk::now() < deadline) {
        auto r = queue->receive(3, milliseconds(50), kLong);
        if (!r.ok()) { ++errors; return; }
        std::vector<std::string> rs;
        std::set<std::string> groups;
        for (auto& m : *r) groups.insert(m.group);
        {
          std::lock_guard lock(mu);
          for (auto& g : groups)
            if (++active[g] > 1) ++overlaps;
          for (auto& m : *r) seen[m.group].push_back(m.body);
        }
        std::this_thread::yield();  // widen the window in which an overlap would show
        {
          std::lock_guard lock(mu);
          for (auto& g : groups) --active[g];
          for (auto& m : *r) rs.push_back(m.receipt);
        }
        if (!rs.empty() && !queue->ack(rs).ok()) ++errors;
        processed += static_cast<int>(r->size());
      }
    });
  for (auto& t : consumers) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(processed.load(), kGroups * kPerGroup);
  std::vector<std::string> want;
  for (int i = 0; i < kPerGroup; ++i) want.push_back(std::to_string(i));
  for (int g = 0; g < kGroups; ++g) EXPECT_EQ(seen["g" + std::to_string(g)], want) << "group " << g;
}

}  // namespace
}  // namespace faaskeeper::contract
