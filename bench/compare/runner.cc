#include "runner.h"

#include <atomic>
#include <chrono>
#include <thread>

namespace fkbench {

using Clock = std::chrono::steady_clock;

std::vector<std::unique_ptr<Session>> open_sessions(System& sys, int n) {
  std::vector<std::unique_ptr<Session>> out(n);
  std::vector<std::thread> t;
  for (int i = 0; i < n; ++i) t.emplace_back([&, i] { out[i] = sys.connect(); });
  for (auto& th : t) th.join();
  for (auto& s : out)
    if (!s) return {};
  return out;
}

RunResult run_closed_loop(std::vector<std::unique_ptr<Session>>& sessions, double seconds, size_t max_ops,
                          const OpFn& op, int warmup) {
  struct PerThread {
    std::map<std::string, std::vector<double>> lat;
    std::map<std::string, size_t> errors;
  };
  size_t n = sessions.size();
  std::vector<PerThread> per(n);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<size_t> issued{0};
  Clock::time_point deadline{};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      std::mt19937 rng(static_cast<unsigned>(1234 + i));
      bool ok = false;
      for (int w = 0; w < warmup; ++w) op(*sessions[i], static_cast<int>(i), rng, ok);
      ++ready;
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      while (Clock::now() < deadline) {
        if (max_ops && issued.fetch_add(1) >= max_ops) break;
        auto t0 = Clock::now();
        std::string kind = op(*sessions[i], static_cast<int>(i), rng, ok);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (ok) per[i].lat[kind].push_back(ms);
        else ++per[i].errors[kind];
      }
    });
  while (ready.load() < static_cast<int>(n)) std::this_thread::yield();
  auto start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  go.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  double wall = std::chrono::duration<double>(Clock::now() - start).count();

  RunResult r;
  std::map<std::string, std::vector<double>> merged;
  std::map<std::string, size_t> errors;
  std::vector<double> all;
  size_t all_errors = 0;
  for (auto& p : per) {
    for (auto& [k, v] : p.lat) {
      merged[k].insert(merged[k].end(), v.begin(), v.end());
      all.insert(all.end(), v.begin(), v.end());
    }
    for (auto& [k, e] : p.errors) {
      errors[k] += e;
      all_errors += e;
      merged[k];
    }
  }
  for (auto& [k, v] : merged) r.by_op[k] = summarise(v, errors[k], wall);
  r.all = summarise(all, all_errors, wall);
  return r;
}

}  // namespace fkbench
