// The memory provider against the provider contract, plus behaviour specific to it.
#include <future>
#include <thread>

#include "providers/memory/fifo_core.h"
#include "providers/memory/memory_client_channel.h"
#include "providers/memory/memory_queue.h"
#include "providers/memory/memory_system_store.h"
#include "providers/memory/memory_user_store.h"
#include "tests/providers/contract.h"

namespace faaskeeper {
namespace {

contract::ProviderFactory memory_factory() {
  contract::ProviderFactory f;
  f.name = "memory";
  f.system_store = [] { return std::make_unique<MemorySystemStore>(); };
  f.user_store = [] { return std::make_unique<MemoryUserStore>(); };
  f.queue = [](Clock& clock) { return std::make_unique<MemoryQueue>(clock); };
  return f;
}

FK_INSTANTIATE_PROVIDER_CONTRACT(Memory, memory_factory());

using std::chrono::milliseconds;

TEST(MemoryQueue, OneReceiveReturnsEveryVisibleMessageUpToMax) {
  ManualClock clock;
  MemoryQueue q(clock);
  for (const char* b : {"a1", "b1", "a2", "b2", "c1"}) ASSERT_TRUE(q.send(std::string(1, b[0]), b, b).ok());
  auto r = q.receive(10, milliseconds(0), milliseconds(1000));
  ASSERT_TRUE(r.ok());
  std::vector<std::string> got;
  for (auto& m : *r) got.push_back(m.body);
  // Groups by age of their head (a, b, c); each group's run contiguous.
  EXPECT_EQ(got, (std::vector<std::string>{"a1", "a2", "b1", "b2", "c1"}));
  EXPECT_EQ(q.size(), 5u);
}

TEST(MemoryQueue, EmptyDedupIdDisablesDeduplication) {
  ManualClock clock;
  MemoryQueue q(clock);
  auto s1 = q.send("g", "", "x");
  auto s2 = q.send("g", "", "x");
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_LT(*s1, *s2);
  EXPECT_EQ(q.size(), 2u);
}

TEST(MemoryQueue, ConfigurableDedupWindow) {
  ManualClock clock;
  MemoryQueue q(clock, MemoryQueueOptions{1000});
  auto s1 = q.send("g", "d", "x");
  clock.advance(999);
  EXPECT_EQ(*q.send("g", "d", "x"), *s1);
  clock.advance(1);
  EXPECT_GT(*q.send("g", "d", "x"), *s1);
}

TEST(MemoryQueue, RejectsZeroMaxAndNegativeVisibility) {
  MemoryQueue q;
  EXPECT_EQ(q.receive(0, milliseconds(0), milliseconds(10)).code(), Error::BadArguments);
  EXPECT_EQ(q.receive(1, milliseconds(0), milliseconds(-1)).code(), Error::BadArguments);
}

// A receiver blocked while a message is in flight wakes up when the Clock passes the
// message's visibility, without any other event.
TEST(MemoryQueue, BlockedReceiverNoticesVisibilityExpiryByTheClock) {
  ManualClock clock;
  MemoryQueue q(clock);
  ASSERT_TRUE(q.send("g", "d", "m").ok());
  auto first = q.receive(1, milliseconds(0), milliseconds(1000));
  ASSERT_EQ(first->size(), 1u);
  std::promise<std::vector<QueueMessage>> got;
  std::thread t([&] { got.set_value(*q.receive(1, std::chrono::seconds(20), milliseconds(1000))); });
  clock.advance(1000);
  auto f = got.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  t.join();
  auto batch = f.get();
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0].delivery_count, 2);
}

TEST(MemoryQueue, ClockGoingBackwardsKeepsMessagesInFlight) {
  ManualClock clock;
  MemoryQueue q(clock);
  ASSERT_TRUE(q.send("g", "d", "m").ok());
  auto first = q.receive(1, milliseconds(0), milliseconds(1000));
  ASSERT_EQ(first->size(), 1u);
  clock.advance(-5000);
  EXPECT_TRUE(q.receive(1, milliseconds(0), milliseconds(1000))->empty());
  EXPECT_TRUE(q.ack({(*first)[0].receipt}).ok());
  EXPECT_EQ(q.size(), 0u);
}

