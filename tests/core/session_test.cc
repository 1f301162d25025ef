// Sessions (reference §3): close deletes the session's ephemerals in one transaction; the
// heartbeat expires a session whose client is gone; calls after close/expiry fail.
#include <gtest/gtest.h>

#include "test_support.h"

using namespace fk_test;

TEST(Session, CloseDeletesEphemeralsInOneTransaction) {
  EmbeddedDeployment d(test_options());
  auto observer = connect(d);
  auto owner = connect(d);
  must(observer->create("/p", std::string()));
  must(observer->create("/q", std::string()));
  must(observer->create("/p/keep", std::string()));
  must(owner->create("/p/e1", std::string(), CreateMode::Ephemeral));
  must(owner->create("/p/e2", std::string(), CreateMode::EphemeralSequential));
  must(owner->create("/q/e3", std::string(), CreateMode::Ephemeral));
  must(owner->create("/q/persistent", std::string()));  // not the session's to delete
  must(observer->create("/q/other", std::string(), CreateMode::Ephemeral));  // another session's
  Stat p_before = stat_of(*observer, "/p"), q_before = stat_of(*observer, "/q");
  EXPECT_EQ(p_before.num_children, 3);
  EXPECT_EQ(q_before.num_children, 3);

  must(owner->close());
  int64_t close_txid = owner->last_txid();

  Stat p = stat_of(*observer, "/p"), q = stat_of(*observer, "/q");
  EXPECT_EQ(sorted_children(*observer, "/p"), std::vector<std::string>{"keep"});
  EXPECT_EQ(sorted_children(*observer, "/q"), (std::vector<std::string>{"other", "persistent"}));
  EXPECT_EQ(p.num_children, 1);
  EXPECT_EQ(q.num_children, 2);
  EXPECT_EQ(p.cversion, p_before.cversion + 2);  // one per deleted child
  EXPECT_EQ(q.cversion, q_before.cversion + 1);
  // One transaction: both parents changed at the same txid, the close's.
  EXPECT_GT(p.pzxid, p_before.pzxid);
  EXPECT_EQ(p.pzxid, q.pzxid);
  EXPECT_EQ(p.pzxid, close_txid);
  EXPECT_EQ(p.mzxid, p_before.mzxid);
  EXPECT_EQ(q.mzxid, q_before.mzxid);
  EXPECT_TRUE(must(observer->exists("/q/other")).has_value());
  // The ephemeral index is gone with the nodes.
  EXPECT_TRUE(must(d.system_store().scan("e:" + std::to_string(owner->session_id()) + ":")).empty());
}

TEST(Session, CloseIsIdempotentAndLaterCallsFail) {
  EmbeddedDeployment d(test_options());
  auto c = connect(d);
  must(c->create("/n", std::string()));
  EXPECT_TRUE(c->close().ok());
  EXPECT_EQ(c->state(), SessionState::Closed);
  EXPECT_TRUE(c->close().ok());
  // client.h leaves the code after a client-side close unspecified; the client answers locally
  // with ConnectionLoss (the Java client would say SESSIONEXPIRED). Each call must answer at
  // once: a call that hangs is a failure (and the client is leaked so the hung call stays safe).
  Client* raw = c.get();
  struct Call {
    const char* name;
    std::function<Error()> run;
  };
  std::vector<Call> calls = {
      {"get", [raw] { return raw->get("/n").code(); }},
      {"exists", [raw] { return raw->exists("/n").code(); }},
      {"get_children", [raw] { return raw->get_children("/").code(); }},
      {"create", [raw] { return raw->create("/m", std::string()).code(); }},
      {"set", [raw] { return raw->set("/n", std::string()).code(); }},
      {"remove", [raw] { return raw->remove("/n").code(); }},
      {"multi", [raw] { return raw->multi({}).code(); }},
      {"get after writes", [raw] { return raw->get("/n").code(); }},
  };
  for (const auto& call : calls) {
    auto code = within<Error>(2s, call.run);
    if (!code) {
      ADD_FAILURE() << call.name << " after close() never returned";
      c.release();  // NOLINT: deliberately leaked, a hung call still uses it
      return;
    }
    EXPECT_EQ(*code, Error::ConnectionLoss) << call.name;
  }
  auto other = connect(d);
  EXPECT_FALSE(must(other->exists("/m")).has_value());
  EXPECT_TRUE(must(other->exists("/n")).has_value());
}

TEST(Session, DeletingAnEphemeralBeforeCloseIsFine) {
  EmbeddedDeployment d(test_options());
  auto observer = connect(d);
  auto c = connect(d);
  must(c->create("/e", std::string(), CreateMode::Ephemeral));
  must(c->create("/f", std::string(), CreateMode::Ephemeral));
  must(c->remove("/e"));
  must(c->close());
  EXPECT_FALSE(must(observer->exists("/e")).has_value());
  EXPECT_FALSE(must(observer->exists("/f")).has_value());
  EXPECT_EQ(sorted_children(*observer, "/"), std::vector<std::string>{"zookeeper"});
}

// ZooKeeper has no limit on a session's ephemerals; the close transaction must still go through
// even when it touches more items than one system-store transaction may hold (100).
TEST(Session, CloseWithManyEphemerals) {
  EmbeddedDeployment d(test_options());
  ClientOptions quick;
  quick.request_timeout = 3s;
  auto observer = connect(d, quick);
  auto c = connect(d, quick);
  must(observer->create("/many", std::string()));
  std::vector<std::future<Result<Created>>> pending;
  for (int i = 0; i < 60; ++i)
    pending.push_back(c->create_async("/many/e" + std::to_string(i), std::string(), CreateMode::Ephemeral));
  for (auto& f : pending) must(f.get());
  EXPECT_TRUE(c->close().ok());
  EXPECT_EQ(stat_of(*observer, "/many").num_children, 0);
  EXPECT_TRUE(observer->create("/after", std::string()).ok()) << "later writes must still commit";
}

