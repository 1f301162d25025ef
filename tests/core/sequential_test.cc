// Sequential names (reference §1.1, §7.1, §7.2, §7.4, §7.6): the suffix is the parent's stored
// child-creation counter, 10 digits, per parent, never decreased by deletes.
#include <gtest/gtest.h>

#include <climits>
#include <map>

#include "functions/planner.h"
#include "test_support.h"

using namespace fk_test;

namespace {

class Sequential : public ::testing::Test {
 protected:
  Sequential() : d_(test_options()) { c_ = connect(d_); }

  std::string seq(const std::string& prefix, CreateMode mode = CreateMode::PersistentSequential) {
    return must(c_->create(prefix, std::string(), mode), "create " + prefix).path;
  }
  void plain(const std::string& path) { must(c_->create(path, std::string()), "create " + path); }

  EmbeddedDeployment d_;
  std::unique_ptr<Client> c_;
};

}  // namespace

// §7.1 (ClickHouse PR 17700): every child creation counts, sequential or not.
TEST_F(Sequential, CounterCountsEveryChildCreation) {
  plain("/test");
  plain("/test/a");
  plain("/test/b");
  EXPECT_EQ(seq("/test/c-"), "/test/c-0000000002");
  plain("/test/d");
  EXPECT_EQ(seq("/test/e-"), "/test/e-0000000004");
}

// §7.2 (zk_shell issue 114).
TEST_F(Sequential, CounterSurvivesDeletes) {
  plain("/q");
  EXPECT_EQ(seq("/q/bar"), "/q/bar0000000000");
  EXPECT_EQ(seq("/q/bar"), "/q/bar0000000001");
  must(c_->remove("/q/bar0000000000"));
  must(c_->remove("/q/bar0000000001"));
  EXPECT_EQ(seq("/q/bar"), "/q/bar0000000002");
}

// §7.4 (kazoo test_create_sequence; zetcd TestCreateSequential).
TEST_F(Sequential, TrailingSlashNamesTheChildBySuffixOnly) {
  plain("/folder");
  EXPECT_EQ(seq("/folder/a"), "/folder/a0000000000");
  EXPECT_EQ(seq("/folder/a"), "/folder/a0000000001");
  EXPECT_EQ(seq("/folder/"), "/folder/0000000002");
  EXPECT_EQ(sorted_children(*c_, "/folder"),
            (std::vector<std::string>{"0000000002", "a0000000000", "a0000000001"}));
  plain("/abc");
  plain("/abc/defg");
  EXPECT_EQ(seq("/abc/defg/"), "/abc/defg/0000000000");
}

TEST_F(Sequential, TrailingSlashWithoutSequentialFlagIsInvalid) {
  plain("/folder");
  EXPECT_EQ(c_->create("/folder/", std::string()).code(), Error::BadArguments);
}

TEST_F(Sequential, RootCounterStartsAtZero) {
  EXPECT_EQ(seq("/r-"), "/r-0000000000");
  EXPECT_EQ(seq("/r-"), "/r-0000000001");
}

TEST_F(Sequential, EphemeralSequentialNamesAndOwner) {
  plain("/locks");
  std::string a = seq("/locks/lock-", CreateMode::EphemeralSequential);
  std::string b = seq("/locks/lock-", CreateMode::EphemeralSequential);
  EXPECT_EQ(a, "/locks/lock-0000000000");
  EXPECT_EQ(b, "/locks/lock-0000000001");
  EXPECT_EQ(stat_of(*c_, a).ephemeral_owner, c_->session_id());

  auto other = connect(d_);
  EXPECT_EQ(must(other->create("/locks/lock-", std::string(), CreateMode::EphemeralSequential)).path,
            "/locks/lock-0000000002");
  must(c_->close());
  // The closed session's nodes are gone; the counter is not reused.
  EXPECT_EQ(sorted_children(*other, "/locks"), std::vector<std::string>{"lock-0000000002"});
  EXPECT_EQ(must(other->create("/locks/lock-", std::string(), CreateMode::EphemeralSequential)).path,
            "/locks/lock-0000000003");
}

