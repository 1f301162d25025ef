// `faaskeeper cost` as users run it: output contract (last line "ratio: X"), the table, JSON,
// the provisional notice, and clear errors with nonzero exits for bad input.
#include "cost/cost_command.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace faaskeeper {
namespace {

struct CommandRun {
  int code = -1;
  std::string out;
  std::string err;

  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  }
  std::string last_line() const {
    auto v = lines();
    return v.empty() ? "" : v.back();
  }
  double ratio() const {
    const std::string l = last_line();
    EXPECT_EQ(l.rfind("ratio: ", 0), 0u) << "last line: " << l;
    return std::stod(l.substr(7));
  }
};

CommandRun cost(std::vector<std::string> args) {
  args.insert(args.begin(), "faaskeeper-cost");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  CommandRun r;
  r.code = run_cost_command(static_cast<int>(args.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::vector<std::string> paper(std::string requests, std::string share, std::string nodes, std::string vm,
                               std::string storage) {
  return {"--profile", "paper", "--requests-per-day", requests, "--read-share", share, "--zk-nodes", nodes,
          "--zk-vm", vm, "--storage", storage};
}

bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

TEST(CostCommand, ReproducesThePaperHeadline) {
  CommandRun all_reads = cost(paper("100000", "1", "9", "t3.large", "hybrid"));
  ASSERT_EQ(all_reads.code, 0) << all_reads.err;
  EXPECT_EQ(all_reads.last_line(), "ratio: 718.85");
  EXPECT_NEAR(all_reads.ratio(), 718.85, 718.85 * 0.05);
  EXPECT_TRUE(contains(all_reads.out, "faaskeeper: $0.025000/day")) << all_reads.out;
  EXPECT_TRUE(contains(all_reads.out, "zookeeper: $17.971200/day")) << all_reads.out;

  CommandRun eighty = cost(paper("100000", "0.8", "9", "t3.large", "hybrid"));
  ASSERT_EQ(eighty.code, 0) << eighty.err;
  EXPECT_NEAR(eighty.ratio(), 109.92, 109.92 * 0.05);

  CommandRun busy = cost(paper("5000000", "0.75", "3", "t3.small", "s3"));
  ASSERT_EQ(busy.code, 0) << busy.err;
  EXPECT_NEAR(busy.ratio(), 0.097, 0.097 * 0.05);
  EXPECT_LT(busy.ratio(), 1);
  EXPECT_TRUE(contains(busy.out, "break-even: 484073 requests/day at 75% reads")) << busy.out;
}

TEST(CostCommand, RatioIsBelowOneSomewhereBetweenOneAndFiveMillion) {
  // s7: "ratio below 1 near 1M-5M requests/day" for the small clusters.
  CommandRun at_1m = cost(paper("1000000", "0.75", "3", "t3.small", "s3"));
  CommandRun at_5m = cost(paper("5000000", "0.9", "3", "t3.small", "s3"));
  ASSERT_EQ(at_1m.code, 0);
  ASSERT_EQ(at_5m.code, 0);
  EXPECT_LT(at_1m.ratio(), 1);
  EXPECT_LT(at_5m.ratio(), 1);
  EXPECT_GT(cost(paper("500000", "0.9", "3", "t3.small", "s3")).ratio(), 1);
}

TEST(CostCommand, TablePrintsTheGridForTheCluster) {
  CommandRun t =
      cost({"--profile", "paper", "--table", "--zk-nodes", "9", "--zk-vm", "t3.large", "--storage", "hybrid"});
  ASSERT_EQ(t.code, 0) << t.err;
  auto lines = t.lines();
  ASSERT_EQ(lines.size(), 6u) << t.out;  // title, header, 4 read shares
  EXPECT_TRUE(contains(lines[1], "100K") && contains(lines[1], "500K") && contains(lines[1], "5M")) << lines[1];
  EXPECT_EQ(lines[2].rfind("   75%", 0), 0u) << lines[2];
  EXPECT_TRUE(contains(lines[3], "109.92")) << lines[3];  // 80 % reads, 100K
  EXPECT_TRUE(contains(lines[5], "718.85")) << lines[5];  // 100 % reads, 100K
  std::istringstream row(lines[5]);
  std::string label;
  std::vector<double> values;
  row >> label;
  for (double v; values.size() < 5 && row >> v;) values.push_back(v);
  ASSERT_EQ(values.size(), 5u);
  EXPECT_NEAR(values[4], 14.38, 0.01);  // 5M/day
}

TEST(CostCommand, TableWithAWorkloadEndsWithItsRatio) {
  CommandRun t = cost({"--profile", "paper", "--table", "--zk-nodes", "3", "--zk-vm", "t3.small", "--storage", "s3",
                "--requests-per-day", "100000", "--read-share", "1"});
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_TRUE(contains(t.out, "reads \\ requests/day"));
  EXPECT_EQ(t.last_line(), "ratio: 37.44");
}

TEST(CostCommand, JsonCarriesEstimateAndGrid) {
  CommandRun j = cost({"--profile", "paper", "--json", "--table", "--zk-nodes", "9", "--zk-vm", "t3.large", "--storage",
                "hybrid", "--requests-per-day", "100000", "--read-share", "0.8"});
  ASSERT_EQ(j.code, 0) << j.err;
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_NEAR(doc["ratio"].get<double>(), 109.92, 0.01);
  EXPECT_EQ(doc["profile"]["name"], "paper");
  EXPECT_EQ(doc["profile"]["provisional"], false);
  EXPECT_EQ(doc["zookeeper"]["vm_type"], "t3.large");
  EXPECT_EQ(doc["estimate"]["user_store"], "dynamodb");
  EXPECT_NEAR(doc["estimate"]["per_write_usd"]["total"].get<double>() * 1e6,
              1.00 + 3.75 + 0.25 + 1.25 + 0.40 + (0.016 + 0.0155) * 1.66667e-5 * 1e6, 1e-9);
  const auto& grid = doc["grid"];
  ASSERT_EQ(grid["ratio"].size(), 4u);
  ASSERT_EQ(grid["ratio"][0].size(), 5u);
  EXPECT_NEAR(grid["ratio"][3][0].get<double>(), 718.85, 0.01);
  EXPECT_EQ(grid["read_shares"][1].get<double>(), 0.8);
  EXPECT_EQ(grid["requests_per_day"][4].get<double>(), 5e6);
}

TEST(CostCommand, DefaultProfileIsTheProvisionalCppOneAndSaysSo) {
  CommandRun r = cost({"--requests-per-day", "100000", "--read-share", "0.9", "--zk-nodes", "3", "--zk-vm", "t3.small",
                "--storage", "s3"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_FALSE(r.lines().empty());
  EXPECT_EQ(r.lines()[0].rfind("note: profile 'cpp' is PROVISIONAL", 0), 0u) << r.out;
  EXPECT_TRUE(contains(r.out, "profile: cpp"));
  EXPECT_EQ(r.last_line().rfind("ratio: ", 0), 0u);
  EXPECT_TRUE(contains(r.out, "idle: heartbeat every 60 s"));

  CommandRun j = cost({"--json", "--requests-per-day", "100000", "--read-share", "0.9", "--zk-nodes", "3", "--zk-vm",
                "t3.small", "--storage", "s3"});
  ASSERT_EQ(j.code, 0);
  EXPECT_TRUE(contains(j.err, "PROVISIONAL"));
  EXPECT_EQ(nlohmann::json::parse(j.out)["profile"]["provisional"], true);

  CommandRun p = cost(paper("100000", "0.9", "3", "t3.small", "s3"));
  EXPECT_FALSE(contains(p.out, "PROVISIONAL"));
}

TEST(CostCommand, HeartbeatOverrideAddsTheIdleCost) {
  CommandRun off = cost(paper("100000", "1", "9", "t3.large", "hybrid"));
  auto with = paper("100000", "1", "9", "t3.large", "hybrid");
  with.insert(with.end(), {"--heartbeat-period", "60", "--json"});
  CommandRun on = cost(with);
  ASSERT_EQ(on.code, 0) << on.err;
  auto doc = nlohmann::json::parse(on.out);
  const double idle = doc["estimate"]["idle_usd_per_day"].get<double>();
  // 1440 invocations x ($0.2/M + 11 ms x 0.5 GB x $1.66667e-5 + 0.5 RRU x $0.25/M).
  EXPECT_NEAR(idle, 1440 * (0.2e-6 + 0.011 * 0.5 * 1.66667e-5 + 0.5 * 0.25e-6), 1e-12);
  EXPECT_NEAR(doc["ratio"].get<double>(), 17.9712 / (0.025 + idle), 1e-6);
  EXPECT_LT(doc["ratio"].get<double>(), off.ratio());
  EXPECT_NEAR(doc["ratio"].get<double>(), 718.85, 718.85 * 0.05) << "still within the paper's figure";
}

TEST(CostCommand, ValueSizeChangesTheCost) {
  auto args = paper("100000", "0.8", "3", "t3.small", "hybrid");
  args.insert(args.end(), {"--value-bytes", "100000"});
  CommandRun big = cost(args);
  ASSERT_EQ(big.code, 0) << big.err;
  EXPECT_TRUE(contains(big.out, "user store s3")) << "100 KB nodes do not fit the hybrid threshold";
  EXPECT_LT(big.ratio(), cost(paper("100000", "0.8", "3", "t3.small", "hybrid")).ratio());
}

TEST(CostCommand, UnknownVmTypeIsRejected) {
  CommandRun r = cost(paper("100000", "1", "3", "m9.huge", "s3"));
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "unknown VM type 'm9.huge': known types are t3.large, t3.medium, t3.small")) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CostCommand, ReadShareOutsideZeroOneIsRejected) {
  for (const char* share : {"1.5", "-0.1"}) {
    CommandRun r = cost(paper("100000", share, "3", "t3.small", "s3"));
    EXPECT_EQ(r.code, 2) << share;
    EXPECT_TRUE(contains(r.err, "read share must be within [0, 1], got " + std::string(share))) << r.err;
  }
}

TEST(CostCommand, MissingPriceFileIsAClearError) {
  auto args = paper("100000", "1", "3", "t3.small", "s3");
  args.insert(args.end(), {"--prices", "/nonexistent/prices.json"});
  CommandRun r = cost(args);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "faaskeeper cost: error: cannot open price file '/nonexistent/prices.json': No such file or directory\n");
}

TEST(CostCommand, OtherBadArguments) {
  CommandRun storage = cost(paper("100000", "1", "3", "t3.small", "dynamo"));
  EXPECT_EQ(storage.code, 2);
  EXPECT_TRUE(contains(storage.err, "unknown storage 'dynamo': expected s3 or hybrid"));

  CommandRun nodes = cost(paper("100000", "1", "0", "t3.small", "s3"));
  EXPECT_EQ(nodes.code, 2);
  EXPECT_TRUE(contains(nodes.err, "at least 1 node"));

  CommandRun negative = cost(paper("-5", "1", "3", "t3.small", "s3"));
  EXPECT_EQ(negative.code, 2);
  EXPECT_TRUE(contains(negative.err, "requests per day must be"));

  CommandRun profile = cost({"--profile", "nosuch", "--requests-per-day", "1", "--read-share", "1", "--zk-nodes", "3",
                      "--zk-vm", "t3.small", "--storage", "s3"});
  EXPECT_EQ(profile.code, 1);
  EXPECT_TRUE(contains(profile.err, "unknown profile 'nosuch' (known: cpp, paper)")) << profile.err;

  CommandRun no_workload = cost({"--zk-nodes", "3", "--zk-vm", "t3.small", "--storage", "s3"});
  EXPECT_EQ(no_workload.code, 2);
  EXPECT_TRUE(contains(no_workload.err, "--requests-per-day and --read-share are required"));

  CommandRun half = cost({"--requests-per-day", "5", "--zk-nodes", "3", "--zk-vm", "t3.small", "--storage", "s3"});
  EXPECT_EQ(half.code, 2);

  CommandRun missing_vm = cost({"--requests-per-day", "5", "--read-share", "1", "--zk-nodes", "3", "--storage", "s3"});
  EXPECT_NE(missing_vm.code, 0);
  EXPECT_TRUE(contains(missing_vm.err, "--zk-vm")) << missing_vm.err;

  auto negative_size = paper("100000", "1", "3", "t3.small", "s3");
  negative_size.insert(negative_size.end(), {"--value-bytes", "-5"});
  CommandRun size = cost(negative_size);
  EXPECT_EQ(size.code, 2);
  EXPECT_TRUE(contains(size.err, "value bytes must be >= 0, got -5")) << size.err;

  CommandRun not_a_number = cost(paper("lots", "1", "3", "t3.small", "s3"));
  EXPECT_NE(not_a_number.code, 0);
  EXPECT_TRUE(contains(not_a_number.err, "--requests-per-day")) << not_a_number.err;
}

TEST(CostCommand, HelpExitsZero) {
  CommandRun h = cost({"--help"});
  EXPECT_EQ(h.code, 0);
  EXPECT_TRUE(contains(h.out, "--requests-per-day"));
}

TEST(CostCommand, PublicEntryWritesToStandardStreams) {
  std::vector<std::string> args = {"faaskeeper-cost", "--profile", "paper", "--requests-per-day", "100000",
                                   "--read-share", "0.8", "--zk-nodes", "9", "--zk-vm", "t3.large",
                                   "--storage", "hybrid"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream captured;
  std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
  int code = run_cost_command(static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old);
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(captured.str().ends_with("ratio: 109.92\n")) << captured.str();
}

}  // namespace
}  // namespace faaskeeper
