// fk_compare_bench: the same workloads, in one run, against a FaaSKeeper local deployment
// (native client: reads straight from DIR, writes via the endpoint) and a real Apache
// ZooKeeper 3.8 (C client, synchronous calls, one handle per client thread). A program, not a
// test: prints tables and writes JSON. bench/compare/run.sh starts ZooKeeper and plots.
//
//   fk_compare_bench --zk HOST:PORT [--json FILE] [--seconds S] [--quick]
//                    [--workload FILE]... [--workload-seconds S] [--writers N] [--batch N]
//
// Sections (each system measured back to back, FaaSKeeper first, per cell):
//   matrix     get / set / create x {1, 16} clients x {1 KiB, 64 KiB}: p50/p99/p99.9, ops/s
//   workloads  each workload file's mix, per op
//   watch      set on one session -> data-watch callback on another (p50/p99)
//   connect    time to open a connected session
//   ephemeral  close a session holding 1000 ephemerals -> another session sees none left
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "deployment.h"
#include "runner.h"
#include "workload.h"

using namespace fkbench;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string zk, json;
  double seconds = 3, workload_seconds = 0;
  bool quick = false;
  std::vector<std::string> workloads;
  std::string writers = "4", batch = "10";
};

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "fk_compare_bench: %s\n", why.c_str());
  std::exit(1);
}

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

std::string human(size_t b) { return b >= 1024 ? std::to_string(b / 1024) + "KiB" : std::to_string(b) + "B"; }

// ---- JSON (hand-written: flat objects of numbers and strings) ----
std::string jnum(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}
std::string jsummary(const Summary& s) {
  std::ostringstream o;
  o << "{\"ops\":" << s.ops << ",\"errors\":" << s.errors << ",\"seconds\":" << jnum(s.seconds)
    << ",\"ops_per_s\":" << jnum(s.throughput()) << ",\"p50_ms\":" << jnum(s.p50) << ",\"p99_ms\":" << jnum(s.p99)
    << ",\"p999_ms\":" << jnum(s.p999) << ",\"mean_ms\":" << jnum(s.mean) << ",\"cdf_ms\":[";
  for (size_t i = 0; i < s.cdf.size(); ++i) o << (i ? "," : "") << jnum(s.cdf[i]);
  o << "]}";
  return o.str();
}

struct Systems {
  std::unique_ptr<System> fk, zk;
  std::vector<System*> both() { return {fk.get(), zk.get()}; }
};

// Creates `path` if absent (errors ignored: it may exist from an earlier cell).
void ensure(Session& s, const std::string& path, const std::string& value = std::string()) {
  if (!s.create(path, value, false)) s.set(path, value);
}

// ---- matrix ----
struct Cell {
  std::string op;
  int clients;
  size_t size;
  Summary fk, zk;
};

Summary run_cell(System& sys, const std::string& op, int clients, size_t size, double seconds, int cell_id) {
  auto admin = sys.connect();
  if (!admin) die(sys.name() + ": cannot connect");
  std::string value(size, 'v');
  std::string base = "/cmp/" + op + "-" + std::to_string(cell_id);
  ensure(*admin, base, op == "get" ? value : std::string());
  auto sessions = open_sessions(sys, clients);
  if (sessions.empty()) die(sys.name() + ": cannot open " + std::to_string(clients) + " sessions");
  for (int i = 0; i < clients; ++i)
    if (op == "set") ensure(*admin, base + "/" + std::to_string(i));
  std::vector<size_t> seq(clients, 0);
  OpFn fn = [&](Session& s, int i, std::mt19937&, bool& ok) -> std::string {
    if (op == "get") ok = s.get(base, size);
    else if (op == "set") ok = s.set(base + "/" + std::to_string(i), value);
    else ok = s.create(base + "/" + std::to_string(i) + "-" + std::to_string(seq[i]++), value, false);
    return op;
  };
  auto r = run_closed_loop(sessions, seconds, 0, fn);
  for (auto& s : sessions) s->close();
  admin->close();
  return r.by_op[op];
}

void print_matrix_header() {
  std::printf("\n%-6s %3s %6s | %-31s | %-31s | %-13s\n", "", "", "", "FaaSKeeper (native, direct reads)",
              "ZooKeeper 3.8 (C client)", "FK/ZK");
  std::printf("%-6s %3s %6s | %7s %7s %7s %8s | %7s %7s %7s %8s | %6s %6s\n", "op", "cl", "value", "p50ms", "p99ms",
              "p999ms", "ops/s", "p50ms", "p99ms", "p999ms", "ops/s", "p50", "ops/s");
}

