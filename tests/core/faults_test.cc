// Faults: the writer and the distributor crash at each of their named steps (FunctionEnv::step),
// and messages are delivered twice; a mixed workload must still have exactly-once effects, no
// half-applied transaction, correct replies, and no lease left behind.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "test_support.h"

using namespace fk_test;

namespace {

// Every step the functions report (grep 'step("' src/functions); StepListIsComplete keeps this
// list in sync with the sources.
const std::vector<std::string> kSteps = {
    "writer.received",      "writer.locked",         "writer.planned",        "writer.decided",
    "writer.replied",       "writer.pushed",         "distributor.received", "distributor.committed",
    "distributor.published", "distributor.replied",  "distributor.watches_queued", "watch.received",
    "watch.delivered",
};

// Crashes the function (throws out of the handler) on chosen hits of chosen steps.
class CrashInjector {
 public:
  // Crash on the `hits`-th time (1-based) each of `steps` is reached.
  CrashInjector(std::set<std::string> steps, std::set<int> hits) : steps_(std::move(steps)), hits_(std::move(hits)) {}

  std::function<void(std::string_view)> hook() {
    return [this](std::string_view step) {
      std::string s(step);
      int n;
      {
        std::lock_guard lock(mu_);
        n = ++counts_[s];
      }
      if (steps_.count(s) && hits_.count(n)) {
        ++crashes_;
        throw std::runtime_error("injected crash at " + s + " #" + std::to_string(n));
      }
    };
  }
  int crashes() const { return crashes_; }
  int count(const std::string& step) {
    std::lock_guard lock(mu_);
    return counts_[step];
  }

 private:
  std::set<std::string> steps_;
  std::set<int> hits_;
  std::mutex mu_;
  std::map<std::string, int> counts_;
  std::atomic<int> crashes_{0};
};

// Sends every message twice, the copy under another dedup id, so the queue's deduplication
// cannot hide it: the consumer sees a true duplicate delivery.
class DoublingQueue final : public Queue {
 public:
  explicit DoublingQueue(Queue& inner) : inner_(inner) {}
  Result<uint64_t> send(const std::string& group, const std::string& dedup_id, const std::string& body) override {
    auto first = inner_.send(group, dedup_id, body);
    if (!first.ok()) return first;
    auto again = inner_.send(group, dedup_id + "#again", body);
    if (!again.ok()) return again.status();
    ++copies_;
    return first;
  }
  Result<std::vector<QueueMessage>> receive(size_t max, std::chrono::milliseconds wait,
                                            std::chrono::milliseconds visibility) override {
    return inner_.receive(max, wait, visibility);
  }
  Status ack(const std::vector<std::string>& receipts) override { return inner_.ack(receipts); }
  Status release(const std::string& receipt) override { return inner_.release(receipt); }
  void interrupt() override { inner_.interrupt(); }
  int copies() const { return copies_; }

 private:
  Queue& inner_;
  std::atomic<int> copies_{0};
};

// Submits every client request twice to the writer queue, the copy under another dedup id.
class DuplicatingTransport final : public ClientTransport {
 public:
  DuplicatingTransport(std::shared_ptr<ClientTransport> inner, Queue& writer_queue)
      : inner_(std::move(inner)), writer_queue_(writer_queue) {}
  Status attach(int64_t session_id, Receiver receiver) override { return inner_->attach(session_id, std::move(receiver)); }
  void detach(int64_t session_id) override { inner_->detach(session_id); }
  Status submit(const ClientRequest& request) override {
    Status s = inner_->submit(request);
    if (!s.ok()) return s;
    auto again = writer_queue_.send(std::to_string(request.session_id),
                                    request_id(request.session_id, request.seq) + "#again", encode(request));
    if (!again.ok()) return again.status();
    ++copies_;
    return Status::OK();
  }
  Result<std::optional<std::string>> read(const std::string& path) override { return inner_->read(path); }
  int copies() const { return copies_; }

