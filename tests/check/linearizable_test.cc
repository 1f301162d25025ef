// Hand-made histories that ARE linearizable (and, next to each, the smallest change that makes
// it not, so no test passes by accident).
#include <gtest/gtest.h>

#include "builder.h"

namespace faaskeeper::check::testing {
namespace {

using K = AnomalyKind;

void expect_ok(const History& h, const CheckOptions& opt = {}) {
  Report r = check_history(h, opt);
  EXPECT_EQ(r.verdict, Verdict::Ok) << r.to_string();
  EXPECT_TRUE(r.anomalies.empty());
  EXPECT_TRUE(r.undecided.empty());
}

std::vector<K> kinds(const History& h, const CheckOptions& opt = {}) { return check_history(h, opt).kinds(); }

TEST(Linearizable, ConcurrentOverlappingWritesInEitherOrder) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 30, set("/a", "x"), ok_stat(vm(2, 6)));  // invoked first, applied second
  b.op(2, 15, 35, set("/a", "y"), ok_stat(vm(1, 5)));
  uint64_t last = b.op(3, 40, 50, get("/a"), ok_data("x", vm(2, 6)));
  expect_ok(b.h);

  b.h.ops[last].outcome = ok_data("y", vm(2, 6));  // "y" was version 1, not 2
  EXPECT_EQ(kinds(b.h), std::vector<K>{K::NotLinearizable});
}

TEST(Linearizable, ReadsSeeEitherSideOfAConcurrentWrite) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 50, set("/a", "x"), ok_stat(vm(1, 5)));
  b.op(2, 20, 30, get("/a"), ok_data("0", vm(0, 1)));  // before the write took effect
  b.op(3, 25, 35, get("/a"), ok_data("x", vm(1, 5)));  // after it
  expect_ok(b.h);

  // A read invoked after another read already returned the new value cannot see the old one.
  b.op(4, 36, 45, get("/a"), ok_data("0", vm(0, 1)));
  EXPECT_EQ(kinds(b.h), std::vector<K>{K::NotLinearizable});
  // ZooKeeper's own read guarantee allows it (different sessions, so no session rule applies).
  expect_ok(b.h, zk_reads());
}

TEST(Linearizable, IndeterminateWriteThatHappened) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 0, set("/a", "x"), unknown());
  b.op(2, 100, 110, get("/a"), ok_data("0", vm(0, 1)));  // not yet
  b.op(3, 200, 210, get("/a"), ok_data("x", vm(1, 7)));  // took effect late; zxid learnt here
  b.op(4, 300, 310, get("/a"), ok_data("x", vm(1, 7)));
  expect_ok(b.h);

  b.h.ops[3].outcome = ok_data("x", vm(1, 8));  // one write cannot have two zxids
  EXPECT_EQ(kinds(b.h), std::vector<K>{K::NotLinearizable});
}

TEST(Linearizable, IndeterminateWriteThatNeverHappened) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 20, set("/a", "x"), fail(Error::ConnectionLoss));  // indeterminate code
  b.op(2, 10, 0, del("/a"), unknown());
  b.op(3, 100, 110, get("/a"), ok_data("0", vm(0, 1)));
  b.op(4, 200, 210, get("/a"), ok_data("0", vm(0, 1)));
  expect_ok(b.h);

  // An indeterminate write may happen at most once: version 2 needs two writes.
  b.op(5, 300, 310, get("/a"), ok_data("x", vm(2, 9)));
  EXPECT_EQ(kinds(b.h), std::vector<K>{K::NotLinearizable});
}

TEST(Linearizable, TimedOutWriteMayTakeEffectAfterTheClientGaveUp) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 20, set("/a", "x"), fail(Error::OperationTimeout));
  b.op(2, 30, 40, get("/a"), ok_data("0", vm(0, 1)));
  b.op(3, 50, 60, get("/a"), ok_data("x", vm(1, 5)));
  expect_ok(b.h);
}

