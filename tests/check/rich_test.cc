// Randomized over the whole feature set (multi, sequential and ephemeral creates, listings,
// session ends, watches): correct histories pass; targeted mutations fail.
#include <gtest/gtest.h>

#include "rich_history.h"

namespace faaskeeper::check::testing {
namespace {

using K = AnomalyKind;
constexpr uint32_t kSeeds = 30;

// Histories small enough for the sanitizer build; larger sweeps are run by hand (docs/checker.md).
RichSpec spec_for(uint32_t seed) {
  RichSpec spec;
  spec.seed = seed;
  spec.ops = 250;
  return spec;
}

TEST(Rich, CorrectHistoriesPassInBothReadModes) {
  size_t multis = 0, sequential = 0, ends = 0, notes = 0, unknowns = 0;
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    RichSpec spec = spec_for(seed);
    History h = rich_history(spec).h;
    for (const auto& op : h.ops) {
      multis += op.request.type == OpType::Multi;
      sequential += op.request.type == OpType::Create && is_sequential(op.request.mode);
      unknowns += op.outcome.kind == OutcomeKind::Unknown;
    }
    ends += h.session_ends.size();
    notes += h.notifications.size();
    Report strict = check_history(h);
    ASSERT_EQ(strict.verdict, Verdict::Ok) << "seed " << seed << "\n" << strict.to_string();
    Report zk = check_history(h, zk_reads());
    ASSERT_EQ(zk.verdict, Verdict::Ok) << "seed " << seed << "\n" << zk.to_string();
  }
  // The generator really exercises the features.
  EXPECT_GT(multis, 60u);
  EXPECT_GT(sequential, 60u);
  EXPECT_GT(ends, 20u);
  EXPECT_GT(notes, 150u);
  EXPECT_GT(unknowns, 60u);
}

TEST(Rich, AReadOfAValueNeverWrittenFails) {
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    RichSpec spec = spec_for(seed);
    History h = rich_history(spec).h;
    std::vector<uint64_t> reads;
    for (const auto& op : h.ops)
      if (op.request.type == OpType::GetData && op.outcome.kind == OutcomeKind::Ok) reads.push_back(op.id);
    ASSERT_FALSE(reads.empty());
    h.ops[reads[std::mt19937(seed)() % reads.size()]].outcome.data = "mutant";
    Report r = check_history(h, zk_reads());
    ASSERT_EQ(r.kinds(), std::vector<K>{K::NotLinearizable}) << "seed " << seed << "\n" << r.to_string();
  }
}

TEST(Rich, AWrongSequentialNameFails) {
  int mutated = 0;
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    RichSpec spec = spec_for(seed);
    History h = rich_history(spec).h;
    for (auto& op : h.ops) {
      if (op.request.type != OpType::Create || !is_sequential(op.request.mode) ||
          op.outcome.kind != OutcomeKind::Ok)
        continue;
      op.outcome.path += "9";  // a name the counter never gives
      op.outcome.stat.reset();
      ++mutated;
      break;
    }
    Report r = check_history(h, zk_reads());
    ASSERT_EQ(r.kinds(), std::vector<K>{K::NotLinearizable}) << "seed " << seed << "\n" << r.to_string();
  }
  EXPECT_EQ(mutated, static_cast<int>(kSeeds));
}

TEST(Rich, DroppedNotificationsAreFound) {
  int checked = 0;
  for (uint32_t seed = 1; seed <= kSeeds; ++seed) {
    RichSpec spec = spec_for(seed);
    RichHistory rh = rich_history(spec);
    if (rh.revealing_reads == 0) continue;
    rh.h.notifications.clear();
    CheckOptions opt;
    opt.check_linearizability = false;  // notifications play no part in it
    Report r = check_history(rh.h, opt);
    ASSERT_EQ(r.kinds(), std::vector<K>{K::WatchBeforeData}) << "seed " << seed << "\n" << r.to_string();
    ++checked;
  }
  EXPECT_GT(checked, static_cast<int>(kSeeds) / 2);
}

}  // namespace
}  // namespace faaskeeper::check::testing