 private:
  std::shared_ptr<ClientTransport> inner_;
  Queue& writer_queue_;
  std::atomic<int> copies_{0};
};

EmbeddedOptions fault_options() {
  EmbeddedOptions o = test_options();
  o.runtime.visibility = 150ms;  // a crashed invocation's messages come back quickly
  return o;
}

CreateRequest create_op(std::string path, std::string data) {
  return CreateRequest{std::move(path), std::move(data), CreateMode::Persistent, -1};
}

// Session A: a pipelined mix of creates (plain, sequential, ephemeral), version-checked sets,
// deletes, failing requests and a multi. Each expected result is exact.
void session_a(Client& a) {
  auto f1 = a.create_async("/f", std::string("root"));
  auto f2 = a.create_async("/f/a", std::string("a0"));
  auto f3 = a.create_async("/f/s-", std::string(), CreateMode::PersistentSequential);
  auto f4 = a.create_async("/f/s-", std::string(), CreateMode::PersistentSequential);
  auto f5 = a.set_async("/f/a", std::string("a1"), 0);
  auto f6 = a.create_async("/f/a", std::string("dup"));  // fails: NodeExists
  auto f7 = a.set_async("/f/a", std::string("a2"), 1);
  auto f8 = a.set_async("/f/a", std::string("bad"), 0);  // fails: BadVersion
  auto f9 = a.remove_async("/f/s-0000000001", 0);
  auto f10 = a.create_async("/f/e", std::string(), CreateMode::Ephemeral);
  auto f11 = a.create_async("/f/s-", std::string(), CreateMode::PersistentSequential);
  auto f12 = a.remove_async("/f/missing");  // fails: NoNode
  auto f13 = a.multi_async({create_op("/f/m", "m0"), SetDataRequest{"/f/m", std::string("m"), 0}});
  auto f14 = a.remove_async("/f/e");
  auto f15 = a.create_async("/f/q-", std::string(), CreateMode::EphemeralSequential);
  auto f16 = a.get_async("/f/a");

  std::vector<int64_t> txids;
  auto r1 = f1.get();
  ASSERT_TRUE(r1.ok()) << r1.status().to_string();
  EXPECT_EQ(r1->path, "/f");
  txids.push_back(r1->stat.czxid);
  auto r2 = f2.get();
  ASSERT_TRUE(r2.ok()) << r2.status().to_string();
  txids.push_back(r2->stat.czxid);
  auto r3 = f3.get(), r4 = f4.get();
  ASSERT_TRUE(r3.ok() && r4.ok());
  EXPECT_EQ(r3->path, "/f/s-0000000001");
  EXPECT_EQ(r4->path, "/f/s-0000000002");
  txids.push_back(r3->stat.czxid);
  txids.push_back(r4->stat.czxid);
  auto r5 = f5.get();
  ASSERT_TRUE(r5.ok()) << r5.status().to_string();
  EXPECT_EQ(r5->version, 1);
  txids.push_back(r5->mzxid);
  EXPECT_EQ(f6.get().code(), Error::NodeExists);
  auto r7 = f7.get();
  ASSERT_TRUE(r7.ok()) << r7.status().to_string();
  EXPECT_EQ(r7->version, 2);
  txids.push_back(r7->mzxid);
  EXPECT_EQ(f8.get().code(), Error::BadVersion);
  EXPECT_TRUE(f9.get().ok());
  auto r10 = f10.get();
  ASSERT_TRUE(r10.ok()) << r10.status().to_string();
  txids.push_back(r10->stat.czxid);
  auto r11 = f11.get();
  ASSERT_TRUE(r11.ok()) << r11.status().to_string();
  EXPECT_EQ(r11->path, "/f/s-0000000004");
  txids.push_back(r11->stat.czxid);
  EXPECT_EQ(f12.get().code(), Error::NoNode);
  auto r13 = f13.get();
  ASSERT_TRUE(r13.ok()) << r13.status().to_string();
  ASSERT_EQ(r13->size(), 2u);
  EXPECT_EQ((*r13)[0].err, Error::Ok);
  EXPECT_EQ((*r13)[1].err, Error::Ok);
  EXPECT_EQ((*r13)[1].stat.version, 1);
  txids.push_back((*r13)[0].stat.czxid);
  EXPECT_TRUE(f14.get().ok());
  auto r15 = f15.get();
  ASSERT_TRUE(r15.ok()) << r15.status().to_string();
  EXPECT_EQ(r15->path, "/f/q-0000000006");
  txids.push_back(r15->stat.czxid);
  auto r16 = f16.get();
  ASSERT_TRUE(r16.ok()) << r16.status().to_string();
  EXPECT_EQ(r16->data, std::optional<std::string>("a2"));
  EXPECT_EQ(r16->stat.version, 2);
  for (size_t i = 1; i < txids.size(); ++i) EXPECT_LT(txids[i - 1], txids[i]) << "reply " << i;
}

// Session B, concurrently: synchronous sequential creates, version-checked sets, a delete.
void session_b(Client& b) {
  auto g = b.create("/g", std::string("0"));
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  for (int i = 0; i < 5; ++i) {
    auto n = b.create("/g/n", std::string(), CreateMode::PersistentSequential);
    ASSERT_TRUE(n.ok()) << n.status().to_string();
    EXPECT_EQ(n->path, "/g/n000000000" + std::to_string(i));
  }
  for (int v = 1; v <= 4; ++v) {
    auto s = b.set("/g", std::to_string(v), v - 1);
    ASSERT_TRUE(s.ok()) << "set " << v << ": " << s.status().to_string();
    EXPECT_EQ(s->version, v);
  }
  EXPECT_TRUE(b.remove("/g/n0000000002", 0).ok());
  EXPECT_EQ(b.set("/g", std::string("stale"), 0).code(), Error::BadVersion);
}

// Runs both sessions to completion, closes them, and checks the final state exactly.
// Records every event of a persistent-recursive watch on "/".
struct EventLog {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<WatchedEvent> events;
  Watcher watcher() {
    return [this](const WatchedEvent& e) {
      std::lock_guard lock(mu);
      events.push_back(e);
      cv.notify_all();
    };
  }
  bool wait_for_path(const std::string& path) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] {
      return std::any_of(events.begin(), events.end(), [&](const WatchedEvent& e) { return e.path == path; });
    });
  }
  int count(EventType type, const std::string& prefix) {
    std::lock_guard lock(mu);
    return static_cast<int>(std::count_if(events.begin(), events.end(), [&](const WatchedEvent& e) {
      return e.type == type && e.path.rfind(prefix, 0) == 0;
    }));
  }
};