// The same with DynamoDB's limit of 100 items per transaction (the AWS deployment): a session may
// own more ephemerals than one transaction can delete, and closing it must still delete them all.
TEST(Session, CloseWithManyEphemeralsUnderTheDynamoDbTransactionLimit) {
  EmbeddedDeployment d(test_options());
  // Set before any request exists; the queues order this write before every function's read.
  d.system_store().set_max_transaction_items(SystemStore::kMaxTxnOps);
  ClientOptions quick;
  quick.request_timeout = 3s;
  auto observer = connect(d, quick);
  auto c = connect(d, quick);
  must(observer->create("/many", std::string()));
  std::vector<std::future<Result<Created>>> pending;
  for (int i = 0; i < 60; ++i)
    pending.push_back(c->create_async("/many/e" + std::to_string(i), std::string(), CreateMode::Ephemeral));
  for (auto& f : pending) must(f.get());
  Status closed = c->close();
  EXPECT_TRUE(closed.ok()) << closed.to_string();
  EXPECT_TRUE(eventually([&] { return stat_of(*observer, "/many").num_children == 0; }, 3s))
      << stat_of(*observer, "/many").num_children << " ephemerals of the closed session remain";
  EXPECT_TRUE(observer->create("/after", std::string()).ok()) << "later writes must still commit";
}

namespace {

// A deployment on a ManualClock whose heartbeat runs only when the test says so.
struct ExpiryFixture {
  ExpiryFixture() : d(options()), transport(std::make_shared<CapturingTransport>(d.transport())) {}
  EmbeddedOptions options() {
    EmbeddedOptions o = test_options();
    o.clock = &clock;
    return o;
  }
  std::unique_ptr<Client> open(int32_t timeout_ms, std::chrono::milliseconds request_timeout = 5s) {
    ClientOptions o;
    o.session_timeout_ms = timeout_ms;
    o.request_timeout = request_timeout;
    return must(Client::open(transport, o), "open");
  }

  ManualClock clock;
  EmbeddedDeployment d;
  std::shared_ptr<CapturingTransport> transport;
};

}  // namespace

TEST(SessionExpiry, LiveClientsAreNotExpired) {
  ExpiryFixture f;
  auto a = f.open(1000);
  auto b = f.open(1000);
  must(a->create("/e", std::string(), CreateMode::Ephemeral));
  f.clock.advance(5000);
  HeartbeatReport report = must(f.d.runtime().run_heartbeat());
  EXPECT_EQ(report.alive, 2);
  EXPECT_EQ(report.expired, 0);
  EXPECT_TRUE(must(b->exists("/e")).has_value());
  EXPECT_TRUE(a->create("/still-alive", std::string()).ok());
}

TEST(SessionExpiry, HeartbeatExpiresADeadClientAndDeletesItsEphemerals) {
  ExpiryFixture f;
  auto observer = f.open(30'000);
  auto dead = f.open(1000, 3s);
  int64_t id = dead->session_id();
  must(observer->create("/p", std::string()));
  must(dead->create("/p/e", std::string(), CreateMode::Ephemeral));
  must(dead->create("/p/s-", std::string(), CreateMode::EphemeralSequential));
  Stat before = stat_of(*observer, "/p");

  // The client vanishes: its channel is gone and it answers no pings.
  f.d.channel().unregister_session(id);
  // Within the timeout nothing happens.
  f.clock.advance(1000);
  HeartbeatReport early = must(f.d.runtime().run_heartbeat());
  EXPECT_EQ(early.alive, 1);
  EXPECT_EQ(early.expired, 0);
  // Past it the session is expired.
  f.clock.advance(1);
  HeartbeatReport report = must(f.d.runtime().run_heartbeat());
  EXPECT_EQ(report.alive, 1);
  EXPECT_EQ(report.expired, 1);

  ASSERT_TRUE(eventually([&] { return stat_of(*observer, "/p").num_children == 0; }))
      << "the expired session's ephemerals were not deleted";
  Stat after = stat_of(*observer, "/p");
  EXPECT_EQ(after.cversion, before.cversion + 2);
  EXPECT_GT(after.pzxid, before.pzxid);
  EXPECT_FALSE(must(observer->exists("/p/e")).has_value());

  // An expired session is not expired again.
  HeartbeatReport later = must(f.d.runtime().run_heartbeat());
  EXPECT_EQ(later.expired, 0);
  EXPECT_EQ(later.alive, 1);

  // The client comes back: its next write is refused with SessionExpired, and from then on
  // every call fails the same way (client.h).
  f.d.channel().register_session(id, f.transport->receiver(id));
  EXPECT_EQ(dead->create("/p/again", std::string(), CreateMode::Ephemeral).code(), Error::SessionExpired);
  EXPECT_FALSE(must(observer->exists("/p/again")).has_value());
  EXPECT_EQ(dead->state(), SessionState::Expired);
  EXPECT_EQ(dead->get("/p").code(), Error::SessionExpired);
  EXPECT_EQ(dead->set("/p", std::string()).code(), Error::SessionExpired);
  auto t0 = std::chrono::steady_clock::now();
  dead->close();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s) << "closing an expired session must not wait for a reply";
}
