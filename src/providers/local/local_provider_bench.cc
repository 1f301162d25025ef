// Measures the local provider itself (group commit across writer threads, direct reads) on
// this machine; docs/local-storage.md records the figures. A program, not a test.
//
//   fk_local_provider_bench DIR
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "providers/local/local_database.h"
#include "providers/local/local_system_store.h"
#include "providers/local/local_user_reader.h"
#include "providers/local/local_user_store.h"

using namespace faaskeeper;
using Clk = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string dir = std::string(argv[1]) + "/fk-provider-bench";
  std::filesystem::remove_all(dir);
  auto db = LocalDatabase::open(dir);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().to_string().c_str());
    return 1;
  }
  LocalSystemStore sys(*db);
  for (int threads : {1, 4, 16}) {
    std::vector<std::vector<double>> lat(threads);
    std::atomic<bool> stop{false};
    uint64_t c0 = (*db)->system().commits();
    std::vector<std::thread> ts;
    auto start = Clk::now();
    for (int t = 0; t < threads; ++t)
      ts.emplace_back([&, t] {
        std::string key = "bench/" + std::to_string(t);
        for (int64_t v = 0; !stop; ++v) {
          auto t0 = Clk::now();
          // A conditional read-modify-write, as the writer function does.
          auto r = sys.update(UpdateOp{key, Condition::all({Predicate::ne("v", int64_t{-1})}),
                                       {Action::set("v", v), Action::set("data", std::string(200, 'd'))}});
          if (!r.ok()) std::abort();
          lat[t].push_back(std::chrono::duration<double, std::micro>(Clk::now() - t0).count());
        }
      });
    std::this_thread::sleep_for(std::chrono::seconds(3));
    stop = true;
    for (auto& t : ts) t.join();
    double secs = std::chrono::duration<double>(Clk::now() - start).count();
    std::vector<double> all;
    for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    uint64_t commits = (*db)->system().commits() - c0;
    std::printf("system store update, %2d threads: %7.0f op/s  p50 %8.0f us  p99 %8.0f us  (%.1f ops per commit)\n",
                threads, all.size() / secs, all[all.size() / 2], all[all.size() * 99 / 100],
                double(all.size()) / double(commits));
  }
  LocalUserStore users(*db);
  std::vector<UserWrite> batch;
  for (int i = 0; i < 1000; ++i) batch.push_back({"/node/" + std::to_string(i), std::string(1024, 'x')});
  if (!users.write(batch).ok()) return 1;
  auto reader = LocalUserReader::open(dir);
  if (!reader.ok()) return 1;
  std::vector<double> lat;
  auto end = Clk::now() + std::chrono::seconds(2);
  size_t n = 0;
  auto start = Clk::now();
  while (Clk::now() < end) {
    auto t0 = Clk::now();
    auto r = (*reader)->get("/node/" + std::to_string(n++ % 1000));
    if (!r.ok() || !r->has_value()) return 1;
    if (n % 8 == 0) lat.push_back(std::chrono::duration<double, std::micro>(Clk::now() - t0).count());
  }
  double secs = std::chrono::duration<double>(Clk::now() - start).count();
  std::sort(lat.begin(), lat.end());
  std::printf("user store direct read, 1 KiB, 1 thread: %9.0f read/s  p50 %6.2f us  p99 %6.2f us\n", n / secs,
              lat[lat.size() / 2], lat[lat.size() * 99 / 100]);
  std::filesystem::remove_all(dir);
  return 0;
}
