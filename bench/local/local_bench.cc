// fk_local_bench: get and set latency (p50/p99) and throughput against the local deployment,
// for 1 and 16 clients at 1 KiB and 64 KiB values. A program, not a test: prints a table.
//
//   fk_local_bench [--data DIR] [--seconds S] [--writers N] [--batch N]
//
// Without --data it starts `faaskeeper local` on a fresh temporary directory (and stops it at
// the end); with --data it measures the deployment already serving DIR. Every client is its
// own session with its own transport, on its own thread:
//   get         LocalTransport: reads straight from DIR (the FaaSKeeper read path)
//   get/remote  TcpTransport: reads through the endpoint (a client on another machine)
//   set         each client sets its own node (any version), acknowledged after the
//               distributor committed and published it (fdatasync on every commit)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bench/local/bench_support.h"
#include "faaskeeper/client.h"

namespace fk = faaskeeper;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string data;
  double seconds = 2.0;
  std::string writers = "4", batch = "10";
};

struct Cell {
  std::string op;
  int clients;
  size_t size;
  size_t ops = 0, errors = 0;
  double wall = 0, p50_ms = 0, p99_ms = 0;
};

[[noreturn]] void die(const std::string& why) { fkbench::die("fk_local_bench", why); }

// Runs `op(client index)` on every client for `seconds`, returning latencies and counts.
Cell measure(const std::string& name, std::vector<std::unique_ptr<fk::Client>>& clients, size_t size, double seconds,
             const std::function<bool(fk::Client&, int)>& op) {
  Cell cell{name, static_cast<int>(clients.size()), size};
  std::vector<std::vector<double>> lat(clients.size());
  std::vector<size_t> errors(clients.size(), 0);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  auto deadline = std::make_shared<SteadyClock::time_point>();
  for (size_t i = 0; i < clients.size(); ++i)
    threads.emplace_back([&, i] {
      for (int w = 0; w < 3; ++w) op(*clients[i], static_cast<int>(i));  // warm-up
      while (!go) std::this_thread::yield();
      while (SteadyClock::now() < *deadline) {
        auto t0 = SteadyClock::now();
        bool ok = op(*clients[i], static_cast<int>(i));
        lat[i].push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
        if (!ok) ++errors[i];
      }
    });
  auto start = SteadyClock::now();
  *deadline = start + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
  go = true;
  for (auto& t : threads) t.join();
  cell.wall = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::vector<double> all;
  for (size_t i = 0; i < clients.size(); ++i) {
    all.insert(all.end(), lat[i].begin(), lat[i].end());
    cell.errors += errors[i];
  }
  std::sort(all.begin(), all.end());
  cell.ops = all.size();
  cell.p50_ms = fkbench::percentile(all, 50);
  cell.p99_ms = fkbench::percentile(all, 99);
  return cell;
}

std::string human(size_t bytes) { return bytes >= 1024 ? std::to_string(bytes / 1024) + " KiB" : std::to_string(bytes) + " B"; }

void print(const Cell& c) {
  std::printf("%-11s %7d %8s %9zu %12.0f %10.3f %10.3f%s\n", c.op.c_str(), c.clients, human(c.size).c_str(), c.ops,
              c.ops / c.wall, c.p50_ms, c.p99_ms, c.errors ? (" (" + std::to_string(c.errors) + " errors)").c_str() : "");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--data") o.data = argv[i + 1];
    else if (k == "--seconds") o.seconds = std::atof(argv[i + 1]);
    else if (k == "--writers") o.writers = argv[i + 1];
    else if (k == "--batch") o.batch = argv[i + 1];
    else die("unknown option " + k + " (--data DIR --seconds S --writers N --batch N)");
  }

  fkbench::Deployment d("fk_local_bench", o.data, {"--writers", o.writers, "--batch", o.batch});
  o.data = d.data();

  std::printf("FaaSKeeper local deployment benchmark: %s, %.1f s per cell, writers=%s batch=%s, %u cores\n",
              o.data.c_str(), o.seconds, o.writers.c_str(), o.batch.c_str(), std::thread::hardware_concurrency());
  std::printf("%-11s %7s %8s %9s %12s %10s %10s\n", "op", "clients", "value", "ops", "ops/s", "p50 ms", "p99 ms");

  auto admin = d.connect(false);
  admin->create("/bench", std::string());
  for (size_t size : {size_t(1024), size_t(64 * 1024)}) {
    std::string value(size, 'v');
    std::string node = "/bench/get-" + std::to_string(size);
    if (admin->create(node, value).code() == fk::Error::NodeExists) admin->set(node, value);
    for (int n : {1, 16}) {
      for (bool remote : {false, true}) {
        std::vector<std::unique_ptr<fk::Client>> clients(n);
        std::vector<std::thread> opening;
        for (int i = 0; i < n; ++i) opening.emplace_back([&, i] { clients[i] = d.connect(remote); });
        for (auto& t : opening) t.join();
        print(measure(remote ? "get/remote" : "get", clients, size, o.seconds, [&](fk::Client& c, int) {
          auto r = c.get(node);
          return r.ok() && r->data && r->data->size() == size;
        }));
      }
      std::vector<std::unique_ptr<fk::Client>> clients(n);
      std::vector<std::thread> opening;
      for (int i = 0; i < n; ++i)
        opening.emplace_back([&, i] {
          clients[i] = d.connect(false);
          clients[i]->create("/bench/set-" + std::to_string(size) + "-" + std::to_string(i), std::string());
        });
      for (auto& t : opening) t.join();
      print(measure("set", clients, size, o.seconds, [&](fk::Client& c, int i) {
        return c.set("/bench/set-" + std::to_string(size) + "-" + std::to_string(i), value).ok();
      }));
    }
  }
  return 0;
}
