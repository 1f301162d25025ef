// Performance: the checker must decide large, highly concurrent histories within seconds.
#include <gtest/gtest.h>

#include "random_history.h"

namespace faaskeeper::check::testing {
namespace {

// Sanitizer and unoptimised builds run the same test with a looser bound.
#if defined(__SANITIZE_ADDRESS__) || !defined(NDEBUG)
constexpr double kSlowdown = 15;
#else
constexpr double kSlowdown = 1;
#endif

RandomSpec big(uint32_t seed) {
  RandomSpec spec;
  spec.seed = seed;
  spec.ops = 2000;
  spec.keys = 8;
  spec.sessions = 16;
  spec.spread = 12000;  // each op overlaps ~24 others on average
  return spec;
}

double overlap(const History& h) {
  size_t pairs = 0;
  for (size_t i = 0; i < h.ops.size(); ++i)
    for (size_t j = i + 1; j < h.ops.size(); ++j)
      if (h.ops[i].invoke <= h.ops[j].complete && h.ops[j].invoke <= h.ops[i].complete) ++pairs;
  return 2.0 * pairs / h.ops.size();
}

TEST(Perf, TwoThousandOpsOverEightKeys) {
  History h = random_history(big(7)).h;
  EXPECT_GT(overlap(h), 15.0);  // it really is highly concurrent
  Report r = check_history(h);
  EXPECT_EQ(r.verdict, Verdict::Ok) << r.to_string();
  EXPECT_GE(r.partitions, 8u);
  EXPECT_LT(r.seconds, 3.0 * kSlowdown) << r.to_string();
  std::printf("2000 ops / 8 keys, linearizable reads: %.3f s, %llu steps, %zu partitions\n", r.seconds,
              static_cast<unsigned long long>(r.search_steps), r.partitions);

  Report zk = check_history(h, zk_reads());
  EXPECT_EQ(zk.verdict, Verdict::Ok) << zk.to_string();
  EXPECT_LT(zk.seconds, 3.0 * kSlowdown);
  std::printf("2000 ops / 8 keys, ZooKeeper reads: %.3f s, %llu steps\n", zk.seconds,
              static_cast<unsigned long long>(zk.search_steps));
}

TEST(Perf, TwoThousandOpsWithoutZxids) {
  // Writes report no stat, so the search cannot use zxids to order them.
  RandomSpec spec = big(8);
  spec.stats = false;
  History h = random_history(spec).h;
  Report r = check_history(h);
  EXPECT_EQ(r.verdict, Verdict::Ok) << r.to_string();
  EXPECT_LT(r.seconds, 3.0 * kSlowdown) << r.to_string();
  std::printf("2000 ops / 8 keys, no write stats: %.3f s, %llu steps\n", r.seconds,
              static_cast<unsigned long long>(r.search_steps));
}

}  // namespace
}  // namespace faaskeeper::check::testing
