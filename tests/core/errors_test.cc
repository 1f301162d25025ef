// Error precedence and error codes (reference §1.1, §1.2, §1.4, §7.7, §7.10-12, §7.18, §7.21):
// the first failing check wins, exactly as in ZooKeeper's PrepRequestProcessor.
#include <gtest/gtest.h>

#include "core/path.h"
#include "test_support.h"

using namespace fk_test;

namespace {

class Errors : public ::testing::Test {
 protected:
  Errors() : d_(test_options()) { c_ = connect(d_); }

  void plain(const std::string& path, Data data = std::string()) {
    must(c_->create(path, std::move(data)), "create " + path);
  }
  Error create_code(const std::string& path, CreateMode mode = CreateMode::Persistent, int64_t ttl = -1) {
    return c_->create(path, std::string(), mode, ttl).code();
  }

  EmbeddedDeployment d_;
  std::unique_ptr<Client> c_;
};

CreateRequest create_op(std::string path, CreateMode mode = CreateMode::Persistent) {
  return CreateRequest{std::move(path), std::string(), mode, -1};
}

std::vector<Error> codes(const std::vector<OpResult>& results) {
  std::vector<Error> out;
  for (const auto& r : results) out.push_back(r.err);
  return out;
}

}  // namespace

TEST(ErrorCodes, NumericValuesAreZooKeepers) {
  EXPECT_EQ(static_cast<int>(Error::Ok), 0);
  EXPECT_EQ(static_cast<int>(Error::RuntimeInconsistency), -2);
  EXPECT_EQ(static_cast<int>(Error::ConnectionLoss), -4);
  EXPECT_EQ(static_cast<int>(Error::MarshallingError), -5);
  EXPECT_EQ(static_cast<int>(Error::BadArguments), -8);
  EXPECT_EQ(static_cast<int>(Error::NoNode), -101);
  EXPECT_EQ(static_cast<int>(Error::BadVersion), -103);
  EXPECT_EQ(static_cast<int>(Error::NoChildrenForEphemerals), -108);
  EXPECT_EQ(static_cast<int>(Error::NodeExists), -110);
  EXPECT_EQ(static_cast<int>(Error::NotEmpty), -111);
  EXPECT_EQ(static_cast<int>(Error::SessionExpired), -112);
  EXPECT_EQ(error_name(Error::NoNode), "NONODE");
  EXPECT_EQ(error_name(Error::BadVersion), "BADVERSION");
  EXPECT_EQ(error_name(Error::NoChildrenForEphemerals), "NOCHILDRENFOREPHEMERALS");
}

// §7.11: a wrong version on a non-empty node is BADVERSION; -1 (or the right version) NOTEMPTY.
TEST_F(Errors, DeleteChecksVersionBeforeChildren) {
  plain("/p");
  plain("/p/c");
  EXPECT_EQ(c_->remove("/p", 5).code(), Error::BadVersion);
  EXPECT_EQ(c_->remove("/p", -1).code(), Error::NotEmpty);
  EXPECT_EQ(c_->remove("/p", 0).code(), Error::NotEmpty);
  EXPECT_TRUE(must(c_->exists("/p")).has_value());
}

TEST_F(Errors, SystemNodesCannotBeDeleted) {
  for (const char* p : {"/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"}) {
    EXPECT_EQ(c_->remove(p).code(), Error::BadArguments) << p;
    EXPECT_TRUE(must(c_->exists(p)).has_value()) << p;
  }
  plain("/zookeeper/mine");
  EXPECT_TRUE(c_->remove("/zookeeper/mine").ok());  // other children of /zookeeper are ordinary
}

TEST_F(Errors, CreateErrors) {
  EXPECT_EQ(create_code("/missing/child"), Error::NoNode);
  EXPECT_EQ(create_code("/missing/child/grandchild"), Error::NoNode);
  plain("/a");
  EXPECT_EQ(create_code("/a"), Error::NodeExists);
  EXPECT_EQ(create_code("/"), Error::NodeExists);
  EXPECT_EQ(create_code("/zookeeper"), Error::NodeExists);
}

