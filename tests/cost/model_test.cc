// The cost model's arithmetic on small hand-made price tables and profiles: each resource is
// charged as docs/cost.md says (chunks, units, billing rounding, CPU stretch, interpolation,
// hybrid placement, idle heartbeat, break-even), and bad workloads are refused.
#include "cost/model.h"

#include <gtest/gtest.h>

#include <cmath>

namespace faaskeeper::cost {
namespace {

// Round prices so expected values are easy to state: everything costs 1 USD per unit except
// where a test sets otherwise.
PriceTable unit_prices() {
  PriceTable t;
  t.origin = "test-prices";
  t.s3_put_usd = 5;
  t.s3_get_usd = 0.4;
  t.dynamodb_write_unit_usd = 1.25;
  t.dynamodb_read_unit_usd = 0.25;
  t.sqs_fifo_request_usd = 0.5;
  t.lambda_billing_granularity_ms = 1;
  t.lambda_memory_mb_per_vcpu = 1024;
  t.lambda["x86_64"] = LambdaPrice{2.0, 0.1};
  t.lambda["arm64"] = LambdaPrice{1.0, 0.1};
  t.ec2_usd_per_hour["vm.one"] = 1.0;
  return t;
}

DurationPoint billed(uint64_t bytes, double ms) { return DurationPoint{bytes, DurationSpec{ms, 0, 0}}; }
DurationPoint modeled(uint64_t bytes, double handler, double io) {
  return DurationPoint{bytes, DurationSpec{std::nullopt, handler, io}};
}

// One function "f", 1024 MB x86, 1000 ms per invocation for either store; no heartbeat.
CostProfile simple_profile() {
  CostProfile p;
  p.name = "test";
  p.origin = "test-profile";
  p.queue_messages = 2;
  p.system_store_write_units = 3;
  p.system_store_read_units = 1;
  p.user_store_writes = 1;
  p.user_store_reads = 1;
  p.hybrid_threshold_bytes = 4096;
  FunctionProfile f;
  f.name = "f";
  f.memory_mb = 1024;
  f.arch = "x86_64";
  f.s3_points = {billed(0, 1000)};
  f.dynamodb_points = {billed(0, 1000)};
  p.functions.push_back(f);
  p.heartbeat.period_s = 0;
  return p;
}

Workload writes_only(uint64_t value_bytes, StorageMode storage) {
  Workload w;
  w.requests_per_day = 1;
  w.read_share = 0;
  w.value_bytes = value_bytes;
  w.storage = storage;
  return w;
}

CostEstimate must(const Result<CostEstimate>& r) {
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : CostEstimate{};
}

const ZkCluster kOneVm{1, "vm.one"};

TEST(CostModel, WriteChargesEveryResourceOnce) {
  CostEstimate e = must(estimate(writes_only(100, StorageMode::S3), kOneVm, simple_profile(), unit_prices()));
  EXPECT_EQ(e.user_store, UserStoreKind::S3);
  EXPECT_DOUBLE_EQ(e.per_write.queue, 2 * 0.5);
  EXPECT_DOUBLE_EQ(e.per_write.system_store, 3 * 1.25 + 1 * 0.25);
  EXPECT_DOUBLE_EQ(e.per_write.user_store, 5);
  EXPECT_DOUBLE_EQ(e.per_write.function_requests, 0.1);
  EXPECT_DOUBLE_EQ(e.per_write.function_compute, 1.0 /*s*/ * 1.0 /*GB*/ * 2.0);
  EXPECT_DOUBLE_EQ(e.write_usd_per_day, e.per_write.total());
  EXPECT_DOUBLE_EQ(e.zookeeper_usd_per_day, 24);
}

TEST(CostModel, QueueMessagesAreBilledPer64KiBChunk) {
  const auto prices = unit_prices();
  auto queue_cost = [&](uint64_t bytes) {
    return must(estimate(writes_only(bytes, StorageMode::S3), kOneVm, simple_profile(), prices)).per_write.queue;
  };
  EXPECT_DOUBLE_EQ(queue_cost(0), 2 * 0.5);
  EXPECT_DOUBLE_EQ(queue_cost(65536), 2 * 0.5);
  EXPECT_DOUBLE_EQ(queue_cost(65537), 2 * 2 * 0.5);
  EXPECT_DOUBLE_EQ(queue_cost(256000), 2 * 4 * 0.5);
}

TEST(CostModel, HybridKeepsSmallNodesInDynamoDbAndLargeOnesInS3) {
  const auto prices = unit_prices();
  CostProfile p = simple_profile();
  CostEstimate small = must(estimate(writes_only(1500, StorageMode::Hybrid), kOneVm, p, prices));
  EXPECT_EQ(small.user_store, UserStoreKind::DynamoDB);
  EXPECT_DOUBLE_EQ(small.per_write.user_store, 2 * 1.25);  // 1500 B = 2 write units
  EXPECT_DOUBLE_EQ(small.per_read.user_store, 1 * 0.25);   // one 4 KB read unit

  CostEstimate at_limit = must(estimate(writes_only(4096, StorageMode::Hybrid), kOneVm, p, prices));
  EXPECT_EQ(at_limit.user_store, UserStoreKind::DynamoDB);
  EXPECT_DOUBLE_EQ(at_limit.per_write.user_store, 4 * 1.25);

  CostEstimate large = must(estimate(writes_only(4097, StorageMode::Hybrid), kOneVm, p, prices));
  EXPECT_EQ(large.user_store, UserStoreKind::S3);
  EXPECT_DOUBLE_EQ(large.per_write.user_store, 5);
  EXPECT_DOUBLE_EQ(large.per_read.user_store, 0.4);

  // The object's overhead counts toward the threshold and the units.
  p.object_overhead_bytes = 100;
  CostEstimate pushed = must(estimate(writes_only(4000, StorageMode::Hybrid), kOneVm, p, prices));
  EXPECT_EQ(pushed.user_store, UserStoreKind::S3);
}

TEST(CostModel, S3StorageNeverUsesDynamoDbForNodes) {
  CostEstimate e = must(estimate(writes_only(4, StorageMode::S3), kOneVm, simple_profile(), unit_prices()));
  EXPECT_EQ(e.user_store, UserStoreKind::S3);
  EXPECT_DOUBLE_EQ(e.per_read.user_store, 0.4);
}

TEST(CostModel, FunctionDurationFollowsTheStoreTheNodeGoesTo) {
  CostProfile p = simple_profile();
  p.functions[0].s3_points = {billed(0, 200)};
  p.functions[0].dynamodb_points = {billed(0, 100)};
  const auto prices = unit_prices();
  EXPECT_DOUBLE_EQ(must(estimate(writes_only(10, StorageMode::S3), kOneVm, p, prices)).functions[0].billed_ms, 200);
  EXPECT_DOUBLE_EQ(must(estimate(writes_only(10, StorageMode::Hybrid), kOneVm, p, prices)).functions[0].billed_ms,
                   100);
  p.functions[0].dynamodb_points.clear();
  auto missing = estimate(writes_only(10, StorageMode::Hybrid), kOneVm, p, prices);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no duration points for the dynamodb"), std::string::npos);
}

TEST(CostModel, DurationsInterpolateBetweenPointsAndExtrapolateBeyond) {
  FunctionProfile f;
  f.name = "f";
  f.memory_mb = 1024;
  f.arch = "x86_64";
  f.s3_points = {billed(1000, 10), billed(2000, 30), billed(4000, 20)};
  const auto prices = unit_prices();
  auto ms = [&](uint64_t bytes) { return *function_billed_ms(f, UserStoreKind::S3, bytes, prices); };
  EXPECT_DOUBLE_EQ(ms(0), 10);     // below the first point: the first point
  EXPECT_DOUBLE_EQ(ms(1000), 10);  // exact
  EXPECT_DOUBLE_EQ(ms(1500), 20);  // halfway
  EXPECT_DOUBLE_EQ(ms(3000), 25);
  EXPECT_DOUBLE_EQ(ms(6000), 20);  // falling last segment: never below the last point
  f.s3_points = {billed(1000, 10), billed(2000, 30)};
  EXPECT_DOUBLE_EQ(ms(3000), 50);  // rising last segment extends
  // Modeled points are billed (stretched, rounded up) before interpolating: 1 x 2 + 7.5 -> 10
  // and 1 x 2 + 17.5 -> 20 at 512 MB.
  f.memory_mb = 512;
  f.s3_points = {modeled(0, 1, 7.5), modeled(1000, 1, 17.5)};
  EXPECT_DOUBLE_EQ(ms(0), 10);
  EXPECT_DOUBLE_EQ(ms(500), 15);
}

TEST(CostModel, ModeledDurationsStretchCpuTimeAndRoundUpToTheBillingUnit) {
  const auto prices = unit_prices();  // one vCPU per 1024 MB
  DurationSpec d{std::nullopt, 2.0, 10.3};
  EXPECT_DOUBLE_EQ(billed_duration_ms(d, 1024, prices), 13);  // 2 + 10.3 -> 13
  EXPECT_DOUBLE_EQ(billed_duration_ms(d, 256, prices), 19);   // 2 x 4 + 10.3 -> 19
  EXPECT_DOUBLE_EQ(billed_duration_ms(d, 4096, prices), 13);  // more than a vCPU does not speed it up
  EXPECT_DOUBLE_EQ(billed_duration_ms(DurationSpec{7.5, 0, 0}, 128, prices), 7.5) << "billed_ms is used as given";
  EXPECT_DOUBLE_EQ(billed_duration_ms(DurationSpec{10, 0, 0}, 128, prices, 0.98), 11);
  auto coarse = prices;
  coarse.lambda_billing_granularity_ms = 100;
  EXPECT_DOUBLE_EQ(billed_duration_ms(d, 1024, coarse), 100);
}

TEST(CostModel, InvocationsPerWriteAndArchitectureScaleFunctionCost) {
  CostProfile p = simple_profile();
  p.functions[0].invocations_per_write = 0.25;  // batches of four
  p.functions[0].arch = "arm64";
  CostEstimate e = must(estimate(writes_only(10, StorageMode::S3), kOneVm, p, unit_prices()));
  EXPECT_DOUBLE_EQ(e.per_write.function_requests, 0.25 * 0.1);
  EXPECT_DOUBLE_EQ(e.per_write.function_compute, 0.25 * 1.0 * 1.0);
  p.functions[0].arch = "sparc";
  auto bad = estimate(writes_only(10, StorageMode::S3), kOneVm, p, unit_prices());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown Lambda architecture 'sparc'"), std::string::npos);
}

TEST(CostModel, HeartbeatIsAnIdleCostPaidWithoutRequests) {
  CostProfile p = simple_profile();
  p.heartbeat.period_s = 60;
  p.heartbeat.memory_mb = 512;
  p.heartbeat.arch = "x86_64";
  p.heartbeat.duration = DurationSpec{10, 0, 0};
  p.heartbeat.per_session_ms = 1;
  p.heartbeat.system_store_read_units = 0.5;
  Workload w = writes_only(10, StorageMode::S3);
  w.requests_per_day = 0;
  w.sessions = 5;
  CostEstimate e = must(estimate(w, kOneVm, p, unit_prices()));
  EXPECT_DOUBLE_EQ(e.heartbeat_invocations_per_day, 1440);
  EXPECT_DOUBLE_EQ(e.heartbeat_billed_ms, 15);
  const double per_invocation = 0.1 + 0.015 * 0.5 * 2.0 + 0.5 * 0.25;
  EXPECT_NEAR(e.idle_usd_per_day, 1440 * per_invocation, 1e-9);
  EXPECT_NEAR(e.faaskeeper_usd_per_day, e.idle_usd_per_day, 1e-12);

  w.heartbeat_period_s = 0;  // the override switches it off
  EXPECT_DOUBLE_EQ(must(estimate(w, kOneVm, p, unit_prices())).idle_usd_per_day, 0);
  w.heartbeat_period_s = 3600;
  EXPECT_DOUBLE_EQ(must(estimate(w, kOneVm, p, unit_prices())).heartbeat_invocations_per_day, 24);
}

TEST(CostModel, BreakEvenIsWhereBothCostsMeet) {
  const auto prices = unit_prices();
  CostProfile p = simple_profile();
  Workload w = writes_only(10, StorageMode::S3);
  w.read_share = 0.5;
  w.requests_per_day = 3;
  CostEstimate e = must(estimate(w, kOneVm, p, prices));
  const double per_request = 0.5 * e.per_read.total() + 0.5 * e.per_write.total();
  EXPECT_NEAR(e.break_even_requests_per_day, 24 / per_request, 1e-9);
  w.requests_per_day = e.break_even_requests_per_day;
  EXPECT_NEAR(must(estimate(w, kOneVm, p, prices)).ratio, 1.0, 1e-12);

  // Idle cost above ZooKeeper's: FaaSKeeper never wins.
  p.heartbeat.period_s = 1;
  p.heartbeat.duration = DurationSpec{1000, 0, 0};
  p.heartbeat.memory_mb = 1024;
  EXPECT_DOUBLE_EQ(must(estimate(w, kOneVm, p, prices)).break_even_requests_per_day, 0);

  // Free requests, no idle cost: never breaks even; nothing to pay gives an infinite ratio.
  PriceTable free_prices = prices;
  free_prices.s3_get_usd = 0;
  Workload reads = writes_only(10, StorageMode::S3);
  reads.read_share = 1;
  reads.requests_per_day = 1000;
  CostEstimate free = must(estimate(reads, kOneVm, simple_profile(), free_prices));
  EXPECT_TRUE(std::isinf(free.break_even_requests_per_day));
  EXPECT_TRUE(std::isinf(free.ratio));
}

TEST(CostModel, ReadShareSplitsRequests) {
  Workload w = writes_only(10, StorageMode::S3);
  w.requests_per_day = 1000;
  w.read_share = 0.9;
  CostEstimate e = must(estimate(w, kOneVm, simple_profile(), unit_prices()));
  EXPECT_DOUBLE_EQ(e.reads_per_day, 900);
  EXPECT_NEAR(e.writes_per_day, 100, 1e-9);
  EXPECT_NEAR(e.faaskeeper_usd_per_day, 900 * 0.4 + 100 * e.per_write.total(), 1e-9);
  EXPECT_NEAR(e.ratio, 24 / e.faaskeeper_usd_per_day, 1e-12);
}

TEST(CostModel, RejectsInvalidWorkloadsAndClusters) {
  const auto prices = unit_prices();
  const auto p = simple_profile();
  for (double share : {-0.1, 1.5, std::nan("")}) {
    Workload w = writes_only(10, StorageMode::S3);
    w.read_share = share;
    auto r = estimate(w, kOneVm, p, prices);
    ASSERT_FALSE(r.ok()) << share;
    EXPECT_EQ(r.code(), Error::BadArguments);
    EXPECT_NE(r.status().message().find("read share must be within [0, 1]"), std::string::npos);
  }
  Workload negative = writes_only(10, StorageMode::S3);
  negative.requests_per_day = -1;
  EXPECT_EQ(estimate(negative, kOneVm, p, prices).code(), Error::BadArguments);
  Workload bad_period = writes_only(10, StorageMode::S3);
  bad_period.heartbeat_period_s = -5;
  EXPECT_EQ(estimate(bad_period, kOneVm, p, prices).code(), Error::BadArguments);

  auto unknown_vm = estimate(writes_only(10, StorageMode::S3), ZkCluster{3, "m9.huge"}, p, prices);
  ASSERT_FALSE(unknown_vm.ok());
  EXPECT_EQ(unknown_vm.status().message(), "unknown VM type 'm9.huge': known types are vm.one (from test-prices)");
  EXPECT_EQ(estimate(writes_only(10, StorageMode::S3), ZkCluster{0, "vm.one"}, p, prices).code(),
            Error::BadArguments);
}

TEST(CostModel, StorageModeNames) {
  EXPECT_EQ(*parse_storage_mode("s3"), StorageMode::S3);
  EXPECT_EQ(*parse_storage_mode("hybrid"), StorageMode::Hybrid);
  auto bad = parse_storage_mode("dynamodb");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown storage 'dynamodb': expected s3 or hybrid");
}

TEST(CostModel, GridCoversThePaperAxes) {
  Workload base = writes_only(10, StorageMode::S3);
  auto g = ratio_grid(base, kOneVm, simple_profile(), unit_prices(), paper_requests_per_day(), paper_read_shares());
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  ASSERT_EQ(g->cells.size(), 4u);
  ASSERT_EQ(g->cells[0].size(), 5u);
  EXPECT_EQ(g->requests_per_day, (std::vector<double>{1e5, 5e5, 1e6, 2e6, 5e6}));
  EXPECT_EQ(g->read_shares, (std::vector<double>{0.75, 0.8, 0.9, 1.0}));
  for (size_t r = 0; r < 4; ++r) {
    for (size_t c = 0; c < 5; ++c) {
      Workload w = base;
      w.read_share = g->read_shares[r];
      w.requests_per_day = g->requests_per_day[c];
      EXPECT_DOUBLE_EQ(g->cells[r][c].ratio, must(estimate(w, kOneVm, simple_profile(), unit_prices())).ratio);
    }
  }
  // Ratios fall as load grows and as the write share grows.
  EXPECT_GT(g->cells[3][0].ratio, g->cells[3][4].ratio);
  EXPECT_GT(g->cells[3][0].ratio, g->cells[0][0].ratio);
}

}  // namespace
}  // namespace faaskeeper::cost
