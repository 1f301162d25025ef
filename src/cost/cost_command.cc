#include "cost/cost_command.h"

#include "cost/data_paths.h"
#include "cost/model.h"
#include "cost/prices.h"
#include "cost/profile.h"
#include "cost/report.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <iostream>
#include <optional>
#include <string>

namespace faaskeeper {

namespace {

using namespace cost;

constexpr int kDataFileError = 1;
constexpr int kBadArguments = 2;

struct Options {
  double requests_per_day = 0;
  double read_share = 0;
  int zk_nodes = 0;
  std::string zk_vm;
  std::string storage;
  std::string profile = "cpp";
  int64_t value_bytes = 1024;  // signed so that a negative value is refused, not wrapped
  std::string prices;
  bool table = false;
  bool json = false;
  std::optional<double> heartbeat_period_s;
  int64_t sessions = 1;
};

int fail(std::ostream& err, int code, const std::string& message) {
  err << "faaskeeper cost: error: " << message << "\n";
  return code;
}

// Exit code for a Status from loading data files or computing: argument errors are 2.
int code_for(const Status& s) { return s.code() == Error::BadArguments ? kBadArguments : kDataFileError; }

}  // namespace

int run_cost_command(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Options o;
  CLI::App app{"Estimate FaaSKeeper's daily AWS cost against a ZooKeeper ensemble (docs/cost.md)", "faaskeeper cost"};
  auto* requests_opt = app.add_option("--requests-per-day", o.requests_per_day, "reads plus writes per day");
  auto* share_opt = app.add_option("--read-share", o.read_share, "fraction of requests that are reads, in [0, 1]");
  app.add_option("--zk-nodes", o.zk_nodes, "ZooKeeper ensemble size (VMs)")->required();
  app.add_option("--zk-vm", o.zk_vm, "EC2 instance type of each ZooKeeper VM, e.g. t3.large")->required();
  app.add_option("--storage", o.storage, "user store: s3, or hybrid (DynamoDB for small nodes)")->required();
  app.add_option("--profile", o.profile, "cost profile: paper, cpp, or a profile file")->capture_default_str();
  app.add_option("--value-bytes", o.value_bytes, "node data size per request")->capture_default_str();
  app.add_option("--prices", o.prices, "price file (default: " + default_price_file() + ")");
  app.add_flag("--table", o.table, "print the ratio grid (100K..5M requests/day x 75..100% reads)");
  app.add_flag("--json", o.json, "print one JSON object instead of text");
  app.add_option("--heartbeat-period", o.heartbeat_period_s,
                 "override the profile's heartbeat period in seconds (0 = no heartbeat)");
  app.add_option("--sessions", o.sessions, "sessions the heartbeat pings")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err);
  }

  const bool single = requests_opt->count() > 0 || share_opt->count() > 0;
  if (single && (requests_opt->count() == 0 || share_opt->count() == 0)) {
    return fail(err, kBadArguments, "--requests-per-day and --read-share must be given together");
  }
  if (!single && !o.table) {
    return fail(err, kBadArguments, "--requests-per-day and --read-share are required (or use --table)");
  }

  if (o.value_bytes < 0) {
    return fail(err, kBadArguments, "value bytes must be >= 0, got " + std::to_string(o.value_bytes));
  }
  if (o.sessions < 0) return fail(err, kBadArguments, "sessions must be >= 0, got " + std::to_string(o.sessions));

  auto storage = parse_storage_mode(o.storage);
  if (!storage.ok()) return fail(err, kBadArguments, storage.status().message());

  Workload workload;
  workload.requests_per_day = o.requests_per_day;
  workload.read_share = o.read_share;
  workload.value_bytes = static_cast<uint64_t>(o.value_bytes);
  workload.storage = *storage;
  workload.sessions = static_cast<uint64_t>(o.sessions);
  workload.heartbeat_period_s = o.heartbeat_period_s;
  if (single) {
    if (Status s = validate(workload); !s.ok()) return fail(err, kBadArguments, s.message());
  } else if (o.heartbeat_period_s && !(*o.heartbeat_period_s >= 0)) {
    return fail(err, kBadArguments, "heartbeat period must be >= 0 seconds (0 = none)");
  }

  auto prices = load_price_table(o.prices.empty() ? default_price_file() : o.prices);
  if (!prices.ok()) return fail(err, kDataFileError, prices.status().message());

  const std::string profile_path = profile_file(o.profile);
  auto profile = load_cost_profile(profile_path);
  if (!profile.ok()) {
    std::string message = profile.status().message();
    if (profile.status().code() == Error::SystemError && profile_path != o.profile) {
      std::string known;
      for (const auto& n : known_profiles()) known += (known.empty() ? "" : ", ") + n;
      message = "unknown profile '" + o.profile + "' (known: " + known + "): " + message;
    }
    return fail(err, kDataFileError, message);
  }

  const ZkCluster zk{o.zk_nodes, o.zk_vm};
  if (auto zk_usd = zookeeper_daily_usd(zk, *prices); !zk_usd.ok()) {
    return fail(err, kBadArguments, zk_usd.status().message());
  }

  const ReportContext ctx{&*profile, &*prices, zk, workload};
  std::optional<RatioGrid> grid;
  if (o.table) {
    auto g = ratio_grid(workload, zk, *profile, *prices, paper_requests_per_day(), paper_read_shares());
    if (!g.ok()) return fail(err, code_for(g.status()), g.status().message());
    grid = std::move(*g);
  }
  std::optional<CostEstimate> single_estimate;
  if (single) {
    auto e = estimate(workload, zk, *profile, *prices);
    if (!e.ok()) return fail(err, code_for(e.status()), e.status().message());
    single_estimate = std::move(*e);
  }

  if (o.json) {
    if (profile->provisional) err << provisional_notice(*profile) << "\n";
    nlohmann::json doc = context_json(ctx);
    if (grid) doc["grid"] = grid_json(*grid);
    if (single_estimate) {
      doc["workload"] = {{"requests_per_day", workload.requests_per_day}, {"read_share", workload.read_share}};
      doc["estimate"] = estimate_json(*single_estimate);
      doc["ratio"] = doc["estimate"]["ratio"];
    }
    out << doc.dump(2) << "\n";
    return 0;
  }

  if (profile->provisional) out << provisional_notice(*profile) << "\n";
  if (grid) write_grid_text(out, ctx, *grid);
  if (single_estimate) {
    if (grid) out << "\n";
    write_estimate_text(out, ctx, *single_estimate);
  }
  return 0;
}

int run_cost_command(int argc, char** argv) { return run_cost_command(argc, argv, std::cout, std::cerr); }

}  // namespace faaskeeper