void print_cell(const Cell& c) {
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf("%-6s %3d %6s | %7.3f %7.3f %7.3f %8.0f | %7.3f %7.3f %7.3f %8.0f | %6.3f %6.2f%s\n", c.op.c_str(),
              c.clients, human(c.size).c_str(), c.fk.p50, c.fk.p99, c.fk.p999, c.fk.throughput(), c.zk.p50, c.zk.p99,
              c.zk.p999, c.zk.throughput(), ratio(c.fk.p50, c.zk.p50), ratio(c.fk.throughput(), c.zk.throughput()),
              (c.fk.errors || c.zk.errors)
                  ? ("  errors fk=" + std::to_string(c.fk.errors) + " zk=" + std::to_string(c.zk.errors)).c_str()
                  : "");
  std::fflush(stdout);
}

// ---- workloads ----
RunResult run_workload(System& sys, const Workload& w, double seconds, int wl_id) {
  auto admin = sys.connect();
  if (!admin) die(sys.name() + ": cannot connect");
  std::string value(w.value_size, 'w');
  std::string base = "/cmp/wl-" + std::to_string(wl_id);
  ensure(*admin, base);
  for (int k = 0; k < w.keys; ++k) ensure(*admin, base + "/k" + std::to_string(k), value);
  ensure(*admin, base + "/new");
  auto sessions = open_sessions(sys, w.clients);
  if (sessions.empty()) die(sys.name() + ": cannot open sessions");
  std::vector<size_t> seq(w.clients, 0);
  std::vector<std::vector<std::string>> mine(w.clients);  // nodes client i created, for delete
  int total = w.total_weight();
  OpFn fn = [&](Session& s, int i, std::mt19937& rng, bool& ok) -> std::string {
    int pick = static_cast<int>(rng() % total);
    std::string key = base + "/k" + std::to_string(rng() % w.keys);
    if ((pick -= w.get) < 0) return ok = s.get(key, w.value_size), "get";
    if ((pick -= w.set) < 0) return ok = s.set(key, value), "set";
    if ((pick -= w.create) < 0 || mine[i].empty()) {
      std::string p = base + "/new/" + std::to_string(i) + "-" + std::to_string(seq[i]++);
      ok = s.create(p, value, false);
      if (ok) mine[i].push_back(p);
      return "create";
    }
    ok = s.remove(mine[i].back());
    mine[i].pop_back();
    return "delete";
  };
  auto r = run_closed_loop(sessions, seconds, w.ops, fn);
  for (auto& s : sessions) s->close();
  admin->close();
  return r;
}

// ---- watch notification latency ----
Summary measure_watch(System& sys, int iterations) {
  auto watcher = sys.connect(), setter = sys.connect();
  if (!watcher || !setter) die(sys.name() + ": cannot connect");
  std::string path = "/cmp/watch";
  ensure(*setter, path, "x");
  std::mutex mu;
  std::condition_variable cv;
  std::vector<double> ms;
  size_t errors = 0;
  auto start = Clock::now();
  for (int i = 0; i < iterations; ++i) {
    bool fired = false;
    Clock::time_point fired_at;
    auto fired_flag = std::make_shared<std::atomic<bool>>(false);
    if (!watcher->watch_data(path, [&, fired_flag] {
          std::lock_guard<std::mutex> lock(mu);
          if (fired_flag->exchange(true)) return;
          fired_at = Clock::now();
          fired = true;
          cv.notify_all();
        })) {
      ++errors;
      continue;
    }
    auto t0 = Clock::now();
    if (!setter->set(path, "v" + std::to_string(i))) {
      fired_flag->store(true);  // the armed watch may fire later: it must not touch this frame
      ++errors;
      continue;
    }
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, std::chrono::seconds(5), [&] { return fired; })) {
      fired_flag->store(true);  // a late callback must not touch this iteration's stack
      ++errors;
      continue;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(fired_at - t0).count());
  }
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  watcher->close();
  setter->close();
  return summarise(ms, errors, wall);
}

// ---- session connect ----
Summary measure_connect(System& sys, int iterations) {
  std::vector<double> ms;
  size_t errors = 0;
  auto start = Clock::now();
  for (int i = 0; i < iterations; ++i) {
    auto t0 = Clock::now();
    auto s = sys.connect();
    double t = ms_since(t0);
    if (!s) {
      ++errors;
      continue;
    }
    ms.push_back(t);
    s->close();
  }
  return summarise(ms, errors, std::chrono::duration<double>(Clock::now() - start).count());
}

