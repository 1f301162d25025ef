// The fault-injecting wrappers: transparent with an empty plan (the whole provider contract
// runs through them), and each fault does exactly what fault_plan.h says.
#include <atomic>
#include <thread>

#include "providers/fault/faulty_client_channel.h"
#include "providers/fault/faulty_queue.h"
#include "providers/fault/faulty_system_store.h"
#include "providers/fault/faulty_user_store.h"
#include "providers/fault/function_crash.h"
#include "providers/memory/memory_client_channel.h"
#include "providers/memory/memory_queue.h"
#include "providers/memory/memory_system_store.h"
#include "providers/memory/memory_user_store.h"
#include "tests/providers/contract.h"

namespace faaskeeper {
namespace {

contract::ProviderFactory faulty_memory_factory() {
  contract::ProviderFactory f;
  f.name = "faulty(memory) with an empty plan";
  f.system_store = [] {
    return std::make_unique<FaultySystemStore>(std::make_shared<MemorySystemStore>(),
                                               std::make_shared<FaultPlan>());
  };
  f.user_store = [] {
    return std::make_unique<FaultyUserStore>(std::make_shared<MemoryUserStore>(),
                                             std::make_shared<FaultPlan>());
  };
  f.queue = [](Clock& clock) {
    return std::make_unique<FaultyQueue>(std::make_shared<MemoryQueue>(clock), std::make_shared<FaultPlan>());
  };
  return f;
}

FK_INSTANTIATE_PROVIDER_CONTRACT(FaultyMemory, faulty_memory_factory());

using std::chrono::milliseconds;

UpdateOp inc(const std::string& key) { return UpdateOp{key, {}, {Action::add("v", 1)}}; }

int64_t value(SystemStore& s, const std::string& key) {
  auto r = s.get(key);
  if (!r.ok() || !r->has_value()) return -1;
  return get_int(**r, "v").value_or(-1);
}

struct StoreFixture : ::testing::Test {
  MemorySystemStore inner;
  FaultPlan plan;
  FaultySystemStore store{inner, plan};
};

TEST_F(StoreFixture, FailNthFailsExactlyThatCallWithoutPerformingIt) {
  size_t id = plan.fail_nth("system.update", 2, Status(Error::ConnectionLoss, "net down"));
  ASSERT_TRUE(store.update(inc("k")).ok());
  auto r = store.update(inc("k"));
  EXPECT_EQ(r.code(), Error::ConnectionLoss);
  EXPECT_EQ(r.status().message(), "net down");
  EXPECT_EQ(value(inner, "k"), 1);
  ASSERT_TRUE(store.update(inc("k")).ok());
  EXPECT_EQ(value(inner, "k"), 2);
  EXPECT_EQ(plan.fired(id), 1);
  EXPECT_EQ(plan.calls("system.update"), 3);
}

TEST_F(StoreFixture, FailAllWithWildcardAndKeyFilter) {
  FaultRule rule{"system.*", FaultKind::Fail};
  rule.times = -1;
  rule.match = [](const std::string& key) { return key.rfind("lock/", 0) == 0; };
  rule.status = Status(Error::OperationTimeout, "slow");
  plan.add(rule);
  EXPECT_EQ(store.update(inc("lock/a")).code(), Error::OperationTimeout);
  EXPECT_EQ(store.get("lock/a").code(), Error::OperationTimeout);
  EXPECT_TRUE(store.update(inc("node/a")).ok());
  EXPECT_EQ(value(inner, "lock/a"), -1);
  EXPECT_EQ(value(inner, "node/a"), 1);
}

TEST_F(StoreFixture, SkipAndTimesSelectAWindowOfCalls) {
  FaultRule rule{"system.update", FaultKind::Fail};
  rule.skip = 1;
  rule.times = 2;
  size_t id = plan.add(rule);
  std::vector<bool> ok;
  for (int i = 0; i < 5; ++i) ok.push_back(store.update(inc("k")).ok());
  EXPECT_EQ(ok, (std::vector<bool>{true, false, false, true, true}));
  EXPECT_EQ(value(inner, "k"), 3);
  EXPECT_EQ(plan.fired(id), 2);
}

TEST_F(StoreFixture, FailWithOkStatusBecomesSystemError) {
  plan.fail_nth("system.get", 1, Status::OK());
  EXPECT_EQ(store.get("k").code(), Error::SystemError);
}

TEST_F(StoreFixture, CrashBeforeDoesNotPerformTheCall) {
  plan.crash_before("system.update");
  EXPECT_THROW(store.update(inc("k")), FunctionCrash);
  EXPECT_EQ(value(inner, "k"), -1);
  EXPECT_TRUE(store.update(inc("k")).ok());  // fired once only
  EXPECT_EQ(value(inner, "k"), 1);
}

TEST_F(StoreFixture, CrashAfterPerformsTheCallThenThrows) {
  plan.crash_after("system.transact", 1);
  EXPECT_THROW(store.transact({inc("a"), inc("b")}), FunctionCrash);
  EXPECT_EQ(value(inner, "a"), 1);
  EXPECT_EQ(value(inner, "b"), 1);
}

TEST_F(StoreFixture, TransactDetailListsTheKeys) {
  FaultRule rule{"system.transact", FaultKind::CrashBefore};
  rule.match = [](const std::string& keys) { return keys == "a b"; };
  plan.add(rule);
  EXPECT_TRUE(store.transact({inc("b"), inc("a")}).ok());  // "b a": no match
  EXPECT_THROW(store.transact({inc("a"), inc("b")}), FunctionCrash);
  EXPECT_EQ(value(inner, "a"), 1);
}

TEST_F(StoreFixture, DelayGoesThroughTheInjectedSleep) {
  std::vector<milliseconds> slept;
  plan.set_sleep([&](milliseconds d) { slept.push_back(d); });
  plan.delay("system.get", milliseconds(250), 2);
  plan.delay("system.*", milliseconds(5), 1);
  ASSERT_TRUE(store.get("k").ok());
  ASSERT_TRUE(store.get("k").ok());
  ASSERT_TRUE(store.get("k").ok());
  EXPECT_EQ(slept, (std::vector<milliseconds>{milliseconds(255), milliseconds(250)}));
}

TEST_F(StoreFixture, ClearRemovesRules) {
  plan.fail_all("system.update", Status(Error::SystemError, "x"));
  EXPECT_FALSE(store.update(inc("k")).ok());
  plan.clear();
  EXPECT_TRUE(store.update(inc("k")).ok());
  EXPECT_EQ(plan.calls("system.update"), 2);
}

TEST_F(StoreFixture, RuleCountingIsThreadSafe) {
  FaultRule rule{"system.update", FaultKind::Fail};
  rule.times = 10;
  size_t id = plan.add(rule);
  std::atomic<int> failures{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        if (!store.update(inc("k")).ok()) ++failures;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(failures.load(), 10);
  EXPECT_EQ(plan.fired(id), 10);
  EXPECT_EQ(value(inner, "k"), 190);
}

TEST(FaultyUserStore, DropLosesTheWriteButReportsOk) {
  MemoryUserStore inner;
  FaultPlan plan;
  FaultyUserStore store(inner, plan);
  FaultRule rule{"user.write", FaultKind::Drop};
  rule.match = [](const std::string& paths) { return paths == "/a /b"; };
  plan.add(rule);
  EXPECT_TRUE(store.write({{"/a", std::string("1")}, {"/b", std::string("2")}}).ok());
  EXPECT_EQ(*inner.get("/a"), std::nullopt);
  EXPECT_TRUE(store.write({{"/a", std::string("1")}}).ok());
  EXPECT_EQ(*store.get("/a"), "1");
}

TEST(FaultyUserStore, CrashAfterWrite) {
  MemoryUserStore inner;
  FaultPlan plan;
  FaultyUserStore store(inner, plan, "users");
  plan.crash_after("users.write");
  EXPECT_THROW(store.write({{"/a", std::string("1")}}), FunctionCrash);
  EXPECT_EQ(*inner.get("/a"), "1");
}

TEST(FaultyClientChannel, FailAndDropBySession) {
  MemoryClientChannel inner;
  FaultPlan plan;
  FaultyClientChannel ch(inner, plan);
  std::vector<std::string> got;
  inner.register_session(1, [&](const std::string& m) { got.push_back(m); });
  inner.register_session(2, [&](const std::string& m) { got.push_back("2:" + m); });
  FaultRule drop{"channel.send", FaultKind::Drop};
  drop.match = [](const std::string& s) { return s == "1"; };
  plan.add(drop);
  plan.fail_nth("channel.send", 2, Status(Error::ConnectionLoss, "gone"));
  EXPECT_TRUE(ch.send(1, "lost").ok());  // dropped (and counted as the 1st send)
  EXPECT_EQ(ch.send(2, "x").code(), Error::ConnectionLoss);
  EXPECT_TRUE(ch.send(1, "kept").ok());
  EXPECT_EQ(got, (std::vector<std::string>{"kept"}));
  EXPECT_EQ(ch.send(3, "nobody").code(), Error::ConnectionLoss);  // the inner's own answer
}

struct QueueFixture : ::testing::Test {
  ManualClock clock;
  MemoryQueue inner{clock};
  FaultPlan plan;
  FaultyQueue q{inner, plan, "wq"};
  std::vector<QueueMessage> recv(size_t max = 10) {
    auto r = q.receive(max, milliseconds(0), milliseconds(1000));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<QueueMessage>{};
  }
};

TEST_F(QueueFixture, DuplicateDeliveryHandsTheMessageOutAgain) {
  size_t id = plan.duplicate_delivery("wq", 2);
  ASSERT_TRUE(q.send("g", "d1", "first").ok());
  ASSERT_TRUE(q.send("h", "d2", "second").ok());
  auto b1 = recv();
  ASSERT_EQ(b1.size(), 2u);
  EXPECT_EQ(plan.fired(id), 1);
  EXPECT_EQ(q.pending_duplicates(), 1u);
  ASSERT_TRUE(q.ack({b1[0].receipt, b1[1].receipt}).ok());
  EXPECT_EQ(inner.size(), 0u);
  auto b2 = recv();
  ASSERT_EQ(b2.size(), 1u);
  EXPECT_EQ(b2[0].body, "second");
  EXPECT_EQ(b2[0].sequence, b1[1].sequence);
  EXPECT_EQ(b2[0].delivery_count, 2);
  EXPECT_NE(b2[0].receipt, b1[1].receipt);
  EXPECT_TRUE(q.ack({b2[0].receipt}).ok());
  EXPECT_TRUE(q.release(b2[0].receipt).ok());
  EXPECT_TRUE(recv().empty());
}

TEST_F(QueueFixture, DuplicateComesAheadOfNewMessagesAndDoesNotBlock) {
  plan.duplicate_delivery("wq");
  ASSERT_TRUE(q.send("g", "d1", "1").ok());
  auto b1 = recv();
  ASSERT_TRUE(q.ack({b1[0].receipt}).ok());
  ASSERT_TRUE(q.send("g", "d2", "2").ok());
  // The duplicate is ready, so receive() does not wait for the (long) timeout.
  auto start = std::chrono::steady_clock::now();
  auto r = q.receive(10, std::chrono::seconds(30), milliseconds(1000));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].body, "1");
  EXPECT_EQ((*r)[1].body, "2");
}

TEST_F(QueueFixture, DroppedAckMeansRedeliveryAfterVisibility) {
  plan.drop_acks("wq", 1);
  ASSERT_TRUE(q.send("g", "d", "m").ok());
  auto b1 = recv();
  ASSERT_EQ(b1.size(), 1u);
  EXPECT_TRUE(q.ack({b1[0].receipt}).ok());
  EXPECT_EQ(inner.size(), 1u);
  clock.advance(1000);
  auto b2 = recv();
  ASSERT_EQ(b2.size(), 1u);
  EXPECT_EQ(b2[0].delivery_count, 2);
  EXPECT_TRUE(q.ack({b2[0].receipt}).ok());  // the rule was for one ack only
  EXPECT_EQ(inner.size(), 0u);
}

TEST_F(QueueFixture, CrashAfterReceiveLeavesTheBatchInFlight) {
  plan.crash_after("wq.receive");
  ASSERT_TRUE(q.send("g", "d", "m").ok());
  EXPECT_THROW(q.receive(10, milliseconds(0), milliseconds(1000)), FunctionCrash);
  EXPECT_TRUE(recv().empty());  // in flight
  clock.advance(1000);
  auto b = recv();
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].delivery_count, 2);
}