// §7.12: no children under a plain ephemeral, in any mode.
TEST_F(Errors, NoChildrenForEphemerals) {
  must(c_->create("/1", std::string(), CreateMode::Ephemeral));
  for (CreateMode mode : {CreateMode::Persistent, CreateMode::Ephemeral, CreateMode::PersistentSequential,
                          CreateMode::EphemeralSequential, CreateMode::Container})
    EXPECT_EQ(create_code("/1/2", mode), Error::NoChildrenForEphemerals) << static_cast<int>(mode);
  EXPECT_EQ(stat_of(*c_, "/1").num_children, 0);
  // Containers and TTL nodes may have children.
  must(c_->create("/k", std::string(), CreateMode::Container));
  EXPECT_TRUE(c_->create("/k/c", std::string()).ok());
  must(c_->create("/t", std::string(), CreateMode::PersistentWithTtl, 1000));
  EXPECT_TRUE(c_->create("/t/c", std::string()).ok());
}

// Check order: the parent is looked up (NONODE) before the full path is validated; the full
// path is validated before existence is checked.
TEST_F(Errors, CreateCheckOrder) {
  EXPECT_EQ(create_code("/missing/."), Error::NoNode);
  EXPECT_EQ(create_code("/missing/"), Error::NoNode);
  plain("/a");
  EXPECT_EQ(create_code("/a/."), Error::BadArguments);
  EXPECT_EQ(create_code("/a/"), Error::BadArguments);
  EXPECT_EQ(create_code("/a/\x1e"), Error::BadArguments);
  // The structural checks come first of all: no slash, or a NUL anywhere.
  EXPECT_EQ(create_code("a"), Error::BadArguments);
  EXPECT_EQ(create_code(""), Error::BadArguments);
  EXPECT_EQ(create_code(std::string("/missing\0/x", 11)), Error::BadArguments);
}

TEST_F(Errors, MissingNodes) {
  EXPECT_EQ(c_->set("/nope", std::string("x")).code(), Error::NoNode);
  EXPECT_EQ(c_->set("/nope", std::string("x"), 3).code(), Error::NoNode);
  EXPECT_EQ(c_->remove("/nope").code(), Error::NoNode);
  EXPECT_EQ(c_->remove("/nope/deeper").code(), Error::NoNode);
  EXPECT_EQ(c_->get("/nope").code(), Error::NoNode);
  EXPECT_EQ(c_->get_children("/nope").code(), Error::NoNode);
  auto e = c_->exists("/nope");
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->has_value());
}

// §7.18: a stale version is refused and changes nothing.
TEST_F(Errors, StaleVersionChangesNothing) {
  plain("/n", std::string("v0"));
  auto other = connect(d_);
  must(other->set("/n", std::string("v1"), 0));
  Stat before = stat_of(*c_, "/n");
  auto r = c_->set("/n", std::string("mine"), 0);
  EXPECT_EQ(r.code(), Error::BadVersion);
  NodeData after = must(c_->get("/n"));
  EXPECT_EQ(after.data, std::optional<std::string>("v1"));
  EXPECT_EQ(after.stat, before);
  EXPECT_EQ(after.stat.version, 1);
  EXPECT_EQ(c_->remove("/n", 0).code(), Error::BadVersion);
  EXPECT_TRUE(must(c_->exists("/n")).has_value());
  EXPECT_TRUE(c_->set("/n", std::string("any"), -1).ok());
}

TEST_F(Errors, InvalidPathsOnCreateAndSet) {
  plain("/a");
  // Paths whose parent exists (or that fail the structural checks), so validation decides.
  for (const std::string& p : {std::string("/a/"), std::string("//a"), std::string("/a/."), std::string("/a/.."),
                               std::string("/b\x1e"), std::string("/b\0", 3), std::string("/\xEF\xBF\xBF"),
                               std::string("relative")}) {
    EXPECT_EQ(c_->create(p, std::string()).code(), Error::BadArguments) << p;
    EXPECT_EQ(c_->set(p, std::string()).code(), Error::BadArguments) << p;
  }
  // setData validates first; create looks the parent ("/a/.") up first, so it is NONODE there.
  for (const char* p : {"/a/./b", "/a/../b"}) {
    EXPECT_EQ(c_->set(p, std::string()).code(), Error::BadArguments) << p;
    EXPECT_EQ(c_->create(p, std::string()).code(), Error::NoNode) << p;
  }
}

