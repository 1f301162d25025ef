// Loading the price file and profiles: the shipped files load and carry a source for every price;
// broken or missing files fail with a message that names the file and the field.
#include "cost/data_paths.h"
#include "cost/prices.h"
#include "cost/profile.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <filesystem>
#include <fstream>
#include <string>

namespace faaskeeper::cost {
namespace {

using nlohmann::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

json shipped_prices_json() { return json::parse(read_file(default_price_file())); }
json shipped_profile_json(const std::string& name) { return json::parse(read_file(profile_file(name))); }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(PriceFile, ShippedFileHasThePapersPrices) {
  auto t = load_price_table(default_price_file());
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->region, "us-east-1");
  EXPECT_DOUBLE_EQ(t->s3_put_usd * 1e6, 5.0);
  EXPECT_DOUBLE_EQ(t->s3_get_usd * 1e6, 0.4);
  EXPECT_DOUBLE_EQ(t->dynamodb_write_unit_usd * 1e6, 1.25);
  EXPECT_EQ(t->dynamodb_write_unit_bytes, 1024u);
  EXPECT_DOUBLE_EQ(t->dynamodb_read_unit_usd * 1e6, 0.25);
  EXPECT_EQ(t->dynamodb_read_unit_bytes, 4096u);
  EXPECT_DOUBLE_EQ(t->sqs_fifo_request_usd * 1e6, 0.5);
  EXPECT_EQ(t->sqs_fifo_chunk_bytes, 65536u);
  EXPECT_DOUBLE_EQ(t->lambda.at("x86_64").usd_per_gb_second, 1.66667e-5);
  EXPECT_DOUBLE_EQ(t->lambda.at("arm64").usd_per_gb_second, 1.33334e-5);
  EXPECT_DOUBLE_EQ(t->lambda.at("x86_64").usd_per_request * 1e6, 0.2);
  EXPECT_DOUBLE_EQ(t->lambda.at("arm64").usd_per_request * 1e6, 0.2);
  EXPECT_DOUBLE_EQ(*t->vm_usd_per_hour("t3.small"), 0.0208);
  EXPECT_DOUBLE_EQ(*t->vm_usd_per_hour("t3.medium"), 0.0416);
  EXPECT_DOUBLE_EQ(*t->vm_usd_per_hour("t3.large"), 0.0832);
}

TEST(PriceFile, EveryPriceNamesItsSource) {
  int priced = 0;
  std::function<void(const json&, const std::string&)> walk = [&](const json& j, const std::string& path) {
    if (!j.is_object()) return;
    if (j.contains("usd") || j.contains("usd_per_hour")) {
      ++priced;
      EXPECT_TRUE(j.contains("source") && j["source"].is_string() && !j["source"].get<std::string>().empty())
          << path << " has no source";
    }
    for (const auto& [k, v] : j.items()) walk(v, path + "." + k);
  };
  walk(shipped_prices_json(), "");
  EXPECT_EQ(priced, 4 /*S3, DynamoDB*/ + 1 /*SQS*/ + 4 /*Lambda*/ + 3 /*EC2*/);
}

TEST(PriceFile, MissingFileIsAClearError) {
  auto t = load_price_table("/nonexistent/dir/prices.json");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.code(), Error::SystemError);
  EXPECT_EQ(t.status().message(), "cannot open price file '/nonexistent/dir/prices.json': No such file or directory");
}

TEST(PriceFile, MalformedOrIncompleteFilesNameTheProblem) {
  auto not_json = parse_price_table("{ \"s3\": ", "p.json");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.status().message(), "price file p.json is not valid JSON");

  json j = shipped_prices_json();
  j["dynamodb"].erase("write_unit_per_million");
  auto missing = parse_price_table(j.dump(), "p.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), Error::BadArguments);
  EXPECT_EQ(missing.status().message(), "price file p.json: missing object 'dynamodb.write_unit_per_million'");

  j = shipped_prices_json();
  j["s3"]["get_per_million"]["usd"] = "cheap";
  EXPECT_EQ(parse_price_table(j.dump(), "p.json").status().message(),
            "price file p.json: 's3.get_per_million.usd' must be a number");

  j = shipped_prices_json();
  j["ec2"]["t3.small"]["usd_per_hour"] = -1;
  EXPECT_EQ(parse_price_table(j.dump(), "p.json").status().message(),
            "price file p.json: 'ec2.t3.small.usd_per_hour' must be >= 0, got -1");

  j = shipped_prices_json();
  j["sqs_fifo"]["request_per_million"]["unit_bytes"] = 0;
  EXPECT_FALSE(parse_price_table(j.dump(), "p.json").ok());
}

TEST(PriceFile, ExtraInstanceTypesAreUsable) {
  json j = shipped_prices_json();
  j["ec2"]["m5.large"] = {{"usd_per_hour", 0.096}, {"source", "test"}};
  auto t = parse_price_table(j.dump(), "p.json");
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_DOUBLE_EQ(*t->vm_usd_per_hour("m5.large"), 0.096);
  EXPECT_EQ(t->vm_types(), (std::vector<std::string>{"m5.large", "t3.large", "t3.medium", "t3.small"}));
  auto unknown = t->vm_usd_per_hour("t2.nano");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "unknown VM type 't2.nano': known types are m5.large, t3.large, t3.medium, t3.small (from p.json)");
}