// The hooks a durable queue uses while it persists a send.
TEST(FifoCore, UnreadyMessageBlocksItsGroupUntilMarkedReady) {
  FifoCore core(1000, 42);
  auto a = core.send("g", "a", "first", 0, /*ready=*/false);
  auto b = core.send("g", "b", "second", 0);
  auto c = core.send("h", "c", "other", 0);
  EXPECT_FALSE(core.is_ready(a.sequence));
  auto got = core.receive(10, 0, 100);
  ASSERT_EQ(got.size(), 1u);  // g waits for "first"; h is free
  EXPECT_EQ(got[0].body, "other");
  core.mark_ready(a.sequence);
  got = core.receive(10, 0, 100);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, "first");
  EXPECT_EQ(got[1].body, "second");
  EXPECT_LT(a.sequence, b.sequence);
  EXPECT_LT(b.sequence, c.sequence);
}

TEST(FifoCore, DiscardForgetsTheMessageAndItsDedupEntry) {
  FifoCore core(1000, 42);
  auto a = core.send("g", "id", "x", 0, false);
  EXPECT_TRUE(core.is_known_duplicate("id", a.sequence));
  EXPECT_FALSE(core.send("g", "id", "x", 0).enqueued);
  core.discard(a.sequence);
  EXPECT_FALSE(core.contains(a.sequence));
  EXPECT_FALSE(core.is_known_duplicate("id", a.sequence));
  auto again = core.send("g", "id", "x", 0);
  EXPECT_TRUE(again.enqueued);
  EXPECT_GT(again.sequence, a.sequence);
  EXPECT_EQ(core.size(), 1u);
}

TEST(FifoCore, RestoredMessagesKeepSequenceOrderAndCountEarlierDeliveries) {
  FifoCore core(1000, 7);
  core.restore_message(9, "g", "d9", "nine", 1);
  core.restore_message(4, "g", "d4", "four", 0);
  core.restore_dedup("d4", 4, 100);
  core.set_last_sequence(12);
  auto got = core.receive(10, 0, 100);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, "four");
  EXPECT_EQ(got[0].delivery_count, 1);
  EXPECT_EQ(got[1].body, "nine");
  EXPECT_EQ(got[1].delivery_count, 2);
  EXPECT_EQ(core.send("h", "d4", "dup", 500).sequence, 4u);
  EXPECT_EQ(core.send("h", "new", "n", 500).sequence, 13u);
  EXPECT_EQ(core.expire_dedup(1100), std::vector<std::string>{"d4"});
}

TEST(MemorySystemStore, ConfigurableTransactionLimit) {
  MemorySystemStore s;
  EXPECT_EQ(s.max_transaction_items(), kEmbeddedMaxTxnItems);
  s.set_max_transaction_items(3);
  std::vector<TxnOp> ops = {CheckOp{"a", {}}, CheckOp{"b", {}}, UpdateOp{"c", {}, {}}};
  EXPECT_TRUE(s.transact(ops)->committed);
  ops.push_back(UpdateOp{"d", {}, {}});
  EXPECT_EQ(s.transact(ops).code(), Error::BadArguments);
  EXPECT_FALSE(s.get("d")->has_value());
}

TEST(MemorySystemStore, SizeCountsItems) {
  MemorySystemStore s;
  ASSERT_TRUE(s.update(UpdateOp{"a", {}, {Action::set("v", int64_t{1})}}).ok());
  ASSERT_TRUE(s.update(UpdateOp{"b", {}, {}}).ok());
  EXPECT_EQ(s.size(), 2u);
  ASSERT_TRUE(s.remove(DeleteOp{"a", {}}).ok());
  EXPECT_EQ(s.size(), 1u);
}