TEST_F(Sequential, SequentialTtlNodesAreNamedLikeAnyOther) {
  plain("/t");
  auto r = must(c_->create("/t/n", std::string(), CreateMode::PersistentSequentialWithTtl, 60'000));
  EXPECT_EQ(r.path, "/t/n0000000000");
  EXPECT_EQ(seq("/t/n"), "/t/n0000000001");
  EXPECT_EQ(stat_of(*c_, r.path).ephemeral_owner, 0);
}

TEST_F(Sequential, CountersArePerParent) {
  plain("/x");
  plain("/y");
  EXPECT_EQ(seq("/x/n"), "/x/n0000000000");
  EXPECT_EQ(seq("/x/n"), "/x/n0000000001");
  EXPECT_EQ(seq("/x/n"), "/x/n0000000002");
  EXPECT_EQ(seq("/y/n"), "/y/n0000000000");
  plain("/x/n0000000002/child");
  EXPECT_EQ(seq("/x/n0000000002/n"), "/x/n0000000002/n0000000001");
  EXPECT_EQ(seq("/x/n"), "/x/n0000000003");
}

TEST_F(Sequential, SuffixCollidingWithAnExistingNodeIsNodeExists) {
  plain("/p");
  plain("/p/n0000000001");  // counter 0 -> 1: the next suffix names this very node
  auto r = c_->create("/p/n", std::string(), CreateMode::PersistentSequential);
  EXPECT_EQ(r.code(), Error::NodeExists);
  EXPECT_EQ(stat_of(*c_, "/p").cversion, 1);  // the failed create did not count
  plain("/p/other");
  EXPECT_EQ(seq("/p/n"), "/p/n0000000002");
}

TEST_F(Sequential, FailedMultiDoesNotAdvanceTheCounter) {
  plain("/sq");
  auto results = must(c_->multi({CreateRequest{"/sq/n", std::string(), CreateMode::PersistentSequential, -1},
                                 CreateRequest{"/missing/x", std::string(), CreateMode::Persistent, -1}}));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].err, Error::Ok);
  EXPECT_EQ(results[1].err, Error::NoNode);
  EXPECT_EQ(seq("/sq/n"), "/sq/n0000000000");
}

TEST_F(Sequential, SequentialCreatesInOneMultiGetConsecutiveSuffixes) {
  plain("/mq");
  auto results = must(c_->multi({CreateRequest{"/mq/n", std::string(), CreateMode::PersistentSequential, -1},
                                 CreateRequest{"/mq/n", std::string(), CreateMode::PersistentSequential, -1}}));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].path, "/mq/n0000000000");
  EXPECT_EQ(results[1].path, "/mq/n0000000001");
  EXPECT_EQ(sorted_children(*c_, "/mq"), (std::vector<std::string>{"n0000000000", "n0000000001"}));
}

// §7.6: a stored counter at INT32_MAX gives suffix 2147483647, then wraps to -2147483648
// (Java int arithmetic). Reaching it through the deployment would take 2^31 creates, so this runs
// the planner over a map.
namespace {

class MapView final : public NodeView {
 public:
  std::map<std::string, schema::NodeState> nodes;
  Result<std::optional<schema::NodeState>> lookup(const std::string& path) override {
    auto it = nodes.find(path);
    if (it == nodes.end()) return std::optional<schema::NodeState>();
    return std::optional<schema::NodeState>(it->second);
  }
};

schema::NodeState parent_with_counter(int32_t counter) {
  schema::NodeState p;
  p.meta.czxid = p.meta.mzxid = p.meta.pzxid = 1;
  p.meta.child_counter = counter;
  return p;
}

const NodeWrite* write_for(const Plan& plan, const std::string& path) {
  for (const auto& w : plan.writes)
    if (w.path == path) return &w;
  return nullptr;
}

}  // namespace

TEST(SequentialOverflow, CounterWrapsToNegativeSuffix) {
  MapView view;
  view.nodes["/"] = parent_with_counter(1);
  view.nodes["/p"] = parent_with_counter(INT32_MAX);
  CreateRequest create{"/p/n", std::string(), CreateMode::PersistentSequential, -1};

  auto first = plan_operation(view, create, PlanInput{7, 1000});
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  ASSERT_EQ(first->reply.err, Error::Ok) << first->reply.message;
  EXPECT_EQ(first->reply.results.at(0).path, "/p/n2147483647");
  const NodeWrite* p = write_for(*first, "/p");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->meta.child_counter, INT32_MIN);

  view.nodes["/p"] = parent_with_counter(INT32_MIN);
  auto second = plan_operation(view, create, PlanInput{7, 1000});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->reply.results.at(0).path, "/p/n-2147483648");
  p = write_for(*second, "/p");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->meta.child_counter, INT32_MIN + 1);
}
