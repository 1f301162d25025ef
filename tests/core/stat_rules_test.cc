// Stat update rules (reference §1.5, §7.3) observed through a client of an embedded deployment.
// The deployment runs on a ManualClock so ctime/mtime have exact expected values.
#include <gtest/gtest.h>

#include "functions/planner.h"
#include "test_support.h"

using namespace fk_test;

namespace {

constexpr int64_t kStart = 1'700'000'000'000;

class StatRules : public ::testing::Test {
 protected:
  StatRules() : d_(options()) { c_ = connect(d_); }

  EmbeddedOptions options() {
    EmbeddedOptions o = test_options();
    o.clock = &clock_;
    return o;
  }

  // Moves time forward between requests (nothing is in flight, so no visibility timeout or
  // lease is affected: each is far longer than the step).
  void tick(int64_t ms = 1000) { clock_.advance(ms); }

  ManualClock clock_{kStart};
  EmbeddedDeployment d_;
  std::unique_ptr<Client> c_;
};

}  // namespace

TEST_F(StatRules, CreateSetsEveryField) {
  Created cr = must(c_->create("/a", std::string("hello")));
  const Stat& s = cr.stat;
  EXPECT_GT(s.czxid, 0);
  EXPECT_EQ(s.mzxid, s.czxid);
  EXPECT_EQ(s.pzxid, s.czxid);
  EXPECT_EQ(s.ctime, kStart);
  EXPECT_EQ(s.mtime, kStart);
  EXPECT_EQ(s.version, 0);
  EXPECT_EQ(s.cversion, 0);
  EXPECT_EQ(s.aversion, 0);
  EXPECT_EQ(s.ephemeral_owner, 0);
  EXPECT_EQ(s.data_length, 5);
  EXPECT_EQ(s.num_children, 0);
  // The stored node shows exactly what the reply said, and the session observed the txid.
  NodeData got = must(c_->get("/a"));
  EXPECT_EQ(got.stat, s);
  EXPECT_EQ(got.data, std::optional<std::string>("hello"));
  EXPECT_EQ(c_->last_txid(), s.czxid);
}

