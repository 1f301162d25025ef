// The crash-restart test: six client processes storm writes at a `faaskeeper local`
// process, which is killed with SIGKILL mid-storm and restarted on the same data directory,
// several rounds in a row. Every client records every acknowledged write; afterwards:
//  - no acknowledged write is lost: each acknowledged set is visible (or superseded by a later
//    one of the same client), each acknowledged sequential create exists with its data;
//  - none is applied twice: a counter's version equals its value (every set writes the next
//    integer unconditionally, so a duplicate would bump the version without the value), and no
//    value appears twice among a client's sequential nodes;
//  - requests to the killed deployment fail (ConnectionLoss) instead of hanging: every client
//    process ends by itself shortly after the kill, its last write recorded as "unknown".
// Seeded (the seed is printed; FK_SEED=<n> reruns one): the kill points vary.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <sstream>

#include "client/local_transport.h"
#include "faaskeeper/client.h"
#include "tests/local/support.h"

namespace faaskeeper {
namespace {

using namespace test;

struct Record {
  std::string id;
  std::string file;
  long last_set_ok = 0;
  std::optional<long> set_unknown, seq_unknown;
  std::map<long, std::string> seq_ok;  // value -> created path
  std::string last_line;
  long oks = 0;
};

Record parse(const std::string& id, const std::string& file) {
  Record r{id, file};
  std::istringstream in(read_file(file));
  std::string line;
  while (std::getline(in, line)) {
    r.last_line = line;
    std::istringstream l(line);
    std::string what, outcome, extra;
    long k = 0;
    l >> what >> k >> outcome >> extra;
    if (outcome == "ok") ++r.oks;
    if (what == "set" && outcome == "ok") r.last_set_ok = k;
    if (what == "set" && outcome == "unknown") r.set_unknown = k;
    if (what == "seq" && outcome == "ok") r.seq_ok[k] = extra;
    if (what == "seq" && outcome == "unknown") r.seq_unknown = k;
  }
  return r;
}

long count_oks(const std::vector<Record>& records) {
  long n = 0;
  for (const auto& r : records) n += parse(r.id, r.file).oks;
  return n;
}

// Checks one client's writes against what the deployment holds now.
void verify(Client& c, const Record& r) {
  SCOPED_TRACE("client " + r.id + " (record " + r.file + ")");
  auto counter = c.get("/storm/c" + r.id);
  ASSERT_TRUE(counter.ok()) << counter.status().to_string();
  ASSERT_TRUE(counter->data.has_value());
  long value = std::stol(*counter->data);
  EXPECT_EQ(counter->stat.version, value) << "a set was applied twice or not in order";
  EXPECT_GE(value, r.last_set_ok) << "an acknowledged set was lost";
  long allowed = r.last_set_ok + (r.set_unknown ? 1 : 0);
  EXPECT_LE(value, allowed) << "a value the client never wrote";

  auto kids = c.get_children("/storm/q" + r.id);
  ASSERT_TRUE(kids.ok()) << kids.status().to_string();
  std::map<long, std::vector<std::string>> by_value;
  for (const auto& name : kids->names) {
    auto node = c.get("/storm/q" + r.id + "/" + name);
    ASSERT_TRUE(node.ok() && node->data) << name;
    by_value[std::stol(*node->data)].push_back("/storm/q" + r.id + "/" + name);
  }
  for (const auto& [k, path] : r.seq_ok) {
    ASSERT_EQ(by_value.count(k), 1u) << "acknowledged create of " << k << " (" << path << ") is lost";
    ASSERT_EQ(by_value[k].size(), 1u) << "create of " << k << " applied " << by_value[k].size() << " times";
    EXPECT_EQ(by_value[k][0], path);
  }
  for (const auto& [k, paths] : by_value) {
    EXPECT_EQ(paths.size(), 1u) << "create of " << k << " applied twice";
    bool known = r.seq_ok.count(k) || (r.seq_unknown && *r.seq_unknown == k);
    EXPECT_TRUE(known) << "node with value " << k << " the client never acknowledged or attempted";
  }
  // Sequence numbers follow the client's order.
  std::vector<std::string> names = kids->names;
  std::sort(names.begin(), names.end());
  long last = 0;
  for (const auto& name : names) {
    long v = std::stol(*c.get("/storm/q" + r.id + "/" + name)->data);
    EXPECT_GT(v, last) << "sequential suffixes out of the client's order";
    last = v;
  }
}

std::unique_ptr<Client> open_client(const std::string& dir) {
  auto t = LocalTransport::open(dir);
  EXPECT_TRUE(t.ok()) << t.status().to_string();
  if (!t.ok()) return nullptr;
  auto c = Client::open(*t);
  EXPECT_TRUE(c.ok()) << c.status().to_string();
  return c.ok() ? std::move(*c) : nullptr;
}

TEST(CrashRestartTest, KillNineMidStormLosesNoAcknowledgedWriteAndAppliesNoneTwice) {
  uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("FK_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::printf("crash-restart seed = %llu (rerun with FK_SEED=%llu)\n", static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  std::mt19937_64 rng(seed);

  TempDir tmp;
  const std::string data = tmp.sub("data");
  const int clients = 6, rounds = 3;
  auto deployment = std::make_unique<LocalProcess>(FK_FAASKEEPER_BIN, data, tmp.sub("deployment-0"),
                                                   std::vector<std::string>{"--writers", "4", "--batch", "8"});
  ASSERT_TRUE(deployment->ready()) << deployment->log();
  {
    auto admin = open_client(data);
    ASSERT_TRUE(admin);
    ASSERT_TRUE(admin->create("/storm", std::string()).ok());
  }

  std::vector<Record> all;
  for (int round = 1; round <= rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    long threshold = std::uniform_int_distribution<long>(200, 1200)(rng);
    std::vector<Record> now;
    std::vector<std::unique_ptr<Process>> procs;
    for (int i = 0; i < clients; ++i) {
      Record r;
      r.id = std::to_string(round * 100 + i);
      r.file = tmp.sub("client-" + r.id + ".record");
      procs.push_back(std::make_unique<Process>(
          std::vector<std::string>{FK_STORM_CLIENT_BIN, "--data", data, "--id", r.id, "--record", r.file},
          tmp.sub("client-" + r.id + ".out"), tmp.sub("client-" + r.id + ".err")));
      now.push_back(r);
    }
    bool stormed = wait_for([&] { return count_oks(now) >= threshold; }, 60s);
    ASSERT_TRUE(stormed) << "the storm did not reach " << threshold << " acknowledged writes: "
                         << count_oks(now) << "\n" << deployment->log();
    deployment->process().signal(SIGKILL);
    ASSERT_TRUE(deployment->process().wait(10s));
    auto killed_at = std::chrono::steady_clock::now();
    long acked = count_oks(now);

    // Every client notices by itself, promptly: its write in flight fails with ConnectionLoss.
    for (size_t i = 0; i < procs.size(); ++i) {
      auto st = procs[i]->wait(20s);
      ASSERT_TRUE(st) << "client " << now[i].id << " hangs after the kill";
      EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << "client " << now[i].id << ": " << procs[i]->err()
                                                          << read_file(now[i].file);
      now[i] = parse(now[i].id, now[i].file);
      EXPECT_NE(now[i].last_line.find("unknown"), std::string::npos)
          << "client " << now[i].id << " ended with: " << now[i].last_line;
    }
    double to_fail = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
    EXPECT_LT(to_fail, 15.0);
    all.insert(all.end(), now.begin(), now.end());

    deployment = std::make_unique<LocalProcess>(FK_FAASKEEPER_BIN, data, tmp.sub("deployment-" + std::to_string(round)));
    ASSERT_TRUE(deployment->ready()) << "restart on the same DIR failed:\n" << deployment->log();
    auto checker = open_client(data);
    ASSERT_TRUE(checker);
    for (const auto& r : all) verify(*checker, r);
    std::printf("round %d: killed after %ld acknowledged writes (threshold %ld); clients failed within %.2f s; "
                "%zu clients verified after restart\n",
                round, acked, threshold, to_fail, all.size());
    std::fflush(stdout);
  }

  deployment->process().signal(SIGTERM);
  auto st = deployment->process().wait(20s);
  ASSERT_TRUE(st);
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << deployment->log();
}

}  // namespace
}  // namespace faaskeeper