void run_workload_and_check(EmbeddedDeployment& d, std::shared_ptr<ClientTransport> transport) {
  EventLog log;
  auto w = must(Client::open(transport), "open watcher");
  EXPECT_TRUE(w->add_watch("/", AddWatchMode::PersistentRecursive, log.watcher()).ok());
  {
    auto a = must(Client::open(transport), "open a");
    auto b = must(Client::open(transport), "open b");
    std::thread tb([&] { session_b(*b); });
    session_a(*a);
    tb.join();
    EXPECT_TRUE(a->close().ok());
    EXPECT_TRUE(b->close().ok());
  }
  auto c = must(Client::open(transport), "open checker");
  // Events are delivered exactly once each, even when the watch function crashes mid-batch.
  must(c->create("/done", std::string()));
  EXPECT_TRUE(log.wait_for_path("/done")) << "the watcher never saw the final create";
  EXPECT_EQ(log.count(EventType::NodeCreated, "/f/"), 7) << "one NodeCreated per child creation";
  EXPECT_EQ(log.count(EventType::NodeCreated, "/g/"), 5);
  EXPECT_EQ(log.count(EventType::NodeChildrenChanged, "/"), 0) << "recursive watches get no child events";
  {
    std::lock_guard lock(log.mu);
    std::set<std::tuple<int64_t, std::string, EventType>> seen;
    for (size_t i = 0; i < log.events.size(); ++i) {
      const auto& e = log.events[i];
      EXPECT_TRUE(seen.emplace(e.zxid, e.path, e.type).second) << "duplicate event " << e.path << " @" << e.zxid;
      if (i > 0) {
        EXPECT_GE(e.zxid, log.events[i - 1].zxid) << "events out of txid order";
      }
    }
  }
  must(c->remove("/done"));
  EXPECT_TRUE(w->close().ok());
  EXPECT_EQ(sorted_children(*c, "/"), (std::vector<std::string>{"f", "g", "zookeeper"}));
  EXPECT_EQ(sorted_children(*c, "/f"), (std::vector<std::string>{"a", "m", "s-0000000002", "s-0000000004"}));
  Stat f = stat_of(*c, "/f");
  EXPECT_EQ(f.num_children, 4);
  EXPECT_EQ(f.cversion, 2 * 7 - 4);  // 7 child creations, each applied exactly once
  EXPECT_EQ(f.version, 0);
  NodeData a = must(c->get("/f/a"));
  EXPECT_EQ(a.data, std::optional<std::string>("a2"));
  EXPECT_EQ(a.stat.version, 2);  // exactly the two acknowledged sets
  NodeData m = must(c->get("/f/m"));
  EXPECT_EQ(m.data, std::optional<std::string>("m"));
  EXPECT_EQ(m.stat.version, 1);
  EXPECT_EQ(sorted_children(*c, "/g"),
            (std::vector<std::string>{"n0000000000", "n0000000001", "n0000000003", "n0000000004"}));
  NodeData g = must(c->get("/g"));
  EXPECT_EQ(g.data, std::optional<std::string>("4"));
  EXPECT_EQ(g.stat.version, 4);
  EXPECT_EQ(g.stat.cversion, 2 * 5 - 4);

  // Once every message is consumed, no lease may remain and the two stores must agree.
  EXPECT_TRUE(eventually([&] {
    return d.writer_queue().size() == 0 && d.distributor_queue().size() == 0 && d.watch_queue().size() == 0;
  }, 10s))
      << "queues never drained";
  EXPECT_EQ(leased_keys(d), std::vector<std::string>{});
  EXPECT_EQ(store_disagreements(d), std::vector<std::string>{});
  EXPECT_TRUE(must(d.system_store().scan("e:")).empty()) << "ephemeral index entries left behind";
}

}  // namespace