TEST_F(StatRules, EphemeralOwnerIsTheSessionId) {
  Created e = must(c_->create("/e", std::string("x"), CreateMode::Ephemeral));
  EXPECT_EQ(e.stat.ephemeral_owner, c_->session_id());
  EXPECT_EQ(stat_of(*c_, "/e").ephemeral_owner, c_->session_id());
  Created es = must(c_->create("/es-", std::string(), CreateMode::EphemeralSequential));
  EXPECT_EQ(stat_of(*c_, es.path).ephemeral_owner, c_->session_id());
  Created p = must(c_->create("/p", std::string(), CreateMode::PersistentSequential));
  EXPECT_EQ(stat_of(*c_, p.path).ephemeral_owner, 0);
  Created t = must(c_->create("/t", std::string(), CreateMode::PersistentWithTtl, 60'000));
  EXPECT_EQ(stat_of(*c_, t.path).ephemeral_owner, 0);
  Created k = must(c_->create("/k", std::string(), CreateMode::Container));
  EXPECT_EQ(stat_of(*c_, k.path).ephemeral_owner, 0);
}

TEST_F(StatRules, SetBumpsVersionAndMzxidOnly) {
  Stat created = must(c_->create("/a", std::string("hello"))).stat;
  tick(1000);
  Stat set = must(c_->set("/a", std::string("hi"), 0));
  EXPECT_GT(set.mzxid, created.mzxid);
  EXPECT_EQ(set.czxid, created.czxid);
  EXPECT_EQ(set.pzxid, created.pzxid);
  EXPECT_EQ(set.version, 1);
  EXPECT_EQ(set.ctime, kStart);
  EXPECT_EQ(set.mtime, kStart + 1000);
  EXPECT_EQ(set.data_length, 2);
  EXPECT_EQ(set.cversion, 0);
  EXPECT_EQ(set.num_children, 0);
  EXPECT_EQ(stat_of(*c_, "/a"), set);
  EXPECT_EQ(c_->last_txid(), set.mzxid);

  // Writing identical bytes still bumps the version; -1 matches any version.
  Stat again = must(c_->set("/a", std::string("hi"), -1));
  EXPECT_EQ(again.version, 2);
  EXPECT_GT(again.mzxid, set.mzxid);
}

TEST_F(StatRules, ChildCreateChangesParentChildFieldsOnly) {
  must(c_->create("/p", std::string("d")));
  Stat before = stat_of(*c_, "/p");
  tick(1000);
  Stat child = must(c_->create("/p/c", std::string())).stat;
  Stat after = stat_of(*c_, "/p");
  EXPECT_EQ(after.pzxid, child.czxid);
  EXPECT_EQ(after.cversion, 1);
  EXPECT_EQ(after.num_children, 1);
  EXPECT_EQ(after.mzxid, before.mzxid);
  EXPECT_EQ(after.version, 0);
  EXPECT_EQ(after.mtime, kStart);
  EXPECT_EQ(after.czxid, before.czxid);
  EXPECT_EQ(after.data_length, 1);
  EXPECT_EQ(child.ctime, kStart + 1000);
}

TEST_F(StatRules, ChildDeleteChangesPzxidAndCversion) {
  must(c_->create("/p", std::string()));
  must(c_->create("/p/a", std::string()));
  Stat second = must(c_->create("/p/b", std::string())).stat;
  Stat with_two = stat_of(*c_, "/p");
  EXPECT_EQ(with_two.cversion, 2);
  EXPECT_EQ(with_two.num_children, 2);
  EXPECT_EQ(with_two.pzxid, second.czxid);

  tick(1000);
  must(c_->remove("/p/a"));
  int64_t delete_txid = c_->last_txid();
  Stat after = stat_of(*c_, "/p");
  EXPECT_GT(delete_txid, second.czxid);
  EXPECT_EQ(after.pzxid, delete_txid);
  EXPECT_EQ(after.cversion, 3);  // 2 * 2 creations - 1 child
  EXPECT_EQ(after.num_children, 1);
  EXPECT_EQ(after.mzxid, with_two.mzxid);
  EXPECT_EQ(after.mtime, with_two.mtime);
  EXPECT_EQ(after.version, 0);
  EXPECT_EQ(sorted_children(*c_, "/p"), std::vector<std::string>{"b"});
}

// Reference §7.3, verbatim.
TEST_F(StatRules, VisibleCversionVersusStoredCounter) {
  Stat p = must(c_->create("/p", std::string())).stat;
  must(c_->create("/p/a", std::string()));
  must(c_->remove("/p/a"));
  int64_t delete_txid = c_->last_txid();
  Stat s = stat_of(*c_, "/p");
  EXPECT_EQ(s.cversion, 2);
  EXPECT_EQ(s.num_children, 0);
  EXPECT_EQ(s.pzxid, delete_txid);
  EXPECT_EQ(s.mzxid, p.mzxid);
  EXPECT_EQ(must(c_->create("/p/x", std::string(), CreateMode::PersistentSequential)).path, "/p/x0000000001");
  EXPECT_EQ(stat_of(*c_, "/p").cversion, 3);  // 2 * 2 - 1
}

TEST_F(StatRules, FreshRootAndSystemNodes) {
  Stat root = stat_of(*c_, "/");
  EXPECT_EQ(root.cversion, -1);
  EXPECT_EQ(root.num_children, 1);
  EXPECT_EQ(root.czxid, 0);
  EXPECT_EQ(root.mzxid, 0);
  EXPECT_EQ(root.pzxid, 0);
  EXPECT_EQ(root.version, 0);
  EXPECT_EQ(root.ephemeral_owner, 0);
  EXPECT_EQ(sorted_children(*c_, "/"), std::vector<std::string>{"zookeeper"});
  EXPECT_EQ(sorted_children(*c_, "/zookeeper"), (std::vector<std::string>{"config", "quota"}));
  EXPECT_EQ(stat_of(*c_, "/zookeeper/quota").num_children, 0);
  EXPECT_EQ(stat_of(*c_, "/zookeeper/config").num_children, 0);
  EXPECT_EQ(stat_of(*c_, "/zookeeper").num_children, 2);

  // The root's stored counter starts at 0, so its first sequential child ends in 0000000000,
  // and after it the visible cversion is 2*1 - 2 = 0.
  EXPECT_EQ(must(c_->create("/s", std::string(), CreateMode::PersistentSequential)).path, "/s0000000000");
  Stat root2 = stat_of(*c_, "/");
  EXPECT_EQ(root2.cversion, 0);
  EXPECT_EQ(root2.num_children, 2);
}

TEST_F(StatRules, CreatingUnderZookeeperIsAllowed) {
  must(c_->create("/zookeeper/mine", std::string()));
  EXPECT_EQ(sorted_children(*c_, "/zookeeper"), (std::vector<std::string>{"config", "mine", "quota"}));
}

TEST_F(StatRules, TxidsStrictlyIncreaseAcrossWritesAndSessions) {
  auto other = connect(d_);
  std::vector<int64_t> txids;
  txids.push_back(must(c_->create("/t", std::string())).stat.czxid);
  txids.push_back(must(other->create("/t/a", std::string())).stat.czxid);
  txids.push_back(must(c_->set("/t", std::string("1"))).mzxid);
  txids.push_back(must(other->set("/t/a", std::string("2"))).mzxid);
  must(c_->remove("/t/a"));
  txids.push_back(c_->last_txid());
  txids.push_back(must(other->create("/t/b", std::string(), CreateMode::Ephemeral)).stat.czxid);
  auto multi = must(c_->multi({CreateRequest{"/t/m", std::string(), CreateMode::Persistent, -1}}));
  txids.push_back(multi.at(0).stat.czxid);
  for (size_t i = 1; i < txids.size(); ++i) EXPECT_LT(txids[i - 1], txids[i]) << "write " << i;
  // The multi's create is the latest change to /t's children.
  EXPECT_EQ(stat_of(*c_, "/t").pzxid, txids.back());
}

TEST_F(StatRules, NullAndEmptyDataAreDistinct) {
  must(c_->create("/null", std::nullopt));
  must(c_->create("/empty", std::string()));
  NodeData n = must(c_->get("/null"));
  NodeData e = must(c_->get("/empty"));
  EXPECT_EQ(n.data, std::nullopt);
  EXPECT_EQ(n.stat.data_length, 0);
  ASSERT_TRUE(e.data.has_value());
  EXPECT_EQ(*e.data, "");
  EXPECT_EQ(e.stat.data_length, 0);

  must(c_->set("/empty", std::nullopt));
  EXPECT_EQ(must(c_->get("/empty")).data, std::nullopt);
  must(c_->set("/null", std::string()));
  EXPECT_EQ(must(c_->get("/null")).data, std::optional<std::string>(""));
}

TEST_F(StatRules, DataOfExactlyTheLimitIsAcceptedOneMoreIsRefused) {
  std::string max(kMaxDataBytes, 'x');
  Created cr = must(c_->create("/big", max));
  EXPECT_EQ(cr.stat.data_length, static_cast<int32_t>(kMaxDataBytes));
  NodeData got = must(c_->get("/big"));
  ASSERT_TRUE(got.data.has_value());
  EXPECT_EQ(got.data->size(), kMaxDataBytes);
  EXPECT_EQ(*got.data, max);

  std::string over(kMaxDataBytes + 1, 'y');
  auto refused = c_->create("/bigger", over);
  EXPECT_EQ(refused.code(), Error::BadArguments);
  EXPECT_NE(refused.status().message().find(std::to_string(kMaxDataBytes)), std::string::npos)
      << refused.status().message();
  EXPECT_FALSE(must(c_->exists("/bigger")).has_value());

  auto set = c_->set("/big", over);
  EXPECT_EQ(set.code(), Error::BadArguments);
  EXPECT_NE(set.status().message().find(std::to_string(kMaxDataBytes)), std::string::npos);
  EXPECT_EQ(stat_of(*c_, "/big").version, 0);
  EXPECT_TRUE(c_->set("/big", std::string(kMaxDataBytes, 'z')).ok());
}

// Data versions (§1.2, ZOOKEEPER-4743 on master): +1, wrapping past INT32_MAX to INT32_MIN and
// skipping -1, which means "any version" in requests.
TEST(NextVersion, WrapsAndSkipsMinusOne) {
  EXPECT_EQ(next_version(0), 1);
  EXPECT_EQ(next_version(41), 42);
  EXPECT_EQ(next_version(INT32_MAX), INT32_MIN);
  EXPECT_EQ(next_version(INT32_MIN), INT32_MIN + 1);
  EXPECT_EQ(next_version(-2), 0);
}
