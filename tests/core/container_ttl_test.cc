// Container and TTL nodes (reference §1.1, docs/containers.md): the heartbeat's reaper deletes an
// empty container that once had a child and an empty TTL node untouched for longer than its TTL,
// through the ordinary write path (txid, parent cversion/pzxid, watches), and never deletes a
// node that changed after the reaper looked at it.
//
// The deployment runs on a ManualClock and its heartbeat runs only when a test calls it, so every
// "is it due yet" decision is made at a time the test chose.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "test_support.h"

using namespace fk_test;

namespace {

// Holds the first writer invocation that reaches "writer.received" after arm() until open():
// the test then knows a request was queued and has not been looked at by any writer yet. Only
// armed while the request under test is the only one in flight.
class WriterGate {
 public:
  std::function<void(std::string_view)> hook() {
    return [this](std::string_view step) {
      if (step != "writer.received") return;
      std::unique_lock lock(mu_);
      if (!armed_) return;
      armed_ = false;
      caught_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
    };
  }
  void arm() {
    std::lock_guard lock(mu_);
    armed_ = true;
    caught_ = open_ = false;
  }
  bool wait_caught(std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [this] { return caught_; });
  }
  void open() {
    std::lock_guard lock(mu_);
    armed_ = false;
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false, caught_ = false, open_ = true;
};

// Collects watch events; a test waits for a count with a deadline.
class Events {
 public:
  Watcher watcher() {
    return [this](const WatchedEvent& e) {
      std::lock_guard lock(mu_);
      events_.push_back(e);
      cv_.notify_all();
    };
  }
  bool wait_for(size_t n, std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return events_.size() >= n; });
  }
  std::vector<WatchedEvent> all() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<WatchedEvent> events_;
};

class ContainerTtl : public ::testing::Test {
 protected:
  ContainerTtl() : d_(options()), c_(connect(d_)) {}
  // A writer held at the gate must be let go before the runtime is stopped.
  ~ContainerTtl() override { gate_.open(); }

  EmbeddedOptions options() {
    EmbeddedOptions o = test_options();
    o.clock = &clock_;
    o.step_hook = gate_.hook();
    return o;
  }

  // Runs the heartbeat (and so the reaper) now; returns how many reaps it queued.
  int heartbeat() {
    HeartbeatReport r = must(d_.runtime().run_heartbeat(), "heartbeat");
    return r.reaped;
  }
  bool exists(const std::string& path) { return must(c_->exists(path), "exists " + path).has_value(); }
  bool gone_eventually(const std::string& path) { return eventually([&] { return !exists(path); }); }

  // Paths listed in the reap index.
  std::vector<std::string> reap_index() {
    std::vector<std::string> out;
    for (const auto& [key, item] : must(d_.system_store().scan(schema::kReapPrefix), "scan"))
      out.push_back(key.substr(schema::kReapPrefix.size()));
    return out;
  }
  schema::SessionRecord system_session() {
    auto item = must(d_.system_store().get(schema::session_key(kSystemSessionId)), "get");
    auto s = schema::parse_session(item);
    if (!s) throw std::runtime_error("no system session record");
    return *s;
  }
  // Waits until the writer has refused the reaper's request `seq`; returns the refusal code.
  Error refusal_of(uint64_t seq) {
    if (!eventually([&] { return d_.system_store().get(schema::session_key(kSystemSessionId)).ok() &&
                                 system_session().decided_seq >= seq; }))
      throw std::runtime_error("the reap request was never decided");
    EXPECT_LT(system_session().applied_seq, seq) << "the reap request committed";
    return system_session().decided_err;
  }
  // A container at `path` that had a child and is empty again: due for reaping.
  void used_container(const std::string& path) {
    must(c_->create(path, std::string(), CreateMode::Container));
    must(c_->create(path + "/child", std::string()));
    must(c_->remove(path + "/child"));
  }

  WriterGate gate_;  // before d_: it outlives the runtime's threads
  ManualClock clock_;
  EmbeddedDeployment d_;
  std::unique_ptr<Client> c_;
};

}  // namespace