TEST(Linearizable, SequentialCreatesNamedByTheParentCounter) {
  HistoryBuilder b;
  b.node("/q", std::nullopt, 0, 1, 0, 0);
  auto seq = CreateMode::PersistentSequential;
  b.op(1, 10, 40, create("/q/n-", "a", seq), ok_created("/q/n-0000000001"));
  b.op(2, 15, 35, create("/q/n-", "b", seq), ok_created("/q/n-0000000000"));
  b.op(3, 50, 60, children("/q"), ok_children({"n-0000000001", "n-0000000000"}, kids(2, 2, 9)));
  b.op(3, 61, 70, get("/q/n-0000000000"), ok_data("b", vm(0, 8)));
  expect_ok(b.h);

  // Both cannot have received the same name.
  History dup = b.h;
  dup.ops[0].outcome = ok_created("/q/n-0000000000");
  dup.ops[2].outcome = ok_children({"n-0000000000"});
  EXPECT_EQ(kinds(dup), std::vector<K>{K::NotLinearizable});
  // Nor can the earlier create get the later number when they do not overlap.
  History order = b.h;
  order.ops[0].invoke = 0;
  order.ops[0].complete = 12;
  EXPECT_EQ(kinds(order), std::vector<K>{K::NotLinearizable});
}

TEST(Linearizable, IndeterminateSequentialCreateSeenOnlyInAListing) {
  HistoryBuilder b;
  b.node("/q", std::nullopt, 0, 1, 0, 0);
  auto seq = CreateMode::PersistentSequential;
  b.op(1, 10, 20, create("/q/n-", "a", seq), ok_created("/q/n-0000000000"));
  b.op(2, 30, 0, create("/q/n-", "c", seq), unknown());
  b.op(1, 40, 50, create("/q/n-", "d", seq), ok_created("/q/n-0000000002"));
  b.op(3, 60, 70, children("/q"), ok_children({"n-0000000000", "n-0000000001", "n-0000000002"}));
  b.op(3, 71, 80, get("/q/n-0000000001"), ok_data("c", vm(0, 12)));
  expect_ok(b.h);

  // Without the indeterminate create the counter cannot skip a number.
  History without = b.h;
  without.ops.erase(without.ops.begin() + 4);  // the read of n-0000000001
  without.ops.erase(without.ops.begin() + 1);  // the indeterminate create
  without.ops[2].outcome = ok_children({"n-0000000000", "n-0000000002"});
  EXPECT_EQ(kinds(without), std::vector<K>{K::NotLinearizable});
  // And a listing cannot show a child that nobody can have created; the report suspects a
  // missing declaration.
  History phantom = b.h;
  phantom.ops.erase(phantom.ops.begin() + 1);
  Report pr = check_history(phantom);
  EXPECT_EQ(pr.kinds(), std::vector<K>{K::NotLinearizable});
  ASSERT_EQ(pr.notes.size(), 1u);
  EXPECT_NE(pr.notes[0].find("/q/n-0000000001"), std::string::npos);
}

TEST(Linearizable, MultiIsAtomicAcrossPaths) {
  // A multi touches /a and /m, so their partitions merge and its atomicity is checked.
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 100, multi({create("/m", "m"), set("/a", "x")}), ok());
  b.op(2, 20, 30, get("/a"), ok_data("x", vm(1, 5)));
  b.op(3, 40, 50, exists("/m"), ok_stat(vm(0, 5)));
  Report r = check_history(b.h);
  EXPECT_EQ(r.verdict, Verdict::Ok) << r.to_string();
  EXPECT_EQ(r.partitions, 1u);

  // /a shows the multi's effect at t<30, so /m must exist at t>40.
  b.h.ops[2].outcome = ok();  // exists: absent
  EXPECT_EQ(kinds(b.h), std::vector<K>{K::NotLinearizable});

  // The same observations with two separate writes are fine: the create may come last.
  HistoryBuilder s;
  s.node("/a", "0");
  s.op(1, 10, 100, set("/a", "x"), ok());
  s.op(4, 10, 100, create("/m", "m"), ok_created("/m"));
  s.op(2, 20, 30, get("/a"), ok_data("x", vm(1, 5)));
  s.op(3, 40, 50, exists("/m"), ok());
  Report rs = check_history(s.h);
  EXPECT_EQ(rs.verdict, Verdict::Ok) << rs.to_string();
  EXPECT_EQ(rs.partitions, 2u);
}