// §7.21 (kazoo test_create_invalid_path): "/." is invalid for writes that validate, absent for reads.
TEST_F(Errors, DotPath) {
  EXPECT_EQ(create_code("/."), Error::BadArguments);
  EXPECT_EQ(c_->set("/.", std::string()).code(), Error::BadArguments);
  EXPECT_EQ(c_->get("/.").code(), Error::NoNode);
  EXPECT_EQ(c_->remove("/.").code(), Error::NoNode);  // delete does no full validation
}

TEST_F(Errors, TtlMustBePositiveAndOnlyWithTtlModes) {
  for (int64_t ttl : {int64_t{0}, int64_t{-1}, int64_t{-5}, int64_t{0xFF'FFFF'FFFF} + 1}) {
    EXPECT_EQ(create_code("/t", CreateMode::PersistentWithTtl, ttl), Error::BadArguments) << ttl;
    EXPECT_EQ(create_code("/t-", CreateMode::PersistentSequentialWithTtl, ttl), Error::BadArguments) << ttl;
  }
  EXPECT_EQ(create_code("/t", CreateMode::Persistent, 100), Error::BadArguments);
  EXPECT_EQ(create_code("/t", CreateMode::Ephemeral, 0), Error::BadArguments);
  EXPECT_FALSE(must(c_->exists("/t")).has_value());
  EXPECT_TRUE(c_->create("/t", std::string(), CreateMode::PersistentWithTtl, 0xFF'FFFF'FFFF).ok());
}

// §1.1 step 1: an unknown create flag is BADARGUMENTS (not a dropped request).
TEST_F(Errors, UnknownCreateModeIsBadArguments) {
  ClientOptions quick;
  quick.request_timeout = 2s;
  auto c = connect(d_, quick);
  EXPECT_EQ(c->create("/m", std::string(), static_cast<CreateMode>(7)).code(), Error::BadArguments);
  EXPECT_EQ(c->create("/m", std::string(), static_cast<CreateMode>(-1)).code(), Error::BadArguments);
  EXPECT_TRUE(c->create("/ok", std::string()).ok());
}

// §7.7 (kazoo test_bad_transaction): ops before the failing one carry Ok, after it -2.
TEST_F(Errors, FailedMultiShapeAndRollback) {
  auto r = must(c_->multi({create_op("/fred"), DeleteRequest{"/smith", -1}}));
  EXPECT_EQ(codes(r), (std::vector<Error>{Error::Ok, Error::NoNode}));
  EXPECT_FALSE(must(c_->exists("/fred")).has_value());

  plain("/multi0");
  r = must(c_->multi({CheckRequest{"/multi0", 10}, create_op("/multi0/b")}));
  EXPECT_EQ(codes(r), (std::vector<Error>{Error::BadVersion, Error::RuntimeInconsistency}));
  EXPECT_FALSE(must(c_->exists("/multi0/b")).has_value());

  r = must(c_->multi({create_op("/x1"), create_op("/x2"), create_op("/x1"), create_op("/x3")}));
  EXPECT_EQ(codes(r), (std::vector<Error>{Error::Ok, Error::Ok, Error::NodeExists, Error::RuntimeInconsistency}));
  EXPECT_FALSE(must(c_->exists("/x1")).has_value());
  EXPECT_FALSE(must(c_->exists("/x2")).has_value());
  EXPECT_EQ(stat_of(*c_, "/").num_children, 2);  // zookeeper, multi0
}

TEST_F(Errors, EmptyMultiSucceeds) {
  auto r = c_->multi({});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->empty());
}

// §7.10 (zetcd testMultiOp): later ops see earlier ones; one txid for the whole multi.
TEST_F(Errors, MultiOpsSeeEachOtherAndShareOneTxid) {
  plain("/foo");
  auto r = must(c_->multi({create_op("/x"), DeleteRequest{"/x", -1}, SetDataRequest{"/foo", std::string("1"), 0}}));
  EXPECT_EQ(codes(r), (std::vector<Error>{Error::Ok, Error::Ok, Error::Ok}));
  EXPECT_FALSE(must(c_->exists("/x")).has_value());
  EXPECT_EQ(stat_of(*c_, "/foo").version, 1);

  r = must(c_->multi({create_op("/a"), create_op("/b"), create_op("/a/c"), CheckRequest{"/a/c", 0},
                      SetDataRequest{"/a", std::string("d"), 0}}));
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(codes(r), std::vector<Error>(5, Error::Ok));
  EXPECT_EQ(r[0].path, "/a");
  EXPECT_EQ(r[2].path, "/a/c");
  int64_t txid = c_->last_txid();
  Stat a = stat_of(*c_, "/a"), b = stat_of(*c_, "/b"), ac = stat_of(*c_, "/a/c");
  EXPECT_EQ(a.czxid, txid);
  EXPECT_EQ(b.czxid, txid);
  EXPECT_EQ(ac.czxid, txid);
  EXPECT_EQ(a.mzxid, txid);
  EXPECT_EQ(a.pzxid, txid);
  EXPECT_EQ(a.version, 1);
  EXPECT_EQ(a.num_children, 1);
  EXPECT_EQ(r[0].stat.czxid, txid);
  EXPECT_EQ(r[4].stat.version, 1);
}