TEST_F(ContainerTtl, ContainerIsReapedOnceItsLastChildIsGone) {
  auto watcher = connect(d_);
  must(c_->create("/app", std::string()));
  must(c_->create("/app/c", std::string("data"), CreateMode::Container));
  must(c_->create("/app/c/x", std::string()));
  EXPECT_EQ(reap_index(), std::vector<std::string>{"/app/c"});
  EXPECT_EQ(heartbeat(), 0) << "a container with a child is not due";

  must(c_->remove("/app/c/x"));
  Stat parent_before = stat_of(*c_, "/app");
  Events node_events, parent_events;
  ASSERT_TRUE(must(watcher->exists("/app/c", node_events.watcher())).has_value());
  must(watcher->get_children("/app", parent_events.watcher()));

  EXPECT_EQ(heartbeat(), 1);
  ASSERT_TRUE(gone_eventually("/app/c"));
  ASSERT_TRUE(node_events.wait_for(1));
  ASSERT_TRUE(parent_events.wait_for(1));
  WatchedEvent deleted = node_events.all()[0];
  EXPECT_EQ(deleted.type, EventType::NodeDeleted);
  EXPECT_EQ(deleted.path, "/app/c");
  WatchedEvent changed = parent_events.all()[0];
  EXPECT_EQ(changed.type, EventType::NodeChildrenChanged);
  EXPECT_EQ(changed.path, "/app");

  // An ordinary delete in the global order: its txid is the parent's new pzxid.
  Stat parent = stat_of(*c_, "/app");
  EXPECT_EQ(parent.num_children, 0);
  EXPECT_EQ(parent.cversion, parent_before.cversion + 1);
  EXPECT_GT(parent.pzxid, parent_before.pzxid);
  EXPECT_EQ(parent.pzxid, deleted.zxid);
  EXPECT_EQ(changed.zxid, deleted.zxid);
  EXPECT_EQ(parent.mzxid, parent_before.mzxid);
  EXPECT_EQ(system_session().applied_txid, deleted.zxid);
  // Later writes get later txids.
  EXPECT_GT(must(c_->create("/after", std::string())).stat.czxid, deleted.zxid);

  EXPECT_TRUE(reap_index().empty());
  EXPECT_TRUE(store_disagreements(d_).empty());
  EXPECT_EQ(heartbeat(), 0);
  EXPECT_TRUE(eventually([&] { return leased_keys(d_).empty(); })) << "the refused reap kept its leases";
}

TEST_F(ContainerTtl, ContainerThatNeverHadAChildIsKept) {
  must(c_->create("/c", std::string(), CreateMode::Container));
  must(c_->create("/busy", std::string(), CreateMode::Container));
  must(c_->create("/busy/x", std::string()));
  clock_.advance(24LL * 3600 * 1000);
  EXPECT_EQ(heartbeat(), 0);
  EXPECT_TRUE(exists("/c"));
  EXPECT_TRUE(exists("/busy/x"));
  // A container may be used later, and is reaped once emptied.
  must(c_->create("/c/x", std::string()));
  must(c_->remove("/c/x"));
  EXPECT_EQ(heartbeat(), 1);
  EXPECT_TRUE(gone_eventually("/c"));
  EXPECT_TRUE(exists("/busy"));
}

// A child created after the reaper looked, before its delete is planned: the delete is refused.
TEST_F(ContainerTtl, ContainerGettingAChildBeforeTheReapCommitsIsKept) {
  used_container("/c");
  gate_.arm();
  ASSERT_EQ(heartbeat(), 1);
  ASSERT_TRUE(gate_.wait_caught()) << "the reap request never reached a writer";
  must(c_->create("/c/late", std::string()));  // commits while the reap waits
  gate_.open();
  EXPECT_EQ(refusal_of(1), Error::BadVersion);
  EXPECT_TRUE(exists("/c"));
  EXPECT_EQ(sorted_children(*c_, "/c"), std::vector<std::string>{"late"});
  EXPECT_EQ(reap_index(), std::vector<std::string>{"/c"});
  EXPECT_TRUE(eventually([&] { return leased_keys(d_).empty(); })) << "the refused reap kept its leases";

  // Emptied again, it is due again and goes.
  must(c_->remove("/c/late"));
  EXPECT_EQ(heartbeat(), 1);
  EXPECT_TRUE(gone_eventually("/c"));
  EXPECT_TRUE(store_disagreements(d_).empty());
}

