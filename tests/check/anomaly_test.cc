// Hand-made histories that are NOT correct, each asserting the exact kinds of anomaly reported.
#include <gtest/gtest.h>

#include <algorithm>

#include "builder.h"

namespace faaskeeper::check::testing {
namespace {

using K = AnomalyKind;
using Kinds = std::vector<K>;

Kinds kinds(const History& h, const CheckOptions& opt = {}) {
  Report r = check_history(h, opt);
  EXPECT_EQ(r.verdict, r.anomalies.empty() ? (r.undecided.empty() ? Verdict::Ok : Verdict::Unknown)
                                           : Verdict::Anomalies);
  return r.kinds();
}

bool involves(const Report& r, K kind, uint64_t op) {
  for (const auto& a : r.anomalies)
    if (a.kind == kind && std::count(a.ops.begin(), a.ops.end(), op)) return true;
  return false;
}

TEST(Anomaly, StaleReadAfterCompletedWrite) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 20, set("/a", "x"), ok_stat(vm(1, 5)));
  uint64_t read = b.op(2, 30, 40, get("/a"), ok_data("0", vm(0, 1)));
  Report r = check_history(b.h);
  EXPECT_EQ(r.kinds(), Kinds{K::NotLinearizable}) << r.to_string();
  EXPECT_TRUE(involves(r, K::NotLinearizable, read)) << r.to_string();
  EXPECT_EQ(r.anomalies[0].path, "/a");
  // ZooKeeper's own read guarantee allows a stale read by another session.
  EXPECT_EQ(kinds(b.h, zk_reads()), Kinds{});
}

TEST(Anomaly, LostAcknowledgedCreate) {
  HistoryBuilder b;
  b.op(1, 10, 20, create("/b", "b"), ok_created("/b"));
  b.op(2, 30, 40, exists("/b"), ok());  // absent, and nobody deleted it
  EXPECT_EQ(kinds(b.h), Kinds{K::NotLinearizable});
}

TEST(Anomaly, LostAcknowledgedWriteSeenByAConditionalWrite) {
  // Writes are linearizable even under ZooKeeper's read rules: the second conditional write
  // succeeding against version 0 means the first, acknowledged one was lost.
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 20, set("/a", "x", 0), ok_stat(vm(1, 5)));
  b.op(2, 30, 40, set("/a", "y", 0), ok_stat(vm(1, 6)));
  EXPECT_EQ(kinds(b.h), Kinds{K::NotLinearizable});
  EXPECT_EQ(kinds(b.h, zk_reads()), Kinds{K::NotLinearizable});
}

TEST(Anomaly, WriteAppliedTwice) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 20, set("/a", "x"), ok_stat(vm(1, 5)));
  b.op(2, 30, 40, get("/a"), ok_data("x", vm(2, 6)));  // version jumped by 2
  EXPECT_EQ(kinds(b.h), Kinds{K::NotLinearizable});
  EXPECT_EQ(kinds(b.h, zk_reads()), Kinds{K::NotLinearizable});
}

TEST(Anomaly, ReadOfAValueNeverWritten) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 20, set("/a", "x"), ok_stat(vm(1, 5)));
  b.op(2, 30, 40, get("/a"), ok_data("ghost", vm(1, 5)));
  Report r = check_history(b.h, zk_reads());
  EXPECT_EQ(r.kinds(), Kinds{K::NotLinearizable});
  EXPECT_NE(r.anomalies[0].explanation.find("\"ghost\""), std::string::npos) << r.to_string();
}

TEST(Anomaly, VersionGoesBackwards) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 20, set("/a", "x"), ok_stat(vm(1, 5)));
  b.op(1, 21, 30, set("/a", "y"), ok_stat(vm(2, 6)));
  b.op(2, 40, 50, get("/a"), ok_data("y", vm(2, 6)));
  b.op(3, 60, 70, get("/a"), ok_data("x", vm(1, 5)));
  EXPECT_EQ(kinds(b.h), Kinds{K::NotLinearizable});
}