TEST(Faults, StepListIsComplete) {
  std::set<std::string> in_sources;
  std::regex step_call(R"re(step\("([a-z_.]+)"\))re");
  for (const auto& entry : std::filesystem::directory_iterator(std::string(FK_SOURCE_DIR) + "/src/functions")) {
    if (entry.path().extension() != ".cc") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    for (std::sregex_iterator it(s.begin(), s.end(), step_call), end; it != end; ++it) in_sources.insert((*it)[1]);
  }
  EXPECT_EQ(in_sources, std::set<std::string>(kSteps.begin(), kSteps.end()));
}

TEST(Faults, WorkloadReachesEveryStep) {
  CrashInjector recorder({}, {});
  EmbeddedOptions o = fault_options();
  o.step_hook = recorder.hook();
  EmbeddedDeployment d(o);
  run_workload_and_check(d, d.transport());
  for (const auto& step : kSteps) EXPECT_GE(recorder.count(step), 3) << step;
  EXPECT_EQ(d.runtime().stats().crashes.load(), 0u);
}

class CrashAtStep : public ::testing::TestWithParam<std::string> {};

// Crash on the 1st, 2nd and 4th time the step is reached (the 2nd is often the redelivery of
// the 1st); the queue redelivers after the visibility timeout and the workload must end exactly
// as without faults.
TEST_P(CrashAtStep, EffectsAreExactlyOnce) {
  CrashInjector injector({GetParam()}, {1, 2, 4});
  EmbeddedOptions o = fault_options();
  o.step_hook = injector.hook();
  EmbeddedDeployment d(o);
  run_workload_and_check(d, d.transport());
  EXPECT_EQ(injector.crashes(), 3);
  EXPECT_EQ(d.runtime().stats().crashes.load(), 3u);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, CrashAtStep, ::testing::ValuesIn(kSteps),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '.', '_');
                           return n;
                         });

TEST(Faults, CrashAtEveryStepInOneRun) {
  CrashInjector injector(std::set<std::string>(kSteps.begin(), kSteps.end()), {2});
  EmbeddedOptions o = fault_options();
  o.step_hook = injector.hook();
  EmbeddedDeployment d(o);
  run_workload_and_check(d, d.transport());
  EXPECT_EQ(injector.crashes(), static_cast<int>(kSteps.size()));
}

TEST(Faults, DuplicateDistributorDeliveries) {
  std::unique_ptr<DoublingQueue> doubling;
  EmbeddedOptions o = fault_options();
  o.wrap_distributor_queue = [&](Queue* q) {
    doubling = std::make_unique<DoublingQueue>(*q);
    return doubling.get();
  };
  EmbeddedDeployment d(o);
  run_workload_and_check(d, d.transport());
  EXPECT_GE(doubling->copies(), 29);  // 23 committed writes, 3 session opens, 3 closes
}

TEST(Faults, DuplicateWriterDeliveries) {
  EmbeddedDeployment d(fault_options());
  auto transport = std::make_shared<DuplicatingTransport>(d.transport(), d.writer_queue());
  run_workload_and_check(d, transport);
  EXPECT_GE(transport->copies(), 33);  // every write request of the three sessions
}

