// HistoryRecorder: thread safety, stamping rules, and an end-to-end run against a small
// in-process store that is linearizable (must pass) or serves stale reads (must fail).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include "builder.h"
#include "check/recorder.h"

namespace faaskeeper::check::testing {
namespace {

TEST(Recorder, StampsTimesAndPerSessionSequence) {
  Nanos now = 100;
  HistoryRecorder rec([&] { return now; });
  auto a = rec.invoke(7, get("/x"));
  now = 150;
  auto b = rec.invoke(7, get("/y"));
  rec.invoke(8, get("/x"));  // never completed
  now = 180;
  rec.complete(b, fail(Error::NoNode));
  now = 190;
  rec.complete(b, ok());  // ignored: already completed
  rec.complete(a, unknown());
  rec.notification(8, "/x", EventType::NodeCreated, 12);
  History h = rec.snapshot();
  ASSERT_EQ(h.ops.size(), 3u);
  EXPECT_EQ(h.ops[0].seq, 0u);
  EXPECT_EQ(h.ops[1].seq, 1u);
  EXPECT_EQ(h.ops[2].seq, 0u);
  EXPECT_EQ(h.ops[0].invoke, 100);
  EXPECT_EQ(h.ops[1].invoke, 150);
  EXPECT_EQ(h.ops[1].complete, 180);
  EXPECT_EQ(h.ops[1].outcome.error, Error::NoNode);
  EXPECT_EQ(h.ops[0].complete, kNever);  // unknown outcome: the interval never closes
  EXPECT_EQ(h.ops[2].complete, kNever);  // never completed
  EXPECT_EQ(h.ops[2].outcome.kind, OutcomeKind::Unknown);
  ASSERT_EQ(h.notifications.size(), 1u);
  EXPECT_EQ(h.notifications[0].time, 190);
  EXPECT_EQ(h.notifications[0].zxid, 12);
}

// A linearizable store: one mutex, one zxid counter. `stale` makes getData sometimes return
// the value before the last write, which is not linearizable.
class Store {
 public:
  explicit Store(bool stale) : stale_(stale) {}
  Outcome set(const std::string& path, const std::string& v) {
    std::lock_guard lock(mu_);
    Node& n = nodes_[path];
    prev_[path] = n;
    n.data = v;
    ++n.version;
    n.mzxid = ++zxid_;
    return ok_stat(vm(n.version, n.mzxid));
  }
  Outcome get(const std::string& path) {
    std::lock_guard lock(mu_);
    const Node& n = stale_ && (++reads_ % 3 == 0) && prev_.count(path) ? prev_[path] : nodes_[path];
    return ok_data(n.data, vm(n.version, n.mzxid));
  }

 private:
  struct Node {
    std::string data = "0";
    int32_t version = 0;
    int64_t mzxid = 1;
  };
  std::mutex mu_;
  std::map<std::string, Node> nodes_, prev_;
  int64_t zxid_ = 1;
  uint64_t reads_ = 0;
  bool stale_;
};

History run_clients(Store& store, int threads, int ops_per_thread) {
  HistoryRecorder rec;
  for (int k = 0; k < 3; ++k) {
    InitialNode n{"/k" + std::to_string(k), std::string("0"), leaf(0, 1, 1, 1), std::nullopt};
    rec.declare_initial(n);
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < ops_per_thread; ++i) {
        std::string path = "/k" + std::to_string((t + i) % 3);
        if (i % 2 == 0) {
          std::string v = "t" + std::to_string(t) + "-" + std::to_string(i);
          auto h = rec.invoke(t, set(path, v));
          rec.complete(h, store.set(path, v));
        } else {
          auto h = rec.invoke(t, get(path));
          rec.complete(h, store.get(path));
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  return rec.snapshot();
}

TEST(Recorder, ConcurrentClientsOfALinearizableStorePass) {
  Store store(false);
  History h = run_clients(store, 8, 100);
  ASSERT_EQ(h.ops.size(), 800u);
  std::map<int64_t, std::vector<const Operation*>> by_session;
  for (const auto& op : h.ops) {
    EXPECT_GE(op.complete, op.invoke);
    by_session[op.session].push_back(&op);
  }
  for (auto& [s, ops] : by_session) {
    ASSERT_EQ(ops.size(), 100u);
    for (size_t i = 0; i < ops.size(); ++i) EXPECT_EQ(ops[i]->seq, i);
  }
  Report r = check_history(h);
  EXPECT_EQ(r.verdict, Verdict::Ok) << r.to_string();
}

TEST(Recorder, ConcurrentClientsOfAStaleStoreFail) {
  Store store(true);
  History h = run_clients(store, 4, 60);
  Report r = check_history(h);
  EXPECT_EQ(r.verdict, Verdict::Anomalies) << r.to_string();
  EXPECT_TRUE(r.has(AnomalyKind::NotLinearizable)) << r.to_string();
}

TEST(Recorder, SessionEndWindow) {
  Nanos now = 0;
  HistoryRecorder rec([&] { return now += 5; });
  auto e = rec.session_end_begin(3);
  rec.session_end_complete(e);
  rec.session_end_complete(e);  // ignored
  History h = rec.snapshot();
  ASSERT_EQ(h.session_ends.size(), 1u);
  EXPECT_EQ(h.session_ends[0].invoke, 5);
  EXPECT_EQ(h.session_ends[0].complete, 10);
}

}  // namespace
}  // namespace faaskeeper::check::testing