TEST(Anomaly, FifoViolation) {
  // Pipelined writes of one session: linearizable in the order the zxids give, but that order
  // is not the order the session issued them.
  HistoryBuilder b;
  b.node("/a", "0");
  uint64_t first = b.op(1, 10, 40, set("/a", "x"), ok_stat(vm(2, 7)));
  uint64_t second = b.op(1, 11, 41, set("/a", "y"), ok_stat(vm(1, 6)));
  Report r = check_history(b.h);
  EXPECT_EQ(r.kinds(), Kinds{K::FifoOrder}) << r.to_string();
  EXPECT_EQ(r.anomalies[0].ops, (std::vector<uint64_t>{first, second}));

  std::swap(b.h.ops[0].seq, b.h.ops[1].seq);  // issued the other way round: fine
  std::swap(b.h.ops[0].invoke, b.h.ops[1].invoke);
  EXPECT_EQ(kinds(b.h), Kinds{});
}

TEST(Anomaly, FifoViolationAgainstAnEarlierRead) {
  // The session read zxid 9 (on /b) and then issued a write that took effect at zxid 8.
  HistoryBuilder b;
  b.node("/a", "0").node("/b", "0");
  b.op(2, 1, 50, set("/b", "y"), ok_stat(vm(1, 9)));
  b.op(1, 10, 30, get("/b"), ok_data("y", vm(1, 9)));
  b.op(1, 11, 40, set("/a", "x"), ok_stat(vm(1, 8)));
  EXPECT_EQ(kinds(b.h), Kinds{K::FifoOrder});
}

TEST(Anomaly, ReadYourWritesViolation) {
  HistoryBuilder b;
  b.node("/a", "0");
  uint64_t w = b.op(1, 10, 20, set("/a", "x"), ok_stat(vm(1, 5)));
  uint64_t r = b.op(1, 30, 40, get("/a"), ok_data("0", vm(0, 1)));
  Report rep = check_history(b.h, zk_reads());
  EXPECT_EQ(rep.kinds(), Kinds{K::ReadYourWrites}) << rep.to_string();
  EXPECT_EQ(rep.anomalies[0].ops, (std::vector<uint64_t>{w, r}));
  // With linearizable reads it is also a stale read.
  EXPECT_EQ(kinds(b.h), (Kinds{K::NotLinearizable, K::ReadYourWrites}));
}

TEST(Anomaly, ReadYourWritesAfterOwnDeleteWithoutZxids) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 20, del("/a"), ok());
  b.op(1, 30, 40, exists("/a"), ok_stat(vm(0, 1)));  // still there, and nobody re-created it
  EXPECT_EQ(kinds(b.h, zk_reads()), Kinds{K::ReadYourWrites});

  b.op(2, 25, 0, create("/a", "again"), unknown());  // now a re-create may explain it
  EXPECT_EQ(kinds(b.h, zk_reads()), Kinds{});
}

TEST(Anomaly, MonotonicReadViolationOnOnePath) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(2, 10, 20, set("/a", "x"), ok_stat(vm(1, 5)));
  b.op(1, 30, 40, get("/a"), ok_data("x", vm(1, 5)));
  uint64_t back = b.op(1, 50, 60, get("/a"), ok_data("0", vm(0, 1)));
  Report r = check_history(b.h, zk_reads());
  EXPECT_EQ(r.kinds(), Kinds{K::MonotonicReads}) << r.to_string();
  EXPECT_TRUE(involves(r, K::MonotonicReads, back));
}

TEST(Anomaly, MonotonicReadViolationAcrossPaths) {
  // Single system image: having seen zxid 6 (on /b), the session must see /a's change at 5.
  HistoryBuilder b;
  b.node("/a", "0").node("/b", "0");
  b.op(2, 10, 20, set("/a", "x"), ok_stat(vm(1, 5)));
  b.op(2, 21, 30, set("/b", "y"), ok_stat(vm(1, 6)));
  b.op(1, 40, 50, get("/b"), ok_data("y", vm(1, 6)));
  b.op(1, 60, 70, get("/a"), ok_data("0", vm(0, 1)));
  EXPECT_EQ(kinds(b.h, zk_reads()), Kinds{K::MonotonicReads});

  // If the read of /b returns only after the read of /a was issued, nothing had been seen yet.
  b.h.ops[2].complete = 65;
  EXPECT_EQ(kinds(b.h, zk_reads()), Kinds{});
}