// The reaper names the node it saw (czxid): a container deleted and created again meanwhile is
// another node, one that never had a child.
TEST_F(ContainerTtl, RecreatedContainerIsNotReapedByAStaleRequest) {
  used_container("/c");
  gate_.arm();
  ASSERT_EQ(heartbeat(), 1);
  ASSERT_TRUE(gate_.wait_caught());
  must(c_->remove("/c"));
  must(c_->create("/c", std::string(), CreateMode::Container));
  gate_.open();
  EXPECT_EQ(refusal_of(1), Error::BadVersion);
  EXPECT_TRUE(exists("/c"));
  EXPECT_EQ(heartbeat(), 0);
  EXPECT_EQ(reap_index(), std::vector<std::string>{"/c"});
}

// Two heartbeats queue two reaps of the same node; the second finds it gone and changes nothing.
TEST_F(ContainerTtl, DuplicateReapsDeleteOnce) {
  must(c_->create("/p", std::string()));
  used_container("/p/c");
  gate_.arm();
  ASSERT_EQ(heartbeat(), 1);
  ASSERT_TRUE(gate_.wait_caught());
  EXPECT_EQ(heartbeat(), 1);  // the node is still there: queued again
  Stat before = stat_of(*c_, "/p");
  gate_.open();
  ASSERT_TRUE(gone_eventually("/p/c"));
  EXPECT_EQ(refusal_of(2), Error::NoNode);
  Stat after = stat_of(*c_, "/p");
  EXPECT_EQ(after.cversion, before.cversion + 1);
  EXPECT_EQ(system_session().applied_seq, 1u);
  EXPECT_TRUE(store_disagreements(d_).empty());
}

TEST_F(ContainerTtl, TtlNodeUntouchedBeyondItsTtlIsReaped) {
  Events events;
  auto watcher = connect(d_);
  Created t = must(c_->create("/t", std::string("v"), CreateMode::PersistentWithTtl, 1000));
  EXPECT_EQ(reap_index(), std::vector<std::string>{"/t"});
  ASSERT_TRUE(must(watcher->exists("/t", events.watcher())).has_value());
  clock_.advance(1000);
  EXPECT_EQ(heartbeat(), 0) << "due only when more than the TTL has passed";
  clock_.advance(1);
  EXPECT_EQ(heartbeat(), 1);
  ASSERT_TRUE(gone_eventually("/t"));
  ASSERT_TRUE(events.wait_for(1));
  EXPECT_EQ(events.all()[0].type, EventType::NodeDeleted);
  EXPECT_GT(events.all()[0].zxid, t.stat.czxid);
  EXPECT_TRUE(reap_index().empty());
  EXPECT_TRUE(store_disagreements(d_).empty());
}

TEST_F(ContainerTtl, TtlNodeTouchedWithinItsTtlIsKept) {
  must(c_->create("/t", std::string("v"), CreateMode::PersistentWithTtl, 1000));
  clock_.advance(800);
  must(c_->set("/t", std::string("w")));
  clock_.advance(800);  // 1600 ms after creation, 800 after the last change
  EXPECT_EQ(heartbeat(), 0);
  EXPECT_TRUE(exists("/t"));
  clock_.advance(201);
  EXPECT_EQ(heartbeat(), 1);
  EXPECT_TRUE(gone_eventually("/t"));
}

// Only data changes count as touching (ZooKeeper compares mtime); children keep it alive only
// while they exist.
TEST_F(ContainerTtl, TtlNodeWithChildrenIsKept) {
  must(c_->create("/t", std::string(), CreateMode::PersistentWithTtl, 1000));
  must(c_->create("/t/x", std::string()));
  clock_.advance(5000);
  EXPECT_EQ(heartbeat(), 0);
  EXPECT_TRUE(exists("/t/x"));
  must(c_->remove("/t/x"));
  EXPECT_EQ(heartbeat(), 1);
  EXPECT_TRUE(gone_eventually("/t"));
}