TEST(MemoryClientChannel, DeliversInOrderToRegisteredSession) {
  MemoryClientChannel ch;
  std::vector<std::string> got;
  ch.register_session(7, [&](const std::string& m) { got.push_back(m); });
  EXPECT_TRUE(ch.is_registered(7));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(ch.send(7, std::to_string(i)).ok());
  EXPECT_EQ(got, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
}

TEST(MemoryClientChannel, UnregisteredSessionIsConnectionLoss) {
  MemoryClientChannel ch;
  EXPECT_EQ(ch.send(1, "x").code(), Error::ConnectionLoss);
  int calls = 0;
  ch.register_session(1, [&](const std::string&) { ++calls; });
  ASSERT_TRUE(ch.send(1, "x").ok());
  ch.unregister_session(1);
  EXPECT_FALSE(ch.is_registered(1));
  EXPECT_EQ(ch.send(1, "y").code(), Error::ConnectionLoss);
  EXPECT_EQ(calls, 1);
  ch.unregister_session(1);  // unknown: ignored
}

TEST(MemoryClientChannel, ReRegistrationReplacesCallback) {
  MemoryClientChannel ch;
  std::string a, b;
  ch.register_session(1, [&](const std::string& m) { a += m; });
  ch.register_session(1, [&](const std::string& m) { b += m; });
  ASSERT_TRUE(ch.send(1, "x").ok());
  EXPECT_EQ(a, "");
  EXPECT_EQ(b, "x");
}

TEST(MemoryClientChannel, CallbackMayUnregisterItsOwnSession) {
  MemoryClientChannel ch;
  int calls = 0;
  ch.register_session(3, [&](const std::string&) {
    ++calls;
    ch.unregister_session(3);
  });
  ASSERT_TRUE(ch.send(3, "bye").ok());
  EXPECT_EQ(ch.send(3, "again").code(), Error::ConnectionLoss);
  EXPECT_EQ(calls, 1);
}

// Concurrent senders to one session never run its callback concurrently, and each sender's
// own messages arrive in the order it sent them.
TEST(MemoryClientChannel, PerSessionDeliveryIsSerialisedAndOrdered) {
  MemoryClientChannel ch;
  std::atomic<int> inside{0}, overlaps{0};
  std::vector<std::string> got;
  ch.register_session(9, [&](const std::string& m) {
    if (inside.fetch_add(1) != 0) ++overlaps;
    got.push_back(m);
    inside.fetch_sub(1);
  });
  std::vector<std::thread> senders;
  for (int s = 0; s < 4; ++s)
    senders.emplace_back([&, s] {
      for (int i = 0; i < 200; ++i) {
        ASSERT_TRUE(ch.send(9, std::to_string(s) + ":" + std::to_string(i)).ok());
      }
    });
  for (auto& t : senders) t.join();
  EXPECT_EQ(overlaps.load(), 0);
  ASSERT_EQ(got.size(), 800u);
  int next[4] = {0, 0, 0, 0};
  for (auto& m : got) {
    int s = m[0] - '0';
    EXPECT_EQ(std::stoi(m.substr(2)), next[s]) << m;
    next[s] = std::stoi(m.substr(2)) + 1;
  }
}

// After unregister_session returns, the callback is not running and never runs again.
TEST(MemoryClientChannel, UnregisterWaitsForARunningDelivery) {
  MemoryClientChannel ch;
  std::promise<void> entered, leave;
  auto leave_f = leave.get_future().share();
  std::atomic<bool> finished{false};
  ch.register_session(5, [&](const std::string&) {
    entered.set_value();
    leave_f.wait();
    finished = true;
  });
  std::thread sender([&] { EXPECT_TRUE(ch.send(5, "m").ok()); });
  entered.get_future().wait();
  std::thread unreg([&] {
    ch.unregister_session(5);
    EXPECT_TRUE(finished.load());
  });
  leave.set_value();
  sender.join();
  unreg.join();
  EXPECT_EQ(ch.send(5, "x").code(), Error::ConnectionLoss);
}

}  // namespace
}  // namespace faaskeeper