TEST(Anomaly, MonotonicReadViolationWithoutZxids) {
  auto cv = [](int32_t version) {
    Stat s;
    s.czxid = 1;
    s.version = version;
    return ObservedStat(s, kStatCzxid | kStatVersion);
  };
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(2, 10, 20, set("/a", "x"), ok());
  b.op(1, 30, 40, get("/a"), ok_data("x", cv(1)));
  b.op(1, 50, 60, get("/a"), ok_data("0", cv(0)));
  EXPECT_EQ(kinds(b.h, zk_reads()), Kinds{K::MonotonicReads});
}

TEST(Anomaly, WatchBeforeDataViolation) {
  HistoryBuilder b;
  b.node("/a", "0");
  uint64_t arm = b.op(1, 10, 20, get("/a", /*watch=*/true), ok_data("0", vm(0, 1)));
  b.op(2, 30, 40, set("/a", "x"), ok_stat(vm(1, 5)));
  uint64_t read = b.op(1, 50, 60, get("/a"), ok_data("x", vm(1, 5)));
  b.notify(1, "/a", EventType::NodeDataChanged, 5, 70);  // after the read returned
  Report r = check_history(b.h);
  EXPECT_EQ(r.kinds(), Kinds{K::WatchBeforeData}) << r.to_string();
  EXPECT_EQ(r.anomalies[0].ops, (std::vector<uint64_t>{arm, read}));

  b.h.notifications[0].time = 45;  // delivered before the read: correct
  EXPECT_EQ(kinds(b.h), Kinds{});
  b.h.notifications[0].zxid = 9;  // a notification for some other change does not count
  EXPECT_EQ(kinds(b.h), Kinds{K::WatchBeforeData});
  b.h.notifications[0].zxid = -1;  // clients before ZooKeeper 3.9 report no zxid: accepted
  EXPECT_EQ(kinds(b.h), Kinds{});
  b.h.ops[arm].request.watch = false;  // no watch, no rule
  b.h.notifications.clear();
  EXPECT_EQ(kinds(b.h), Kinds{});
}

TEST(Anomaly, WatchBeforeDataForExistsAndChildWatches) {
  HistoryBuilder b;
  b.node("/p", "", 0, 1);
  b.op(1, 10, 20, exists("/p/n", true), ok());  // absent: arms a creation watch
  b.op(1, 11, 21, children("/p", true), ok_children({}, kids(0, 0, 1)));
  b.op(2, 30, 40, create("/p/n", "n"), ok_created("/p/n", leaf(0, 5, 5, 1)));
  b.op(1, 50, 60, get("/p/n"), ok_data("n", vm(0, 5)));
  b.op(1, 61, 70, children("/p"), ok_children({"n"}, kids(1, 1, 5)));
  Report r = check_history(b.h);
  EXPECT_EQ(r.kinds(), Kinds{K::WatchBeforeData}) << r.to_string();
  EXPECT_EQ(r.anomalies.size(), 2u) << r.to_string();

  b.notify(1, "/p/n", EventType::NodeCreated, 5, 45);
  b.notify(1, "/p", EventType::NodeChildrenChanged, 5, 46);
  EXPECT_EQ(kinds(b.h), Kinds{});
}

TEST(Anomaly, ZxidOrderAgainstRealTime) {
  HistoryBuilder b;
  b.node("/a", "0").node("/b", "0");
  b.op(1, 10, 20, set("/a", "x"), ok_stat(vm(1, 9)));
  b.op(2, 30, 40, set("/b", "y"), ok_stat(vm(1, 5)));  // later, but a smaller zxid
  EXPECT_EQ(kinds(b.h), Kinds{K::ZxidOrder});
}

TEST(Anomaly, TwoWritesWithOneZxid) {
  HistoryBuilder b;
  b.node("/a", "0").node("/b", "0");
  b.op(1, 10, 20, set("/a", "x"), ok_stat(vm(1, 5)));
  b.op(2, 15, 25, set("/b", "y"), ok_stat(vm(1, 5)));
  EXPECT_EQ(kinds(b.h), Kinds{K::ZxidOrder});
}