// A setData after the reaper looked refreshes the node: the reap is refused.
TEST_F(ContainerTtl, TtlNodeSetAfterTheReaperLookedIsKept) {
  must(c_->create("/t", std::string("v"), CreateMode::PersistentWithTtl, 1000));
  clock_.advance(1001);
  gate_.arm();
  ASSERT_EQ(heartbeat(), 1);
  ASSERT_TRUE(gate_.wait_caught());
  Stat set = must(c_->set("/t", std::string("fresh")));
  gate_.open();
  EXPECT_EQ(refusal_of(1), Error::BadVersion);
  EXPECT_TRUE(exists("/t"));
  EXPECT_EQ(stat_of(*c_, "/t").mtime, set.mtime);
  clock_.advance(1001);
  EXPECT_EQ(heartbeat(), 1);
  EXPECT_TRUE(gone_eventually("/t"));
}

TEST_F(ContainerTtl, SequentialTtlNodesAreNamedAndReapedLikeAnyOther) {
  must(c_->create("/q", std::string()));
  must(c_->create("/q/n-", std::string()));  // a plain child first: the counter is per parent
  Created a = must(c_->create("/q/n-", std::string(), CreateMode::PersistentSequentialWithTtl, 500));
  Created b = must(c_->create("/q/n-", std::string(), CreateMode::PersistentSequentialWithTtl, 2000));
  EXPECT_EQ(a.path, "/q/n-0000000001");
  EXPECT_EQ(b.path, "/q/n-0000000002");
  EXPECT_EQ(reap_index(), (std::vector<std::string>{a.path, b.path}));
  clock_.advance(501);
  EXPECT_EQ(heartbeat(), 1);
  EXPECT_TRUE(gone_eventually(a.path));
  EXPECT_TRUE(exists(b.path));
  EXPECT_EQ(reap_index(), std::vector<std::string>{b.path});
  // The counter is not reused after a reap.
  EXPECT_EQ(must(c_->create("/q/n-", std::string(), CreateMode::PersistentSequential)).path, "/q/n-0000000003");
}