namespace {

// A deployment on a ManualClock: leases (10 s) and visibility timeouts (60 s) pass only when the
// test advances the clock, so each can be made to lapse on its own.
struct ManualTimeDeployment {
  explicit ManualTimeDeployment(std::function<void(std::string_view)> hook) : d(options(std::move(hook))) {}
  EmbeddedOptions options(std::function<void(std::string_view)> hook) {
    EmbeddedOptions o = test_options();
    o.clock = &clock;
    o.runtime.visibility = 60s;
    o.functions.lease_ms = 10'000;
    o.functions.lock_attempts = 3;  // a writer meeting a held lease hands its message back quickly
    o.step_hook = std::move(hook);
    return o;
  }
  ManualClock clock;
  EmbeddedDeployment d;
};

// Sets `released` and wakes the waiters when it goes out of scope: a function held in a step
// hook is let go however a test ends (declare it after the deployment, so it runs first).
struct ReleaseOnExit {
  std::mutex& mu;
  std::condition_variable& cv;
  bool& released;
  ~ReleaseOnExit() {
    {
      std::lock_guard lock(mu);
      released = true;
    }
    cv.notify_all();
  }
};

}  // namespace

// A writer that crashed holding a lease blocks the node only until the lease expires; when its
// request is redelivered it is decided against the state it finds then.
TEST(Faults, CrashedWritersLeaseExpires) {
  std::atomic<bool> armed{false};
  std::atomic<int> crashes{0};
  ManualTimeDeployment m([&](std::string_view step) {
    if (step == "writer.locked" && armed.exchange(false)) {
      ++crashes;
      throw std::runtime_error("injected crash holding the lease");
    }
  });
  auto a = connect(m.d);
  auto b = connect(m.d);
  must(a->create("/n", std::string("0")));

  armed = true;
  auto from_a = a->set_async("/n", std::string("A"), 0);
  ASSERT_TRUE(eventually([&] { return crashes == 1; })) << "the writer never reached the crash point";
  EXPECT_EQ(leased_keys(m.d), std::vector<std::string>{"n:/n"});

  // Until the lease expires, B's writer keeps meeting it and handing B's message back.
  uint64_t invocations = m.d.runtime().stats().writer_invocations;
  auto from_b = b->set_async("/n", std::string("B"), 0);
  ASSERT_TRUE(eventually([&] { return m.d.runtime().stats().writer_invocations >= invocations + 3; }));
  auto observer = connect(m.d);  // a and b each wait behind their own pending write
  EXPECT_EQ(stat_of(*observer, "/n").version, 0);
  m.clock.advance(10'001);  // the crashed writer's lease expires; its message is still invisible
  auto b_result = from_b.get();
  ASSERT_TRUE(b_result.ok()) << b_result.status().to_string();
  EXPECT_EQ(b_result->version, 1);

  m.clock.advance(60'000);  // A's message is redelivered and meets version 1
  EXPECT_EQ(from_a.get().code(), Error::BadVersion);
  NodeData n = must(b->get("/n"));
  EXPECT_EQ(n.data, std::optional<std::string>("B"));
  EXPECT_EQ(n.stat.version, 1);
  EXPECT_TRUE(eventually([&] { return m.d.writer_queue().size() == 0 && m.d.distributor_queue().size() == 0; }));
  EXPECT_EQ(leased_keys(m.d), std::vector<std::string>{});
  EXPECT_EQ(store_disagreements(m.d), std::vector<std::string>{});
}

// A plan whose lease lapsed before the distributor reached it, and was taken by another
// request, is not applied (the commit is conditional on the lease); the other request is.
TEST(Faults, LeaseLapsedBeforeCommitAppliesNothing) {
  std::mutex mu;
  std::condition_variable cv;
  bool armed = false, blocked = false, released = false;
  ManualTimeDeployment m([&](std::string_view step) {
    if (step != "distributor.received") return;
    std::unique_lock lock(mu);
    if (!armed) return;
    armed = false;
    blocked = true;
    cv.notify_all();
    cv.wait(lock, [&] { return released; });
  });
  auto a = connect(m.d);
  auto b = connect(m.d);
  // However the test ends, the distributor is let go before the clients close and the deployment stops.
  ReleaseOnExit release{mu, cv, released};
  must(a->create("/n", std::string("0")));

  {
    std::lock_guard lock(mu);
    armed = true;
  }
  auto from_a = a->set_async("/n", std::string("A"), -1);
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return blocked; })) << "A's commit never started";
  }
  m.clock.advance(10'001);  // A's lease lapses while its commit is pending
  auto from_b = b->set_async("/n", std::string("B"), -1);
  ASSERT_TRUE(eventually([&] { return m.d.distributor_queue().size() == 2; })) << "B's plan never reached the distributor";
  {
    std::lock_guard lock(mu);
    released = true;
  }
  cv.notify_all();

  auto a_result = from_a.get();
  EXPECT_EQ(a_result.code(), Error::SystemError) << "A's stale plan must not commit";
  auto b_result = from_b.get();
  ASSERT_TRUE(b_result.ok()) << b_result.status().to_string();
  EXPECT_EQ(b_result->version, 1);
  NodeData n = must(a->get("/n"));
  EXPECT_EQ(n.data, std::optional<std::string>("B"));
  EXPECT_EQ(n.stat.version, 1);
  EXPECT_TRUE(eventually([&] { return m.d.writer_queue().size() == 0 && m.d.distributor_queue().size() == 0; }));
  EXPECT_EQ(leased_keys(m.d), std::vector<std::string>{});
  EXPECT_EQ(store_disagreements(m.d), std::vector<std::string>{});
}