TEST(Anomaly, MultiWithTwoZxids) {
  HistoryBuilder b;
  b.node("/a", "0").node("/b", "0");
  Outcome o = ok();
  o.results = {SubResult{Error::Ok, "", vm(1, 5)}, SubResult{Error::Ok, "", vm(1, 6)}};
  b.op(1, 10, 20, multi({set("/a", "x"), set("/b", "y")}), o);
  // One multi, one zxid: the second stat also contradicts the model's single zxid.
  EXPECT_EQ(kinds(b.h), (Kinds{K::NotLinearizable, K::ZxidOrder}));
  o.results[1].stat = vm(1, 5);
  b.h.ops[0].outcome = o;
  EXPECT_EQ(kinds(b.h), Kinds{});
}

TEST(Anomaly, EphemeralSurvivesItsSessionEnd) {
  HistoryBuilder b;
  b.op(1, 10, 20, create("/e", "e", CreateMode::Ephemeral), ok_created("/e"));
  b.end_session(1, 30, 40);
  b.op(2, 50, 60, exists("/e"), ok_stat(vm(0, 5)));
  EXPECT_EQ(kinds(b.h), Kinds{K::NotLinearizable});
  b.h.session_ends[0].complete = kNever;  // the end may not have happened yet: fine
  EXPECT_EQ(kinds(b.h), Kinds{});
}

TEST(Anomaly, InvalidHistoriesAreRejectedNotPassed) {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 20, 10, get("/a"), ok_data("0", vm(0, 1)));  // completes before it starts
  EXPECT_EQ(kinds(b.h), Kinds{K::InvalidHistory});

  HistoryBuilder undeclared;  // /fk is read as present but never declared or created
  undeclared.op(1, 10, 20, get("/fk"), ok_data("", vm(0, 1)));
  Report u = check_history(undeclared.h);
  EXPECT_EQ(u.kinds(), Kinds{K::NotLinearizable});
  ASSERT_EQ(u.notes.size(), 1u);
  EXPECT_NE(u.notes[0].find("declare"), std::string::npos);

  HistoryBuilder seq;  // sequential names need the parent's counter
  seq.op(1, 10, 20, create("/q/n-", "a", CreateMode::PersistentSequential), ok_created("/q/n-0000000004"));
  Report r = check_history(seq.h);
  EXPECT_EQ(r.kinds(), Kinds{K::InvalidHistory});
  EXPECT_NE(r.anomalies[0].explanation.find("/q"), std::string::npos) << r.to_string();

  HistoryBuilder dup;
  dup.op(1, 10, 20, get("/x"), fail(Error::NoNode));
  dup.op(1, 30, 40, get("/x"), fail(Error::NoNode));
  dup.h.ops[1].seq = 0;
  EXPECT_EQ(kinds(dup.h), Kinds{K::InvalidHistory});
}

TEST(Anomaly, BudgetExhaustedIsReportedAsUnknownNotPass) {
  HistoryBuilder b;
  b.node("/a", "0");
  // 20 indeterminate writes of the same value: which 7 of them happened needs a search.
  for (int i = 0; i < 20; ++i) b.op(i, 10 + i, 0, set("/a", "x"), unknown());
  b.op(100, 100, 110, get("/a"), ok_data("x", vm(7, 50)));
  CheckOptions opt;
  opt.max_steps_per_partition = 5;
  Report r = check_history(b.h, opt);
  EXPECT_EQ(r.verdict, Verdict::Unknown) << r.to_string();
  EXPECT_TRUE(r.anomalies.empty());
  ASSERT_EQ(r.undecided.size(), 1u);
  EXPECT_NE(r.to_string().find("UNKNOWN"), std::string::npos);

  opt.max_steps_per_partition = 0;  // unlimited steps, but no time at all
  opt.time_budget = std::chrono::milliseconds(0);
  EXPECT_EQ(check_history(b.h, opt).verdict, Verdict::Unknown);

  EXPECT_EQ(check_history(b.h).verdict, Verdict::Ok);  // with the default budget it is decided
}

}  // namespace
}  // namespace faaskeeper::check::testing