// ZooKeeper stores 0x8000000000000000 (containers) and 0xFF00000000000000|ttl (TTL) in
// ephemeralOwner, but DataNode.copyStat shows clients 0 for both (getClientEphemeralOwner).
TEST_F(ContainerTtl, ClientsSeeEphemeralOwnerZero) {
  Created k = must(c_->create("/k", std::string(), CreateMode::Container));
  Created t = must(c_->create("/t", std::string(), CreateMode::PersistentWithTtl, 60'000));
  Created s = must(c_->create("/s-", std::string(), CreateMode::PersistentSequentialWithTtl, 60'000));
  for (const Created* n : {&k, &t, &s}) {
    EXPECT_EQ(n->stat.ephemeral_owner, 0) << n->path;
    EXPECT_EQ(stat_of(*c_, n->path).ephemeral_owner, 0) << n->path;
    EXPECT_EQ(must(c_->get(n->path)).stat.ephemeral_owner, 0) << n->path;
  }
  EXPECT_EQ(must(c_->set("/t", std::string("x"))).ephemeral_owner, 0);
}

TEST_F(ContainerTtl, BadArgumentsAndNoChildrenForEphemerals) {
  auto code = [&](const std::string& path, CreateMode mode, int64_t ttl) {
    return c_->create(path, std::string(), mode, ttl).code();
  };
  EXPECT_EQ(code("/k", CreateMode::Container, 1000), Error::BadArguments);
  EXPECT_EQ(code("/k", CreateMode::Container, 0), Error::BadArguments);
  for (CreateMode m : {CreateMode::PersistentWithTtl, CreateMode::PersistentSequentialWithTtl}) {
    EXPECT_EQ(code("/t", m, 0), Error::BadArguments);
    EXPECT_EQ(code("/t", m, -1), Error::BadArguments);
    EXPECT_EQ(code("/t", m, 0xFF'FFFF'FFFFLL + 1), Error::BadArguments);
  }
  must(c_->create("/e", std::string(), CreateMode::Ephemeral));
  EXPECT_EQ(code("/e/k", CreateMode::Container, -1), Error::NoChildrenForEphemerals);
  EXPECT_EQ(code("/e/t", CreateMode::PersistentWithTtl, 1000), Error::NoChildrenForEphemerals);
  EXPECT_EQ(code("/e/s", CreateMode::PersistentSequentialWithTtl, 1000), Error::NoChildrenForEphemerals);
  // An invalid TTL is refused before the parent is looked at.
  EXPECT_EQ(code("/e/t", CreateMode::PersistentWithTtl, 0), Error::BadArguments);
  EXPECT_TRUE(reap_index().empty());
  EXPECT_EQ(sorted_children(*c_, "/"), (std::vector<std::string>{"e", "zookeeper"}));
}

// The index changes in the same transaction as the node: creates, deletes, and multis that
// create and delete (or replace) a node within one transaction.
TEST_F(ContainerTtl, ReapIndexFollowsEveryCommit) {
  must(c_->create("/k", std::string(), CreateMode::Container));
  must(c_->create("/t", std::string(), CreateMode::PersistentWithTtl, 1000));
  must(c_->create("/p", std::string()));
  EXPECT_EQ(reap_index(), (std::vector<std::string>{"/k", "/t"}));
  must(c_->remove("/t"));
  EXPECT_EQ(reap_index(), std::vector<std::string>{"/k"});
  // Created and deleted in one multi: never indexed.
  must(c_->multi({CreateRequest{"/m", std::string(), CreateMode::Container, -1}, DeleteRequest{"/m", -1}}));
  EXPECT_EQ(reap_index(), std::vector<std::string>{"/k"});
  // A container replaced by a persistent node: unindexed; and the other way round.
  must(c_->multi({DeleteRequest{"/k", -1}, CreateRequest{"/k", std::string(), CreateMode::Persistent, -1}}));
  must(c_->multi({DeleteRequest{"/p", -1}, CreateRequest{"/p", std::string(), CreateMode::PersistentWithTtl, 50}}));
  EXPECT_EQ(reap_index(), std::vector<std::string>{"/p"});
  // A failed multi changes nothing.
  auto refused = c_->multi({CreateRequest{"/z", std::string(), CreateMode::Container, -1},
                            CreateRequest{"/p", std::string(), CreateMode::Persistent, -1}});
  ASSERT_TRUE(refused.ok()) << refused.status().to_string();
  ASSERT_EQ(refused->size(), 2u);
  EXPECT_EQ((*refused)[0].err, Error::Ok);
  EXPECT_EQ((*refused)[1].err, Error::NodeExists);
  EXPECT_FALSE(exists("/z"));
  EXPECT_EQ(reap_index(), std::vector<std::string>{"/p"});
  clock_.advance(51);
  EXPECT_EQ(heartbeat(), 1);
  EXPECT_TRUE(gone_eventually("/p"));
  EXPECT_TRUE(exists("/k"));
  EXPECT_TRUE(store_disagreements(d_).empty());
}

// The heartbeat neither pings nor expires the system session, and client sessions are counted as
// before.
TEST_F(ContainerTtl, SystemSessionIsNotAClient) {
  used_container("/c");
  EXPECT_EQ(heartbeat(), 1);
  ASSERT_TRUE(gone_eventually("/c"));
  clock_.advance(3'600'000);
  HeartbeatReport r = must(d_.runtime().run_heartbeat());
  EXPECT_EQ(r.alive, 1);
  EXPECT_EQ(r.expired, 0);
  EXPECT_EQ(system_session().state, schema::SessionState::Alive);
}

// A ReapRequest from a client session is refused and deletes nothing.
TEST_F(ContainerTtl, OnlyTheSystemSessionMayReap) {
  used_container("/c");
  Stat st = stat_of(*c_, "/c");
  auto transport = d_.transport();
  const int64_t session = 4242;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Reply> replies;
  must(transport->attach(session, [&](const std::string& bytes) {
    auto m = decode_server_message(bytes);
    if (!m.ok() || !std::holds_alternative<Reply>(*m)) return;
    std::lock_guard lock(mu);
    replies.push_back(std::get<Reply>(*m));
    cv.notify_all();
  }));
  auto wait_replies = [&](size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 5s, [&] { return replies.size() >= n; });
  };
  must(transport->submit(ClientRequest{session, 1, OpenSessionRequest{30'000}}));
  ASSERT_TRUE(wait_replies(1));
  must(transport->submit(ClientRequest{session, 2, ReapRequest{"/c", st.czxid, st.mzxid, st.pzxid}}));
  ASSERT_TRUE(wait_replies(2));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(replies[0].err, Error::Ok);
    EXPECT_EQ(replies[1].seq, 2u);
    EXPECT_EQ(replies[1].err, Error::BadArguments);
  }
  EXPECT_TRUE(exists("/c"));
  transport->detach(session);
}