TEST(ProfileFile, PaperProfileHoldsThePapersCountsAndDurations) {
  auto p = load_cost_profile(profile_file("paper"));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->queue_messages, 2);
  EXPECT_EQ(p->system_store_write_units, 3);
  EXPECT_EQ(p->system_store_read_units, 1);
  EXPECT_EQ(p->user_store_writes, 1);
  EXPECT_EQ(p->user_store_reads, 1);
  ASSERT_EQ(p->functions.size(), 2u);
  EXPECT_EQ(p->functions[0].name, "writer");
  EXPECT_EQ(p->functions[1].name, "distributor");
  for (const auto& f : p->functions) {
    EXPECT_EQ(f.memory_mb, 512);
    EXPECT_EQ(f.arch, "x86_64");
  }
  // Median GB-s at 512 MB, 1 KB (final_plots.ipynb cells 16 and 27): 0.016 / 0.0305 with S3,
  // 0.016 / 0.0155 with DynamoDB; billed_ms = GB-s x 2000.
  auto at_1k = [](const std::vector<DurationPoint>& pts) {
    for (const auto& pt : pts)
      if (pt.value_bytes == 1024) return *pt.duration.billed_ms;
    return -1.0;
  };
  EXPECT_EQ(at_1k(p->functions[0].s3_points), 32);
  EXPECT_EQ(at_1k(p->functions[1].s3_points), 61);
  EXPECT_EQ(at_1k(p->functions[0].dynamodb_points), 32);
  EXPECT_EQ(at_1k(p->functions[1].dynamodb_points), 31);
}

TEST(ProfileFile, CppProfileIsLabelledProvisional) {
  auto p = load_cost_profile(profile_file("cpp"));
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->name, "cpp");
  EXPECT_TRUE(p->provisional);
  EXPECT_TRUE(contains(p->source, "PROVISIONAL"));
  EXPECT_TRUE(contains(p->source, "faaskeeper cost"));
  EXPECT_GT(p->heartbeat.period_s, 0) << "the C++ deployment runs the heartbeat";
}

TEST(ProfileFile, ProfileNamesResolveInTheDataDirectory) {
  EXPECT_EQ(profile_file("paper"), (std::filesystem::path(data_dir()) / "cost/profiles/paper.json").string());
  EXPECT_EQ(profile_file("./mine.json"), "./mine.json");
  EXPECT_EQ(profile_file("mine.json"), "mine.json");
  EXPECT_EQ(known_profiles(), (std::vector<std::string>{"cpp", "paper"}));
}

TEST(ProfileFile, DataDirectoryCanBeOverriddenByEnvironment) {
  const std::string compiled = data_dir();
  ASSERT_EQ(setenv("FAASKEEPER_DATA_DIR", "/opt/fk-data", 1), 0);
  EXPECT_EQ(data_dir(), "/opt/fk-data");
  EXPECT_EQ(default_price_file(), "/opt/fk-data/cost/aws-us-east-1.json");
  ASSERT_EQ(unsetenv("FAASKEEPER_DATA_DIR"), 0);
  EXPECT_EQ(data_dir(), compiled);
}

TEST(ProfileFile, BrokenProfilesNameTheField) {
  auto missing = load_cost_profile("/nonexistent/profile.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "cannot open profile '/nonexistent/profile.json': No such file or directory");

  json j = shipped_profile_json("paper");
  j["functions"][1]["duration"]["s3"][2].erase("billed_ms");
  EXPECT_EQ(parse_cost_profile(j.dump(), "x.json").status().message(),
            "profile x.json: 'functions[1].duration.s3[2]' needs either billed_ms, or handler_ms and cloud_io_ms");

  j = shipped_profile_json("paper");
  j["functions"][0]["duration"]["s3"][0]["handler_ms"] = 1;  // both forms at once
  EXPECT_FALSE(parse_cost_profile(j.dump(), "x.json").ok());

  j = shipped_profile_json("paper");
  j["functions"][0]["memory_mb"] = 0;
  EXPECT_EQ(parse_cost_profile(j.dump(), "x.json").status().message(),
            "profile x.json: 'functions[0].memory_mb' must be > 0, got 0");

  j = shipped_profile_json("paper");
  j["per_write"].erase("queue_messages");
  EXPECT_EQ(parse_cost_profile(j.dump(), "x.json").status().message(),
            "profile x.json: missing number 'per_write.queue_messages'");

  j = shipped_profile_json("paper");
  j["functions"][0]["duration"]["s3"].push_back({{"value_bytes", 4}, {"billed_ms", 1}});
  EXPECT_EQ(parse_cost_profile(j.dump(), "x.json").status().message(),
            "profile x.json: 'functions[0].duration.s3' has two points for 4 bytes");

  j = shipped_profile_json("paper");
  j["schema"] = "faaskeeper-cost-profile/99";
  EXPECT_FALSE(parse_cost_profile(j.dump(), "x.json").ok());

  j = shipped_profile_json("paper");
  j["provisional"] = "yes";
  EXPECT_EQ(parse_cost_profile(j.dump(), "x.json").status().message(),
            "profile x.json: 'provisional' must be true or false");
}

TEST(ProfileFile, PointsAreSortedBySize) {
  json j = shipped_profile_json("paper");
  auto& pts = j["functions"][0]["duration"]["s3"];
  std::reverse(pts.begin(), pts.end());
  auto p = parse_cost_profile(j.dump(), "x.json");
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  const auto& sorted = p->functions[0].s3_points;
  for (size_t i = 1; i < sorted.size(); ++i) EXPECT_LT(sorted[i - 1].value_bytes, sorted[i].value_bytes);
}

}  // namespace
}  // namespace faaskeeper::cost
