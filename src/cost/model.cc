#include "cost/model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace faaskeeper::cost {

namespace {

constexpr double kSecondsPerDay = 86400;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Units of `unit_bytes` needed for `bytes` (at least one: an empty item still costs a unit).
double units(uint64_t bytes, uint64_t unit_bytes) {
  return std::max<double>(1, std::ceil(static_cast<double>(bytes) / static_cast<double>(unit_bytes)));
}

double gb_seconds(double billed_ms, double memory_mb) { return billed_ms / 1000.0 * memory_mb / 1024.0; }

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Linear interpolation of the billed durations of `points` at `x` (see function_billed_ms).
double interpolate(const std::vector<DurationPoint>& points, const std::vector<double>& ms, double x) {
  if (points.size() == 1 || x <= static_cast<double>(points.front().value_bytes)) return ms.front();
  for (size_t i = 1; i < points.size(); ++i) {
    double x0 = static_cast<double>(points[i - 1].value_bytes);
    double x1 = static_cast<double>(points[i].value_bytes);
    if (x <= x1) return ms[i - 1] + (ms[i] - ms[i - 1]) * (x - x0) / (x1 - x0);
  }
  size_t n = points.size();
  double x0 = static_cast<double>(points[n - 2].value_bytes);
  double x1 = static_cast<double>(points[n - 1].value_bytes);
  double extrapolated = ms[n - 1] + (ms[n - 1] - ms[n - 2]) * (x - x1) / (x1 - x0);
  return std::max(ms[n - 1], extrapolated);
}

}  // namespace

std::string_view storage_mode_name(StorageMode mode) { return mode == StorageMode::S3 ? "s3" : "hybrid"; }

Result<StorageMode> parse_storage_mode(std::string_view text) {
  if (text == "s3") return StorageMode::S3;
  if (text == "hybrid") return StorageMode::Hybrid;
  return Status(Error::BadArguments, "unknown storage '" + std::string(text) + "': expected s3 or hybrid");
}

Status validate(const Workload& w) {
  if (!std::isfinite(w.requests_per_day) || w.requests_per_day < 0) {
    return Status(Error::BadArguments, "requests per day must be a finite number >= 0, got " +
                                           number_text(w.requests_per_day));
  }
  if (!(w.read_share >= 0 && w.read_share <= 1)) {
    return Status(Error::BadArguments, "read share must be within [0, 1], got " + number_text(w.read_share));
  }
  if (w.heartbeat_period_s && !(std::isfinite(*w.heartbeat_period_s) && *w.heartbeat_period_s >= 0)) {
    return Status(Error::BadArguments, "heartbeat period must be >= 0 seconds (0 = none), got " +
                                           number_text(*w.heartbeat_period_s));
  }
  return Status::OK();
}

Result<double> zookeeper_daily_usd(const ZkCluster& zk, const PriceTable& prices) {
  if (zk.nodes < 1) {
    return Status(Error::BadArguments, "a ZooKeeper ensemble needs at least 1 node, got " + std::to_string(zk.nodes));
  }
  auto hourly = prices.vm_usd_per_hour(zk.vm_type);
  if (!hourly.ok()) return hourly.status();
  return zk.nodes * *hourly * 24.0;
}

double billed_duration_ms(const DurationSpec& d, double memory_mb, const PriceTable& prices, double extra_ms) {
  if (d.billed_ms && extra_ms == 0) return *d.billed_ms;
  double raw;
  if (d.billed_ms) {
    raw = *d.billed_ms + extra_ms;
  } else {
    // Lambda gives a function CPU in proportion to its memory: below one vCPU, CPU-bound work
    // measured on a full core takes proportionally longer; waiting on the network does not.
    double stretch = std::max(1.0, prices.lambda_memory_mb_per_vcpu / memory_mb);
    raw = d.handler_ms * stretch + d.cloud_io_ms + extra_ms;
  }
  double g = prices.lambda_billing_granularity_ms;
  return std::ceil(raw / g - 1e-9) * g;
}

Result<double> function_billed_ms(const FunctionProfile& fn, UserStoreKind kind, uint64_t value_bytes,
                                  const PriceTable& prices) {
  const auto& points = fn.points(kind);
  if (points.empty()) {
    return Status(Error::BadArguments, "function '" + fn.name + "' has no duration points for the " +
                                           std::string(user_store_name(kind)) + " user store");
  }
  std::vector<double> ms;
  ms.reserve(points.size());
  for (const auto& p : points) ms.push_back(billed_duration_ms(p.duration, fn.memory_mb, prices));
  return interpolate(points, ms, static_cast<double>(value_bytes));
}