TEST(Linearizable, FailedMultiRollsBackAndReportsTheFailingOp) {
  HistoryBuilder b;
  b.node("/a", "0");
  Outcome failed = fail(Error::BadVersion);
  failed.results = {SubResult{Error::Ok}, SubResult{Error::BadVersion}};
  b.op(1, 10, 20, multi({create("/m", "m"), check_version("/a", 3)}), failed);
  b.op(2, 30, 40, exists("/m"), ok());
  expect_ok(b.h);

  b.h.ops[0].outcome.results = {SubResult{Error::BadVersion}, SubResult{Error::RuntimeInconsistency}};
  EXPECT_EQ(kinds(b.h), std::vector<K>{K::NotLinearizable});  // the create cannot fail
}

TEST(Linearizable, SessionEndDeletesEphemeralsWithinItsWindow) {
  HistoryBuilder b;
  b.node("/p", std::nullopt, 0, 1);
  b.op(1, 10, 20, create("/p/e", "e", CreateMode::Ephemeral), ok_created("/p/e"));
  b.end_session(1, 100, 200);
  b.op(2, 150, 160, exists("/p/e"), ok_stat(vm(0, 5)));  // not yet gone
  b.op(2, 170, 180, children("/p"), ok_children({}));    // now gone
  b.op(3, 300, 310, exists("/p/e"), ok());
  expect_ok(b.h);

  b.h.ops[3].outcome = ok_stat(vm(0, 5));  // still there after the end completed
  EXPECT_EQ(kinds(b.h), std::vector<K>{K::NotLinearizable});
}

TEST(Linearizable, ModelErrorsAreChecked) {
  HistoryBuilder b;
  b.node("/a", "0").node("/p", "", 0, 1, 1, 1).node("/p/c", "c");
  b.op(1, 10, 20, set("/a", "x", 5), fail(Error::BadVersion));
  b.op(1, 21, 30, create("/a", "y"), fail(Error::NodeExists));
  b.op(1, 31, 40, del("/nope"), fail(Error::NoNode));
  b.op(1, 41, 50, create("/nope/x", "z"), fail(Error::NoNode));
  b.op(1, 51, 60, del("/p"), fail(Error::NotEmpty));
  b.op(1, 61, 70, exists("/nope"), fail(Error::NoNode));  // the C client's "absent"
  b.op(1, 71, 80, get("/nope"), fail(Error::NoNode));
  b.op(1, 81, 90, set("/a", "x", 0), ok_stat(vm(1, 5)));
  expect_ok(b.h);

  b.h.ops[0].request.version = 0;  // version 0 matches, so BADVERSION is wrong
  EXPECT_EQ(kinds(b.h), std::vector<K>{K::NotLinearizable});
}

TEST(Linearizable, RejectedRequestsConstrainNothing) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 20, set("/a", "x"), fail(Error::NoAuth));  // definite failure outside the model
  b.op(2, 30, 40, get("/a"), ok_data("0", vm(0, 1)));
  Report r = check_history(b.h);
  EXPECT_EQ(r.verdict, Verdict::Ok) << r.to_string();
  EXPECT_EQ(r.ops_skipped, 1u);
}

TEST(Linearizable, FullStatsAreCheckedIncludingChildrenFields) {
  HistoryBuilder b;
  b.node("/p", "", 0, 1);
  b.op(1, 10, 20, create("/p/a", "ab"), ok_created("/p/a", leaf(0, 5, 5, 2)));
  b.op(1, 21, 30, create("/p/b", ""), ok_created("/p/b", leaf(0, 6, 6, 0)));
  b.op(1, 31, 40, del("/p/a"), ok());
  Stat ps;
  ps.czxid = ps.mzxid = 1;
  ps.pzxid = 7;
  ps.cversion = 3;  // 2 creations, 1 deletion: 2*2 - 1
  ps.num_children = 1;
  b.op(2, 50, 60, get("/p"), ok_data("", ObservedStat(ps)));
  expect_ok(b.h);

  b.h.ops[3].outcome.stat->stat.cversion = 2;
  EXPECT_EQ(kinds(b.h), std::vector<K>{K::NotLinearizable});
}

}  // namespace
}  // namespace faaskeeper::check::testing
