// Randomized: histories correct by construction pass; one mutated result makes them fail.
#include <gtest/gtest.h>

#include <random>

#include "random_history.h"

namespace faaskeeper::check::testing {
namespace {

using K = AnomalyKind;

constexpr uint32_t kSeeds = 40;

std::vector<uint64_t> ok_reads(const History& h, OpType type) {
  std::vector<uint64_t> ids;
  for (const auto& op : h.ops)
    if (op.request.type == type && op.outcome.kind == OutcomeKind::Ok && op.outcome.stat) ids.push_back(op.id);
  return ids;
}

TEST(Random, CorrectHistoriesPassInBothReadModes) {
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    RandomSpec spec;
    spec.seed = seed;
    spec.stats = seed % 4 != 0;  // every fourth history: writes report no stat, so no zxid
    History h = random_history(spec).h;
    Report strict = check_history(h);
    ASSERT_EQ(strict.verdict, Verdict::Ok) << "seed " << seed << "\n" << strict.to_string();
    Report zk = check_history(h, zk_reads());
    ASSERT_EQ(zk.verdict, Verdict::Ok) << "seed " << seed << "\n" << zk.to_string();
  }
}

TEST(Random, AReadOfAValueNeverWrittenFails) {
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    RandomSpec spec;
    spec.seed = seed;
    History h = random_history(spec).h;
    auto reads = ok_reads(h, OpType::GetData);
    ASSERT_FALSE(reads.empty());
    uint64_t victim = reads[std::mt19937(seed)() % reads.size()];
    h.ops[victim].outcome.data = "mutant";
    Report r = check_history(h, zk_reads());
    ASSERT_EQ(r.kinds(), std::vector<K>{K::NotLinearizable}) << "seed " << seed << "\n" << r.to_string();
    ASSERT_EQ(r.anomalies.size(), 1u);
  }
}

TEST(Random, AVersionOffByOneFails) {
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    RandomSpec spec;
    spec.seed = seed;
    History h = random_history(spec).h;
    auto reads = ok_reads(h, OpType::Exists);
    ASSERT_FALSE(reads.empty());
    uint64_t victim = reads[std::mt19937(seed)() % reads.size()];
    h.ops[victim].outcome.stat->stat.version += 1;
    Report r = check_history(h);
    ASSERT_TRUE(r.has(K::NotLinearizable)) << "seed " << seed << "\n" << r.to_string();
    // If the same session reads the node again, it also sees the version go back.
    for (K k : r.kinds())
      ASSERT_TRUE(k == K::NotLinearizable || k == K::MonotonicReads) << r.to_string();
  }
}

TEST(Random, AStaleReadFailsUnderLinearizableReads) {
  int mutated = 0;
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    RandomSpec spec;
    spec.seed = seed;
    RandomHistory rh = random_history(spec);
    if (rh.stale_candidates.empty()) continue;
    const auto& c = rh.stale_candidates[std::mt19937(seed)() % rh.stale_candidates.size()];
    rh.h.ops[c.op].outcome.data = c.data;
    rh.h.ops[c.op].outcome.stat = c.stat;
    Report r = check_history(rh.h);
    ASSERT_TRUE(r.has(K::NotLinearizable)) << "seed " << seed << "\n" << r.to_string();
    ++mutated;
  }
  EXPECT_GT(mutated, static_cast<int>(kSeeds) / 2);  // the generator does produce candidates
}

TEST(Random, ADroppedAcknowledgedWriteFails) {
  // Turning an acknowledged setData into "never happened" (a definite failure outside the
  // model) leaves later reads showing a value nobody wrote.
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    RandomSpec spec;
    spec.seed = seed;
    History h = random_history(spec).h;
    // The first acknowledged setData whose value a later getData returned.
    uint64_t victim = UINT64_MAX;
    for (const auto& w : h.ops) {
      if (w.request.type != OpType::SetData || w.outcome.kind != OutcomeKind::Ok) continue;
      for (const auto& r : h.ops)
        if (r.request.type == OpType::GetData && r.outcome.kind == OutcomeKind::Ok && r.outcome.data == w.request.data)
          victim = w.id;
      if (victim != UINT64_MAX) break;
    }
    ASSERT_NE(victim, UINT64_MAX) << "seed " << seed;
    h.ops[victim].outcome = fail(Error::NoAuth);
    Report r = check_history(h, zk_reads());
    ASSERT_TRUE(r.has(K::NotLinearizable)) << "seed " << seed << "\n" << r.to_string();
  }
}

}  // namespace
}  // namespace faaskeeper::check::testing