TEST_F(QueueFixture, SendCrashBeforeAndAfter) {
  plan.crash_before("wq.send", 1);
  plan.crash_after("wq.send", 2);
  EXPECT_THROW(q.send("g", "a", "a"), FunctionCrash);
  EXPECT_EQ(inner.size(), 0u);
  EXPECT_THROW(q.send("g", "b", "b"), FunctionCrash);
  EXPECT_EQ(inner.size(), 1u);
}

TEST_F(QueueFixture, FailedReceiveKeepsPendingDuplicates) {
  plan.duplicate_delivery("wq");
  ASSERT_TRUE(q.send("g", "d", "m").ok());
  auto b = recv();
  ASSERT_EQ(q.pending_duplicates(), 1u);
  plan.fail_nth("wq.receive", 1, Status(Error::ConnectionLoss, "x"));
  EXPECT_EQ(q.receive(10, milliseconds(0), milliseconds(1000)).code(), Error::ConnectionLoss);
  EXPECT_EQ(q.pending_duplicates(), 1u);
  EXPECT_EQ(recv().size(), 1u);
}

TEST_F(QueueFixture, InterruptIsForwarded) {
  q.interrupt();
  auto start = std::chrono::steady_clock::now();
  auto r = inner.receive(1, std::chrono::seconds(30), milliseconds(1000));
  EXPECT_TRUE(r.ok() && r->empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace faaskeeper
