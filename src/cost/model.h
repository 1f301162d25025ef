// The FaaSKeeper-vs-ZooKeeper daily cost model.
//
// FaaSKeeper's daily cost = reads/day x cost of one read + writes/day x cost of one write + idle
// cost (scheduled heartbeat). One read is a direct user-store read; one write is the profile's
// queue messages, system-store units, user-store write and function invocations (requests plus
// GB-seconds). ZooKeeper's daily cost = N VMs x hourly price x 24. docs/cost.md derives it and
// shows that the "paper" profile reproduces the original paper's heatmaps.
#pragma once

#include "cost/prices.h"
#include "cost/profile.h"
#include "faaskeeper/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faaskeeper::cost {

// s3: every node in S3. hybrid: nodes whose object fits the profile's hybrid threshold live in
// DynamoDB, larger ones in S3 (the paper's "hybrid" storage).
enum class StorageMode { S3, Hybrid };
std::string_view storage_mode_name(StorageMode mode);  // "s3" / "hybrid"
// "s3" or "hybrid"; BadArguments otherwise.
Result<StorageMode> parse_storage_mode(std::string_view text);

struct Workload {
  double requests_per_day = 0;  // >= 0, reads plus writes
  double read_share = 1;        // in [0, 1]; the rest are writes
  uint64_t value_bytes = 1024;  // node data size of every request
  StorageMode storage = StorageMode::S3;
  uint64_t sessions = 1;        // sessions the heartbeat pings
  // Overrides the profile's heartbeat period when set (seconds, 0 = no heartbeat).
  std::optional<double> heartbeat_period_s;
};

// OK, or BadArguments naming the bad field ("read share must be within [0, 1], got 1.5").
Status validate(const Workload& w);

struct ZkCluster {
  int nodes = 3;
  std::string vm_type = "t3.small";
};

// nodes x hourly price x 24. BadArguments for nodes < 1 or an unknown VM type.
Result<double> zookeeper_daily_usd(const ZkCluster& zk, const PriceTable& prices);

// USD of one operation, split by resource.
struct OperationCost {
  double queue = 0;
  double system_store = 0;
  double user_store = 0;
  double function_requests = 0;
  double function_compute = 0;  // GB-seconds
  double total() const { return queue + system_store + user_store + function_requests + function_compute; }
};

// One function's share of a write.
struct FunctionCharge {
  std::string name;
  double billed_ms = 0;   // per invocation
  double gb_seconds = 0;  // per write (invocations_per_write applied)
  double usd = 0;         // per write, requests plus compute
};

struct CostEstimate {
  UserStoreKind user_store = UserStoreKind::S3;  // where nodes of this size live
  OperationCost per_write;
  OperationCost per_read;
  std::vector<FunctionCharge> functions;

  double reads_per_day = 0;
  double writes_per_day = 0;
  double heartbeat_period_s = 0;  // 0 = no heartbeat
  double heartbeat_invocations_per_day = 0;
  double heartbeat_billed_ms = 0;

  double read_usd_per_day = 0;
  double write_usd_per_day = 0;
  double idle_usd_per_day = 0;
  double faaskeeper_usd_per_day = 0;
  double zookeeper_usd_per_day = 0;
  // zookeeper / faaskeeper; +infinity when FaaSKeeper costs nothing.
  double ratio = 0;
  // Requests/day (same read share) at which both cost the same: 0 when FaaSKeeper's idle cost
  // alone reaches ZooKeeper's, +infinity when a request costs nothing.
  double break_even_requests_per_day = 0;
};

// The billed duration of one invocation: billed_ms as given, else handler_ms x max(1,
// memory_mb_per_vcpu / memory_mb) + cloud_io_ms + extra_ms, rounded up to the billing granularity.
double billed_duration_ms(const DurationSpec& d, double memory_mb, const PriceTable& prices, double extra_ms = 0);

// The billed duration of `fn` for `value_bytes` values stored in `kind`: exact at a point,
// linear between points, the first point's below the first, and the last segment's slope beyond
// the last (never less than the last point). BadArguments if the profile has no points for `kind`.
Result<double> function_billed_ms(const FunctionProfile& fn, UserStoreKind kind, uint64_t value_bytes,
                                  const PriceTable& prices);

// The full estimate. Errors: BadArguments for an invalid workload, unknown VM type, unknown
// Lambda architecture or missing duration points.
Result<CostEstimate> estimate(const Workload& w, const ZkCluster& zk, const CostProfile& profile,
                              const PriceTable& prices);

// The paper's heatmap axes: 100K, 500K, 1M, 2M, 5M requests/day and 75, 80, 90, 100 % reads.
const std::vector<double>& paper_requests_per_day();
const std::vector<double>& paper_read_shares();

struct RatioGrid {
  std::vector<double> requests_per_day;          // columns
  std::vector<double> read_shares;               // rows
  std::vector<std::vector<CostEstimate>> cells;  // cells[row][column]
};

// estimate() for every (read share, requests/day) pair; `base` supplies value size, storage,
// sessions and heartbeat. Fails with the first cell's error.
Result<RatioGrid> ratio_grid(const Workload& base, const ZkCluster& zk, const CostProfile& profile,
                             const PriceTable& prices, const std::vector<double>& requests_per_day,
                             const std::vector<double>& read_shares);

}  // namespace faaskeeper::cost