// ---- ephemeral cleanup ----
struct EphemeralResult {
  double create_ms = 0, close_ms = 0, gone_ms = -1;
  size_t created = 0;
};

EphemeralResult measure_ephemeral(System& sys, int count, int rep) {
  EphemeralResult r;
  auto owner = sys.connect(), observer = sys.connect();
  if (!owner || !observer) die(sys.name() + ": cannot connect");
  std::string base = "/cmp/eph-" + std::to_string(rep);
  ensure(*observer, base);
  std::vector<std::string> paths;
  for (int i = 0; i < count; ++i) paths.push_back(base + "/e" + std::to_string(i));
  auto t0 = Clock::now();
  r.created = owner->create_many(paths, true);
  r.create_ms = ms_since(t0);
  // Wait until the observer sees them all (reads may trail the write acknowledgement).
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (observer->children(base) != static_cast<int>(r.created) && Clock::now() < deadline) {
  }
  t0 = Clock::now();
  owner->close();
  r.close_ms = ms_since(t0);
  deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline)
    if (observer->children(base) == 0) {
      r.gone_ms = ms_since(t0);
      break;
    }
  observer->close();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + k);
      return argv[++i];
    };
    if (k == "--zk") o.zk = val();
    else if (k == "--json") o.json = val();
    else if (k == "--seconds") o.seconds = std::atof(val().c_str());
    else if (k == "--workload-seconds") o.workload_seconds = std::atof(val().c_str());
    else if (k == "--workload") o.workloads.push_back(val());
    else if (k == "--quick") o.quick = true;
    else if (k == "--writers") o.writers = val();
    else if (k == "--batch") o.batch = val();
    else die("unknown option " + k);
  }
  if (o.zk.empty()) die("--zk HOST:PORT is required (bench/compare/run.sh starts ZooKeeper)");
  if (o.quick) {
    o.seconds = std::min(o.seconds, 1.5);
    if (o.workload_seconds == 0) o.workload_seconds = 2;
  }
  std::vector<Workload> workloads;
  for (auto& f : o.workloads) {
    Workload w;
    std::string why;
    if (!load_workload(f, w, why)) die(why);
    if (o.workload_seconds > 0) w.seconds = o.workload_seconds;
    workloads.push_back(w);
  }

  LocalDeployment dep(FK_FAASKEEPER_BIN, {"--writers", o.writers, "--batch", o.batch});
  if (!dep.ok()) die(dep.why());
  Systems sys{make_faaskeeper(dep.data_dir()), make_zookeeper(o.zk)};
  for (System* s : sys.both()) {
    auto a = s->connect();
    if (!a) die(s->name() + ": cannot connect");
    ensure(*a, "/cmp");
    a->close();
  }

  std::printf("fk_compare_bench: FaaSKeeper local (%s, writers=%s batch=%s, started in %.2f s) vs ZooKeeper %s; "
              "%.1f s per cell, %u cores\n",
              dep.data_dir().c_str(), o.writers.c_str(), o.batch.c_str(), dep.start_seconds(), o.zk.c_str(), o.seconds,
              std::thread::hardware_concurrency());
  std::ostringstream js;
  js << "{\"seconds_per_cell\":" << jnum(o.seconds) << ",\"quick\":" << (o.quick ? "true" : "false")
     << ",\"cores\":" << std::thread::hardware_concurrency() << ",\"writers\":" << o.writers << ",\"batch\":" << o.batch
     << ",\"matrix\":[";

  // Matrix.
  print_matrix_header();
  int cell_id = 0;
  bool first = true;
  for (std::string op : {"get", "set", "create"})
    for (size_t size : {size_t(1024), size_t(64 * 1024)})
      for (int clients : {1, 16}) {
        Cell c{op, clients, size, {}, {}};
        c.fk = run_cell(*sys.fk, op, clients, size, o.seconds, cell_id);
        c.zk = run_cell(*sys.zk, op, clients, size, o.seconds, cell_id);
        ++cell_id;
        print_cell(c);
        js << (first ? "" : ",") << "{\"op\":\"" << op << "\",\"clients\":" << clients << ",\"value_size\":" << size
           << ",\"faaskeeper\":" << jsummary(c.fk) << ",\"zookeeper\":" << jsummary(c.zk) << "}";
        first = false;
      }
  js << "],\"workloads\":[";

  // Workloads.
  if (!workloads.empty()) {
    std::printf("\n%-12s %-10s %-7s %8s %7s %7s %7s %8s\n", "workload", "system", "op", "ops", "p50ms", "p99ms",
                "p999ms", "ops/s");
    first = true;
    int wl_id = 0;
    for (auto& w : workloads) {
      js << (first ? "" : ",") << "{\"name\":\"" << w.name << "\",\"clients\":" << w.clients
         << ",\"value_size\":" << w.value_size << ",\"seconds\":" << jnum(w.seconds);
      first = false;
      double tp[2] = {0, 0};
      int k = 0;
      for (System* s : sys.both()) {
        auto r = run_workload(*s, w, w.seconds, wl_id);
        tp[k++] = r.all.throughput();
        js << ",\"" << s->name() << "\":{\"all\":" << jsummary(r.all);
        for (auto& [op, sm] : r.by_op) {
          std::printf("%-12s %-10s %-7s %8zu %7.3f %7.3f %7.3f %8.0f%s\n", w.name.c_str(), s->name().c_str(), op.c_str(),
                      sm.ops, sm.p50, sm.p99, sm.p999, sm.throughput(),
                      sm.errors ? (" errors=" + std::to_string(sm.errors)).c_str() : "");
          js << ",\"" << op << "\":" << jsummary(sm);
        }
        std::printf("%-12s %-10s %-7s %8zu %7s %7s %7s %8.0f\n", w.name.c_str(), s->name().c_str(), "ALL", r.all.ops, "",
                    "", "", r.all.throughput());
        js << "}";
      }
      std::printf("%-12s FK/ZK throughput ratio %.2f\n", w.name.c_str(), tp[1] > 0 ? tp[0] / tp[1] : 0.0);
      std::fflush(stdout);
      js << "}";
      ++wl_id;
    }
  }
  js << "]";

  // Watch, connect, ephemeral cleanup.
  int watch_n = o.quick ? 100 : 300, connect_n = o.quick ? 20 : 50, eph_n = 1000;
  std::printf("\n%-34s %-10s %8s %8s %8s %6s\n", "measure", "system", "p50ms", "p99ms", "max ms", "n");
  for (System* s : sys.both()) {
    auto w = measure_watch(*s, watch_n);
    std::printf("%-34s %-10s %8.3f %8.3f %8.3f %6zu%s\n", "watch (set -> callback)", s->name().c_str(), w.p50, w.p99,
                w.cdf.empty() ? 0.0 : w.cdf.back(), w.ops, w.errors ? (" errors=" + std::to_string(w.errors)).c_str() : "");
    js << ",\"watch_" << s->name() << "\":" << jsummary(w);
  }
  for (System* s : sys.both()) {
    auto c = measure_connect(*s, connect_n);
    std::printf("%-34s %-10s %8.3f %8.3f %8.3f %6zu\n", "session connect", s->name().c_str(), c.p50, c.p99,
                c.cdf.empty() ? 0.0 : c.cdf.back(), c.ops);
    js << ",\"connect_" << s->name() << "\":" << jsummary(c);
  }
  std::printf("\n%-34s %-10s %10s %10s %12s\n", "ephemeral cleanup (1000 nodes)", "system", "create ms", "close ms",
              "all gone ms");
  int rep = 0;
  for (System* s : sys.both()) {
    auto e = measure_ephemeral(*s, eph_n, rep++);
    std::printf("%-34s %-10s %10.1f %10.1f %12.1f%s\n", "", s->name().c_str(), e.create_ms, e.close_ms, e.gone_ms,
                e.created != static_cast<size_t>(eph_n) ? (" (created " + std::to_string(e.created) + ")").c_str() : "");
    js << ",\"ephemeral_" << s->name() << "\":{\"count\":" << eph_n << ",\"created\":" << e.created
       << ",\"create_ms\":" << jnum(e.create_ms) << ",\"close_ms\":" << jnum(e.close_ms)
       << ",\"gone_ms\":" << jnum(e.gone_ms) << "}";
  }
  js << ",\"faaskeeper_rss_kib_end\":" << rss_kib(dep.pid()) << "}\n";
  if (!o.json.empty()) {
    std::ofstream out(o.json);
    out << js.str();
    if (!out) die("cannot write " + o.json);
    std::printf("\nJSON: %s\n", o.json.c_str());
  }
  return 0;
}