// A committed request must not leave leases behind on nodes it only read (a check) or that it
// created and deleted again: another session would then wait for the lease to expire.
TEST_F(Errors, MultiLeavesNoLeaseOnCheckedOrTransientNodes) {
  plain("/checked");
  must(c_->multi({CheckRequest{"/checked", 0}, create_op("/tmp"), DeleteRequest{"/tmp", -1}}));
  EXPECT_EQ(leased_keys(d_), std::vector<std::string>{});

  ClientOptions quick;
  quick.request_timeout = 3s;
  auto other = connect(d_, quick);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(other->set("/checked", std::string("x"), 0).ok());
  EXPECT_TRUE(other->create("/tmp", std::string()).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

// A transaction larger than the system store's transaction limit (100 items) must be answered
// (applied, or refused with an error) and must not wedge the distributor for everyone else.
TEST_F(Errors, LargeMultiIsAnsweredAndDoesNotWedgeTheDeployment) {
  ClientOptions quick;
  quick.request_timeout = 3s;
  auto c = connect(d_, quick);
  must(c->create("/big", std::string()));
  std::vector<MultiOp> ops;
  for (int i = 0; i < 120; ++i) ops.push_back(create_op("/big/n" + std::to_string(i)));
  auto r = c->multi(ops);
  ASSERT_NE(r.code(), Error::ConnectionLoss) << "the multi got no answer";
  // All or nothing: either every create committed, or the multi was refused as too large.
  if (r.ok()) {
    EXPECT_EQ(codes(*r), std::vector<Error>(120, Error::Ok));
    EXPECT_EQ(stat_of(*c, "/big").num_children, 120);
  } else {
    EXPECT_EQ(r.code(), Error::BadArguments) << r.status().to_string();
    EXPECT_EQ(stat_of(*c, "/big").num_children, 0);
    EXPECT_EQ(stat_of(*c, "/big").cversion, 0);
  }
  auto other = connect(d_, quick);
  EXPECT_TRUE(other->create("/after", std::string()).ok()) << "later writes must still commit";
}

// An ephemeral created and deleted (or deleted and re-created) within one multi touches the
// session's ephemeral index twice; the transaction must still commit, leave the index exact,
// and not stall later writes.
TEST_F(Errors, MultiCreatesAndDeletesAnEphemeral) {
  ClientOptions quick;
  quick.request_timeout = 3s;
  auto c = connect(d_, quick);
  auto r = c->multi({create_op("/x", CreateMode::Ephemeral), DeleteRequest{"/x", -1}});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(codes(*r), (std::vector<Error>{Error::Ok, Error::Ok}));
  EXPECT_FALSE(must(c->exists("/x")).has_value());

  must(c->create("/y", std::string(), CreateMode::Ephemeral));
  r = c->multi({DeleteRequest{"/y", -1}, create_op("/y", CreateMode::Ephemeral)});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(codes(*r), (std::vector<Error>{Error::Ok, Error::Ok}));
  EXPECT_EQ(stat_of(*c, "/y").ephemeral_owner, c->session_id());

  EXPECT_TRUE(c_->create("/after", std::string()).ok()) << "later writes must still commit";
  std::string index = "e:" + std::to_string(c->session_id()) + ":";
  std::vector<std::string> keys;
  for (const auto& [key, item] : must(d_.system_store().scan(index))) keys.push_back(key);
  EXPECT_EQ(keys, std::vector<std::string>{index + "/y"});
  must(c->close());
  EXPECT_FALSE(must(c_->exists("/y")).has_value());
}