Result<CostEstimate> estimate(const Workload& w, const ZkCluster& zk, const CostProfile& profile,
                              const PriceTable& prices) {
  if (Status s = validate(w); !s.ok()) return s;
  auto zk_usd = zookeeper_daily_usd(zk, prices);
  if (!zk_usd.ok()) return zk_usd.status();

  CostEstimate e;
  const uint64_t object_bytes = w.value_bytes + profile.object_overhead_bytes;
  e.user_store = (w.storage == StorageMode::Hybrid && object_bytes <= profile.hybrid_threshold_bytes)
                     ? UserStoreKind::DynamoDB
                     : UserStoreKind::S3;
  const bool dynamo = e.user_store == UserStoreKind::DynamoDB;

  // One write.
  e.per_write.queue = profile.queue_messages * units(object_bytes, prices.sqs_fifo_chunk_bytes) *
                      prices.sqs_fifo_request_usd;
  e.per_write.system_store = profile.system_store_write_units * prices.dynamodb_write_unit_usd +
                             profile.system_store_read_units * prices.dynamodb_read_unit_usd;
  e.per_write.user_store =
      profile.user_store_writes *
      (dynamo ? units(object_bytes, prices.dynamodb_write_unit_bytes) * prices.dynamodb_write_unit_usd
              : prices.s3_put_usd);
  for (const auto& fn : profile.functions) {
    auto price = prices.lambda_price(fn.arch);
    if (!price.ok()) return Status(Error::BadArguments, "function '" + fn.name + "': " + price.status().message());
    auto ms = function_billed_ms(fn, e.user_store, w.value_bytes, prices);
    if (!ms.ok()) return ms.status();
    FunctionCharge c;
    c.name = fn.name;
    c.billed_ms = *ms;
    c.gb_seconds = fn.invocations_per_write * gb_seconds(*ms, fn.memory_mb);
    double requests = fn.invocations_per_write * price->usd_per_request;
    double compute = c.gb_seconds * price->usd_per_gb_second;
    c.usd = requests + compute;
    e.per_write.function_requests += requests;
    e.per_write.function_compute += compute;
    e.functions.push_back(c);
  }

  // One read.
  e.per_read.user_store =
      profile.user_store_reads *
      (dynamo ? units(object_bytes, prices.dynamodb_read_unit_bytes) * prices.dynamodb_read_unit_usd
              : prices.s3_get_usd);

  // Idle: the heartbeat schedule fires whatever the load.
  const HeartbeatProfile& hb = profile.heartbeat;
  e.heartbeat_period_s = w.heartbeat_period_s.value_or(hb.period_s);
  if (e.heartbeat_period_s > 0) {
    auto price = prices.lambda_price(hb.arch);
    if (!price.ok()) return Status(Error::BadArguments, "heartbeat: " + price.status().message());
    e.heartbeat_invocations_per_day = kSecondsPerDay / e.heartbeat_period_s;
    e.heartbeat_billed_ms =
        billed_duration_ms(hb.duration, hb.memory_mb, prices, hb.per_session_ms * static_cast<double>(w.sessions));
    double per_invocation = price->usd_per_request +
                            gb_seconds(e.heartbeat_billed_ms, hb.memory_mb) * price->usd_per_gb_second +
                            hb.system_store_read_units * prices.dynamodb_read_unit_usd;
    e.idle_usd_per_day = e.heartbeat_invocations_per_day * per_invocation;
  }

  e.reads_per_day = w.requests_per_day * w.read_share;
  e.writes_per_day = w.requests_per_day - e.reads_per_day;
  e.read_usd_per_day = e.reads_per_day * e.per_read.total();
  e.write_usd_per_day = e.writes_per_day * e.per_write.total();
  e.faaskeeper_usd_per_day = e.read_usd_per_day + e.write_usd_per_day + e.idle_usd_per_day;
  e.zookeeper_usd_per_day = *zk_usd;
  e.ratio = e.faaskeeper_usd_per_day > 0 ? e.zookeeper_usd_per_day / e.faaskeeper_usd_per_day : kInfinity;

  double per_request = w.read_share * e.per_read.total() + (1 - w.read_share) * e.per_write.total();
  if (e.idle_usd_per_day >= e.zookeeper_usd_per_day) {
    e.break_even_requests_per_day = 0;
  } else if (per_request <= 0) {
    e.break_even_requests_per_day = kInfinity;
  } else {
    e.break_even_requests_per_day = (e.zookeeper_usd_per_day - e.idle_usd_per_day) / per_request;
  }
  return e;
}

const std::vector<double>& paper_requests_per_day() {
  static const std::vector<double> v{1e5, 5e5, 1e6, 2e6, 5e6};
  return v;
}

const std::vector<double>& paper_read_shares() {
  static const std::vector<double> v{0.75, 0.80, 0.90, 1.00};
  return v;
}

Result<RatioGrid> ratio_grid(const Workload& base, const ZkCluster& zk, const CostProfile& profile,
                             const PriceTable& prices, const std::vector<double>& requests_per_day,
                             const std::vector<double>& read_shares) {
  RatioGrid g;
  g.requests_per_day = requests_per_day;
  g.read_shares = read_shares;
  for (double share : read_shares) {
    std::vector<CostEstimate> row;
    for (double requests : requests_per_day) {
      Workload w = base;
      w.read_share = share;
      w.requests_per_day = requests;
      auto e = estimate(w, zk, profile, prices);
      if (!e.ok()) return e.status();
      row.push_back(std::move(*e));
    }
    g.cells.push_back(std::move(row));
  }
  return g;
}

}  // namespace faaskeeper::cost