// Requests of different sessions waiting together in the distributor queue commit in one
// system-store transaction. A crash after that commit, before the publish, loses none of them:
// the redelivered messages find themselves committed in the latest commit transaction and are
// published again, each at its own txid, and answered once.
TEST(Faults, CrashAfterAGroupCommitRepublishesEveryMessageOfTheGroup) {
  std::mutex mu;
  std::condition_variable cv;
  bool hold = false, held = false, released = false;
  std::atomic<int> commits{0}, crash_at{-1};
  ManualTimeDeployment m([&](std::string_view step) {
    if (step == "distributor.committed" && ++commits == crash_at.load())
      throw std::runtime_error("injected crash after the group commit");
    if (step != "distributor.received") return;
    std::unique_lock lock(mu);
    if (!hold) return;
    hold = false;
    held = true;
    cv.notify_all();
    cv.wait(lock, [&] { return released; });
  });
  ReleaseOnExit release{mu, cv, released};  // however the test ends, the distributor is let go

  constexpr int kClients = 4;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i <= kClients; ++i) {
    clients.push_back(connect(m.d));
    must(clients.back()->create("/g" + std::to_string(i), std::string("0")));
  }
  // Client 0's set holds the distributor; the others' sets queue up behind it.
  {
    std::lock_guard lock(mu);
    hold = true;
  }
  auto first = clients[0]->set_async("/g0", std::string("v"), 0);
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return held; })) << "the distributor never received the first set";
  }
  std::vector<std::future<Result<Stat>>> sets;
  for (int i = 1; i <= kClients; ++i) sets.push_back(clients[i]->set_async("/g" + std::to_string(i), std::string("v"), 0));
  ASSERT_TRUE(eventually([&] { return m.d.distributor_queue().size() == kClients + 1; }));
  EXPECT_NE(first.wait_for(0s), std::future_status::ready) << "the first set must still be pending";

  // The first set commits alone; the next batch is the group, and the crash follows its commit.
  crash_at = commits + 2;
  {
    std::lock_guard lock(mu);
    released = true;
  }
  cv.notify_all();
  ASSERT_TRUE(first.get().ok());
  ASSERT_TRUE(eventually([&] { return commits >= crash_at; })) << "the group never committed";
  auto counter = must(m.d.system_store().get("txid"));
  ASSERT_TRUE(counter.has_value());
  EXPECT_EQ(get_int(*counter, "v").value_or(0) - get_int(*counter, "f").value_or(0), kClients - 1)
      << "the queued sets did not commit as one transaction";

  m.clock.advance(60'001);  // the group's messages are redelivered
  std::set<int64_t> txids;
  for (int i = 0; i < kClients; ++i) {
    auto r = sets[i].get();
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->version, 1);
    txids.insert(r->mzxid);
    NodeData n = must(clients[0]->get("/g" + std::to_string(i + 1)));
    EXPECT_EQ(n.data, std::optional<std::string>("v")) << "/g" << i + 1 << " was committed but never published";
    EXPECT_EQ(n.stat.mzxid, r->mzxid);
  }
  EXPECT_EQ(txids.size(), static_cast<size_t>(kClients)) << "each message keeps its own txid";
  EXPECT_EQ(*txids.rbegin() - *txids.begin(), kClients - 1) << "the group's txids are consecutive";
  EXPECT_TRUE(eventually([&] { return m.d.writer_queue().size() == 0 && m.d.distributor_queue().size() == 0; }));
  EXPECT_EQ(leased_keys(m.d), std::vector<std::string>{});
  EXPECT_EQ(store_disagreements(m.d), std::vector<std::string>{});
}
