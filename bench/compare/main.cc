// fk_compare_bench: the same workloads, in one run, against three systems:
//   faaskeeper  a FaaSKeeper local deployment, native client (reads straight from DIR, writes
//               via the endpoint);
//   gateway     the SAME deployment through its ZooKeeper gateway (`faaskeeper local
//               --zk-port P`), driven by the ZooKeeper C client code used for ZooKeeper;
//   zookeeper   a real Apache ZooKeeper 3.8 (C client, synchronous calls, one handle per
//               client thread).
// A program, not a test: prints tables and writes JSON. bench/compare/run.sh starts ZooKeeper
// and plots; `faaskeeper bench` runs run.sh.
//
//   fk_compare_bench --zk HOST:PORT [--zk-control HOST:PORT] [--json FILE] [--seconds S]
//                    [--quick] [--no-gateway] [--workload FILE]... [--workload-seconds S]
//                    [--writers N] [--batch N] [--sections LIST]
//
// Sections (the systems measured back to back, in the order above, per cell):
//   matrix     get / set / create x {1, 16} clients x {1 KiB, 64 KiB}: p50/p99/p99.9, ops/s
//   workloads  each workload file: weighted mixes per op; scripts (service-latency per phase;
//              load: RSS per znode and start-up time at N znodes -- native and ZooKeeper only,
//              run last on a fresh deployment and a reset ZooKeeper, both restarted after it)
//   watch      set on one session -> data-watch callback on another (p50/p99)
//   connect    time to open a connected session
//   ephemeral  close a session holding 1000 ephemerals -> another session sees none left
// --sections picks a comma-separated subset of matrix,workloads,measures,load (default: all;
// `load` needs the load workload file among --workload, `workloads` the others).
// --zk-control is the control channel of `zk_server.py with --control` (ZooKeeper's pid, data
// directory and restart); without it the load script reports FaaSKeeper only.
#include <signal.h>
#include <sys/wait.h>

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
  std::string zk, zk_control, json;
  double seconds = 3, workload_seconds = 0;
  bool quick = false, gateway = true;
  std::vector<std::string> workloads;
  std::string writers = "4", batch = "10";
  std::string sections = "matrix,workloads,measures,load";
  bool want(const std::string& section) const { return ("," + sections + ",").find("," + section + ",") != std::string::npos; }
};

pid_t g_deployment = -1;  // stopped by die(): a failed run must not leave it running

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "fk_compare_bench: %s\n", why.c_str());
  if (g_deployment > 0) {
    ::kill(g_deployment, SIGTERM);
    ::waitpid(g_deployment, nullptr, 0);
  }
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
  std::unique_ptr<System> fk, gw, zk;  // gw is null with --no-gateway
  std::vector<System*> all() {
    std::vector<System*> v{fk.get()};
    if (gw) v.push_back(gw.get());
    v.push_back(zk.get());
    return v;
  }
};

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

// Creates `path` if absent (errors ignored: it may exist from an earlier cell). Every section
// puts its nodes under /cmp/SYSTEM-...: the native and gateway systems share one deployment.
void ensure(Session& s, const std::string& path, const std::string& value = std::string()) {
  if (!s.create(path, value, false)) s.set(path, value);
}

// ---- matrix ----
struct Cell {
  std::string op;
  int clients;
  size_t size;
  Summary fk, gw, zk;
  bool has_gw = false;
};

Summary run_cell(System& sys, const std::string& op, int clients, size_t size, double seconds, int cell_id) {
  auto admin = sys.connect();
  if (!admin) die(sys.name() + ": cannot connect");
  std::string value(size, 'v');
  std::string base = "/cmp/" + sys.name() + "-" + op + "-" + std::to_string(cell_id);
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

void print_matrix_header(bool gw) {
  std::printf("\n%-6s %3s %6s | %-32s |", "", "", "", "FaaSKeeper native (direct reads)");
  if (gw) std::printf(" %-32s |", "FaaSKeeper via ZK gateway (C cl.)");
  std::printf(" %-32s | %-13s", "ZooKeeper 3.8 (C client)", "FK/ZK");
  if (gw) std::printf(" | %-13s", "FK-gw/ZK");
  std::printf("\n%-6s %3s %6s |", "op", "cl", "value");
  for (int i = 0; i < (gw ? 3 : 2); ++i) std::printf(" %7s %7s %7s %8s |", "p50ms", "p99ms", "p999ms", "ops/s");
  std::printf(" %6s %6s", "p50", "ops/s");
  if (gw) std::printf(" | %6s %6s", "p50", "ops/s");
  std::printf("\n");
}

void print_cell(const Cell& c) {
  std::printf("%-6s %3d %6s |", c.op.c_str(), c.clients, human(c.size).c_str());
  std::vector<const Summary*> cols{&c.fk};
  if (c.has_gw) cols.push_back(&c.gw);
  cols.push_back(&c.zk);
  for (auto* s : cols) std::printf(" %7.3f %7.3f %7.3f %8.0f |", s->p50, s->p99, s->p999, s->throughput());
  std::printf(" %6.3f %6.2f", ratio(c.fk.p50, c.zk.p50), ratio(c.fk.throughput(), c.zk.throughput()));
  if (c.has_gw) std::printf(" | %6.3f %6.2f", ratio(c.gw.p50, c.zk.p50), ratio(c.gw.throughput(), c.zk.throughput()));
  if (c.fk.errors || c.gw.errors || c.zk.errors)
    std::printf("  errors fk=%zu gw=%zu zk=%zu", c.fk.errors, c.gw.errors, c.zk.errors);
  std::printf("\n");
  std::fflush(stdout);
}

// ---- workloads ----
RunResult run_workload(System& sys, const Workload& w, double seconds, int wl_id) {
  auto admin = sys.connect();
  if (!admin) die(sys.name() + ": cannot connect");
  std::string value(w.value_size, 'w');
  std::string base = "/cmp/" + sys.name() + "-wl-" + std::to_string(wl_id);
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

// ---- script: service latency (zk-latencies style) ----
// Fires once; safe to outlive the waiting frame (the callback holds it by shared_ptr).
struct Once {
  std::mutex mu;
  std::condition_variable cv;
  bool fired = false;
  Clock::time_point at;
  void fire() {
    std::lock_guard<std::mutex> lock(mu);
    if (fired) return;
    at = Clock::now();
    fired = true;
    cv.notify_all();
  }
  bool wait(std::chrono::seconds limit) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, limit, [&] { return fired; });
  }
};

// One phase: every client runs op(i, k) for its k = 0..per_client-1, all clients in parallel;
// each call is timed. `extra` (optional) collects a second latency per call (watch-fire).
Summary run_phase(int clients, size_t per_client, const std::function<bool(int, size_t, double*)>& op,
                  Summary* extra = nullptr) {
  std::vector<std::vector<double>> lat(clients), lat2(clients);
  std::vector<size_t> errors(clients, 0);
  std::vector<std::thread> t;
  auto start = Clock::now();
  for (int i = 0; i < clients; ++i)
    t.emplace_back([&, i] {
      for (size_t k = 0; k < per_client; ++k) {
        double second = -1;
        auto t0 = Clock::now();
        bool ok = op(i, k, &second);
        double ms = ms_since(t0);
        if (!ok) {
          ++errors[i];
          continue;
        }
        lat[i].push_back(ms);
        if (second >= 0) lat2[i].push_back(second);
      }
    });
  for (auto& th : t) th.join();
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all, all2;
  size_t errs = 0;
  for (int i = 0; i < clients; ++i) {
    all.insert(all.end(), lat[i].begin(), lat[i].end());
    all2.insert(all2.end(), lat2[i].begin(), lat2[i].end());
    errs += errors[i];
  }
  if (extra) *extra = summarise(all2, 0, wall);
  return summarise(all, errs, wall);
}

using PhaseResults = std::vector<std::pair<std::string, Summary>>;  // in phase order

PhaseResults run_service_latency(System& sys, const Workload& w, size_t znodes, int wl_id) {
  auto admin = sys.connect();
  if (!admin) die(sys.name() + ": cannot connect");
  std::string base = "/cmp/" + sys.name() + "-sl-" + std::to_string(wl_id);
  ensure(*admin, base);
  int n = w.clients;
  auto owners = open_sessions(sys, n), watchers = open_sessions(sys, n);
  if (owners.empty() || watchers.empty()) die(sys.name() + ": cannot open sessions");
  size_t per = std::max<size_t>(1, znodes / n);
  std::string value(w.value_size, 's');
  auto node = [&](int i, size_t k) { return base + "/n" + std::to_string(i) + "-" + std::to_string(k); };
  auto eph = [&](int i, size_t k) { return base + "/e" + std::to_string(i) + "-" + std::to_string(k); };
  PhaseResults r;
  r.emplace_back("create", run_phase(n, per, [&](int i, size_t k, double*) {
                   return owners[i]->create(node(i, k), value, false);
                 }));
  r.emplace_back("set", run_phase(n, per, [&](int i, size_t k, double*) { return owners[i]->set(node(i, k), value); }));
  r.emplace_back("get", run_phase(n, per, [&](int i, size_t k, double*) {
                   return owners[i]->get(node(i, k), w.value_size);
                 }));
  r.emplace_back("delete", run_phase(n, per, [&](int i, size_t k, double*) { return owners[i]->remove(node(i, k)); }));
  r.emplace_back("create-eph", run_phase(n, per, [&](int i, size_t k, double*) {
                   return owners[i]->create(eph(i, k), value, true);
                 }));
  // Per ephemeral: a second session arms a data watch, the owner deletes the node, the time
  // from issuing the delete to the watcher's callback is watch-fire.
  Summary fire;
  Summary cycle = run_phase(n, per, [&](int i, size_t k, double* fire_ms) {
    auto once = std::make_shared<Once>();
    if (!watchers[i]->watch_data(eph(i, k), [once] { once->fire(); })) return false;
    auto t0 = Clock::now();
    if (!owners[i]->remove(eph(i, k))) return false;
    if (!once->wait(std::chrono::seconds(5))) return false;
    *fire_ms = std::chrono::duration<double, std::milli>(once->at - t0).count();
    return true;
  }, &fire);
  r.emplace_back("watch-cycle", cycle);
  r.emplace_back("watch-fire", fire);
  for (auto& s : owners) s->close();
  for (auto& s : watchers) s->close();
  admin->close();
  return r;
}

// ---- script: load (N znodes; memory per znode; start-up time on that data) ----
struct LoadResult {
  size_t created = 0;
  double create_s = 0;
  long rss_before_kib = -1, rss_after_kib = -1, rss_restarted_kib = -1;
  long anon_before_kib = -1, anon_after_kib = -1, anon_restarted_kib = -1;
  long rss_fresh_kib = -1;  // right after the server's first start on an empty data directory
  unsigned long long disk_before = 0, disk_after = 0;
  double start_empty_s = -1, restart_s = -1;
  bool measured_server = false;  // pid/dir known
  double per_znode(long a, long b) const { return created && a >= 0 && b >= 0 ? (b - a) * 1024.0 / created : 0; }
};

// Server-side hooks of the load script: how to find the server process and restart it.
struct ServerHooks {
  std::function<pid_t()> pid;
  std::string dir;
  double start_empty_s = -1;
  long rss_fresh_kib = -1;  // VmRSS right after the first start (empty data directory)
  std::function<double()> restart;  // seconds until it serves again, -1 on failure
};

LoadResult run_load(System& sys, const Workload& w, size_t znodes, int wl_id, const ServerHooks& h) {
  LoadResult r;
  r.start_empty_s = h.start_empty_s;
  r.rss_fresh_kib = h.rss_fresh_kib;
  auto admin = sys.connect();
  if (!admin) die(sys.name() + ": cannot connect");
  std::string base = "/cmp/" + sys.name() + "-load-" + std::to_string(wl_id);
  ensure(*admin, base);
  int parents = std::max(1, std::min<int>(w.parents, static_cast<int>(znodes)));
  for (int p = 0; p < parents; ++p) ensure(*admin, base + "/p" + std::to_string(p));
  auto sessions = open_sessions(sys, w.clients);
  if (sessions.empty()) die(sys.name() + ": cannot open sessions");
  pid_t pid = h.pid ? h.pid() : -1;
  r.measured_server = pid > 0;
  r.rss_before_kib = pid > 0 ? rss_kib(pid) : -1;
  r.anon_before_kib = pid > 0 ? rss_kib(pid, "RssAnon:") : -1;
  if (!h.dir.empty()) r.disk_before = dir_bytes(h.dir);
  std::string value(w.value_size, 'l');
  size_t per_parent = (znodes + parents - 1) / parents;
  std::atomic<size_t> created{0};
  auto t0 = Clock::now();
  std::vector<std::thread> t;
  for (int c = 0; c < w.clients; ++c)
    t.emplace_back([&, c] {
      // Client c takes parents c, c+clients, ...: all children of one parent in one pipelined batch.
      for (int p = c; p < parents; p += w.clients) {
        std::vector<std::string> paths;
        for (size_t k = 0; k < per_parent && p * per_parent + k < znodes; ++k)
          paths.push_back(base + "/p" + std::to_string(p) + "/" + std::string(12, 'z') + std::to_string(k));
        created += sessions[c]->create_many(paths, false, value);
      }
    });
  for (auto& th : t) th.join();
  r.create_s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.created = created.load();
  for (auto& s : sessions) s->close();
  admin->close();
  if (pid > 0) r.rss_after_kib = rss_kib(pid), r.anon_after_kib = rss_kib(pid, "RssAnon:");
  if (!h.dir.empty()) r.disk_after = dir_bytes(h.dir);
  if (h.restart) {
    r.restart_s = h.restart();
    pid_t again = h.pid ? h.pid() : -1;
    if (again > 0) r.rss_restarted_kib = rss_kib(again), r.anon_restarted_kib = rss_kib(again, "RssAnon:");
  }
  return r;
}

// ---- watch notification latency ----
Summary measure_watch(System& sys, int iterations) {
  auto watcher = sys.connect(), setter = sys.connect();
  if (!watcher || !setter) die(sys.name() + ": cannot connect");
  std::string path = "/cmp/" + sys.name() + "-watch";
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

namespace {

void print_phase_row(const std::string& wl, const std::string& sys, const std::string& op, const Summary& sm) {
  std::printf("%-16s %-10s %-11s %8zu %7.3f %7.3f %7.3f %8.0f%s\n", wl.c_str(), sys.c_str(), op.c_str(), sm.ops, sm.p50,
              sm.p99, sm.p999, sm.throughput(), sm.errors ? (" errors=" + std::to_string(sm.errors)).c_str() : "");
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // rows appear as they are measured (run.sh tees)
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + k);
      return argv[++i];
    };
    if (k == "--zk") o.zk = val();
    else if (k == "--zk-control") o.zk_control = val();
    else if (k == "--json") o.json = val();
    else if (k == "--seconds") o.seconds = std::atof(val().c_str());
    else if (k == "--workload-seconds") o.workload_seconds = std::atof(val().c_str());
    else if (k == "--workload") o.workloads.push_back(val());
    else if (k == "--quick") o.quick = true;
    else if (k == "--no-gateway") o.gateway = false;
    else if (k == "--writers") o.writers = val();
    else if (k == "--batch") o.batch = val();
    else if (k == "--sections") o.sections = val();
    else die("unknown option " + k);
  }
  if (o.zk.empty()) die("--zk HOST:PORT is required (bench/compare/run.sh starts ZooKeeper)");
  if (o.quick) {
    o.seconds = std::min(o.seconds, 1.0);
    if (o.workload_seconds == 0) o.workload_seconds = 1.5;
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
  g_deployment = dep.pid();
  Systems sys{make_faaskeeper(dep.data_dir()),
              o.gateway ? make_zookeeper("127.0.0.1:" + std::to_string(dep.zk_port()), "gateway") : nullptr,
              make_zookeeper(o.zk)};
  for (System* s : sys.all()) {
    auto a = s->connect();
    if (!a) die(s->name() + ": cannot connect");
    ensure(*a, "/cmp");
    a->close();
  }

  // Memory of each server right after its first start on an empty data directory (the load
  // script's baseline for a restarted server).
  long fk_rss_fresh = rss_kib(dep.pid()), zk_rss_fresh = -1;
  if (!o.zk_control.empty())
    zk_rss_fresh = rss_kib(static_cast<pid_t>(std::atol(control_request(o.zk_control, "pid").c_str())));

  std::printf("fk_compare_bench: FaaSKeeper local (%s, writers=%s batch=%s, started in %.2f s%s) vs ZooKeeper %s; "
              "%.1f s per cell, %u cores\n",
              dep.data_dir().c_str(), o.writers.c_str(), o.batch.c_str(), dep.start_seconds(),
              o.gateway ? (", ZooKeeper gateway on 127.0.0.1:" + std::to_string(dep.zk_port())).c_str() : "",
              o.zk.c_str(), o.seconds, std::thread::hardware_concurrency());
  std::ostringstream js;
  js << "{\"seconds_per_cell\":" << jnum(o.seconds) << ",\"quick\":" << (o.quick ? "true" : "false")
     << ",\"cores\":" << std::thread::hardware_concurrency() << ",\"writers\":" << o.writers << ",\"batch\":" << o.batch
     << ",\"systems\":[";
  {
    bool f = true;
    for (System* s : sys.all()) js << (f ? "" : ",") << "\"" << s->name() << "\"", f = false;
  }
  js << "],\"matrix\":[";

  // Matrix.
  if (o.want("matrix")) print_matrix_header(sys.gw != nullptr);
  int cell_id = 0;
  bool first = true;
  for (std::string op : {"get", "set", "create"})
    for (size_t size : {size_t(1024), size_t(64 * 1024)})
      for (int clients : {1, 16}) {
        if (!o.want("matrix")) break;
        Cell c{op, clients, size, {}, {}, {}, sys.gw != nullptr};
        c.fk = run_cell(*sys.fk, op, clients, size, o.seconds, cell_id);
        if (sys.gw) c.gw = run_cell(*sys.gw, op, clients, size, o.seconds, cell_id);
        c.zk = run_cell(*sys.zk, op, clients, size, o.seconds, cell_id);
        ++cell_id;
        print_cell(c);
        js << (first ? "" : ",") << "{\"op\":\"" << op << "\",\"clients\":" << clients << ",\"value_size\":" << size
           << ",\"faaskeeper\":" << jsummary(c.fk);
        if (sys.gw) js << ",\"gateway\":" << jsummary(c.gw);
        js << ",\"zookeeper\":" << jsummary(c.zk) << "}";
        first = false;
      }
  js << "],\"workloads\":[";

  // Workloads: mixes and the service-latency script now; the load script last (it restarts
  // both servers).
  std::vector<const Workload*> loads;
  if (!workloads.empty()) {
    if (o.want("workloads"))
      std::printf("\n%-16s %-10s %-11s %8s %7s %7s %7s %8s\n", "workload", "system", "op", "ops", "p50ms", "p99ms",
                "p999ms", "ops/s");
    first = true;
    int wl_id = 0;
    for (auto& w : workloads) {
      ++wl_id;
      if (w.script == "load") {
        if (o.want("load")) loads.push_back(&w);
        continue;
      }
      if (!o.want("workloads")) continue;
      size_t znodes = o.quick ? w.quick_znodes : w.znodes;
      js << (first ? "" : ",") << "{\"name\":\"" << w.name << "\",\"script\":\"" << w.script
         << "\",\"clients\":" << w.clients << ",\"value_size\":" << w.value_size;
      if (w.script.empty()) js << ",\"seconds\":" << jnum(w.seconds);
      else js << ",\"znodes\":" << znodes;
      first = false;
      std::map<std::string, double> tp;
      for (System* s : sys.all()) {
        js << ",\"" << s->name() << "\":{";
        if (w.script == "service-latency") {
          auto r = run_service_latency(*s, w, znodes, wl_id);
          bool f = true;
          for (auto& [op, sm] : r) {
            print_phase_row(w.name, s->name(), op, sm);
            js << (f ? "" : ",") << "\"" << op << "\":" << jsummary(sm);
            f = false;
          }
        } else {
          auto r = run_workload(*s, w, w.seconds, wl_id);
          tp[s->name()] = r.all.throughput();
          js << "\"all\":" << jsummary(r.all);
          for (auto& [op, sm] : r.by_op) {
            print_phase_row(w.name, s->name(), op, sm);
            js << ",\"" << op << "\":" << jsummary(sm);
          }
          std::printf("%-16s %-10s %-11s %8zu %7s %7s %7s %8.0f\n", w.name.c_str(), s->name().c_str(), "ALL", r.all.ops,
                      "", "", "", r.all.throughput());
        }
        js << "}";
      }
      if (w.script.empty()) {
        std::printf("%-16s throughput ratio FK/ZK %.2f", w.name.c_str(), ratio(tp["faaskeeper"], tp["zookeeper"]));
        if (sys.gw) std::printf(", FK-gw/ZK %.2f", ratio(tp["gateway"], tp["zookeeper"]));
        std::printf("\n");
      }
      std::fflush(stdout);
      js << "}";
    }
  }
  js << "]";

  // Watch, connect, ephemeral cleanup.
  int watch_n = o.quick ? 100 : 300, connect_n = o.quick ? 20 : 50, eph_n = o.quick ? 200 : 1000;
  std::vector<System*> measured = o.want("measures") ? sys.all() : std::vector<System*>{};
  if (!measured.empty())
    std::printf("\n%-34s %-10s %8s %8s %8s %6s\n", "measure", "system", "p50ms", "p99ms", "max ms", "n");
  for (System* s : measured) {
    auto w = measure_watch(*s, watch_n);
    std::printf("%-34s %-10s %8.3f %8.3f %8.3f %6zu%s\n", "watch (set -> callback)", s->name().c_str(), w.p50, w.p99,
                w.cdf.empty() ? 0.0 : w.cdf.back(), w.ops, w.errors ? (" errors=" + std::to_string(w.errors)).c_str() : "");
    js << ",\"watch_" << s->name() << "\":" << jsummary(w);
  }
  for (System* s : measured) {
    auto c = measure_connect(*s, connect_n);
    std::printf("%-34s %-10s %8.3f %8.3f %8.3f %6zu\n", "session connect", s->name().c_str(), c.p50, c.p99,
                c.cdf.empty() ? 0.0 : c.cdf.back(), c.ops);
    js << ",\"connect_" << s->name() << "\":" << jsummary(c);
  }
  if (!measured.empty())
    std::printf("\n%-34s %-10s %10s %10s %12s\n", ("ephemeral cleanup (" + std::to_string(eph_n) + " nodes)").c_str(),
                "system", "create ms", "close ms", "all gone ms");
  int rep = 0;
  for (System* s : measured) {
    auto e = measure_ephemeral(*s, eph_n, rep++);
    std::printf("%-34s %-10s %10.1f %10.1f %12.1f%s\n", "", s->name().c_str(), e.create_ms, e.close_ms, e.gone_ms,
                e.created != static_cast<size_t>(eph_n) ? (" (created " + std::to_string(e.created) + ")").c_str() : "");
    js << ",\"ephemeral_" << s->name() << "\":{\"count\":" << eph_n << ",\"created\":" << e.created
       << ",\"create_ms\":" << jnum(e.create_ms) << ",\"close_ms\":" << jnum(e.close_ms)
       << ",\"gone_ms\":" << jnum(e.gone_ms) << "}";
  }
  js << ",\"faaskeeper_rss_kib_end\":" << rss_kib(dep.pid());

  // Load scripts: native FaaSKeeper (the deployment process) and ZooKeeper (its JVM). The
  // gateway is the same deployment process, so it has no memory figure of its own.
  js << ",\"loads\":[";
  first = true;
  int load_id = 0;
  for (const Workload* w : loads) {
    size_t znodes = o.quick ? w->quick_znodes : w->znodes;
    std::printf("\n%s: %zu znodes (%d parents, %zu-byte values, %d pipelining sessions)\n", w->name.c_str(), znodes,
                w->parents, w->value_size, w->clients);
    std::printf("live process: RSS before/after the load and the growth per znode (all, anonymous); disk growth per\n"
                "znode; fresh process: RSS right after a fresh start (empty) and after the restart on the loaded\n"
                "data, and (restarted - fresh) per znode; start-up time empty and on the loaded data\n");
    std::printf("%-10s %8s %8s %9s %9s %8s %9s %9s | %9s %9s %9s | %8s %9s\n", "system", "created", "create/s", "RSS0 MiB",
                "RSS1 MiB", "RSS B/zn", "anon B/zn", "disk B/zn", "fresh MiB", "rst MiB", "rst B/zn", "start0 s",
                "restart s");
    // Both servers start afresh on empty data for the load: a fresh deployment next to the
    // (now idle) main one, and ZooKeeper reset (stopped, data deleted, started on the same port).
    // Otherwise the earlier sections' data (thousands of 64 KiB nodes, all in ZooKeeper's heap)
    // would count as the load's memory.
    auto ldep = std::make_unique<LocalDeployment>(FK_FAASKEEPER_BIN,
                                                  std::vector<std::string>{"--writers", o.writers, "--batch", o.batch},
                                                  "load" + std::to_string(load_id), false);
    if (!ldep->ok()) die(ldep->why());
    auto fk_load = make_faaskeeper(ldep->data_dir());
    pid_t main_dep = g_deployment;
    g_deployment = ldep->pid();
    fk_rss_fresh = rss_kib(ldep->pid());
    ServerHooks fkh{[&] { return ldep->pid(); }, ldep->data_dir(), ldep->start_seconds(), fk_rss_fresh, [&] {
                      double t = ldep->restart();
                      g_deployment = ldep->pid();
                      return t;
                    }};
    ServerHooks zkh;
    if (!o.zk_control.empty()) {
      std::string ctl = o.zk_control;
      std::string r = control_request(ctl, "reset");
      if (r.rfind("error", 0) == 0) die("ZooKeeper reset: " + r);
      zk_rss_fresh = rss_kib(static_cast<pid_t>(std::atol(r.c_str())));
      zkh.pid = [ctl] { return static_cast<pid_t>(std::atol(control_request(ctl, "pid").c_str())); };
      zkh.dir = control_request(ctl, "dir");
      if (zkh.dir.rfind("error", 0) == 0) die("ZooKeeper control: " + zkh.dir);
      zkh.start_empty_s = std::atof(r.substr(r.find(' ') + 1).c_str());
      zkh.rss_fresh_kib = zk_rss_fresh;
      zkh.restart = [ctl] {
        std::string r = control_request(ctl, "restart");
        if (r.rfind("error", 0) == 0) {
          std::fprintf(stderr, "fk_compare_bench: ZooKeeper restart: %s\n", r.c_str());
          return -1.0;
        }
        return std::atof(r.substr(r.find(' ') + 1).c_str());
      };
    }
    js << (first ? "" : ",") << "{\"name\":\"" << w->name << "\",\"znodes\":" << znodes << ",\"parents\":" << w->parents
       << ",\"value_size\":" << w->value_size << ",\"clients\":" << w->clients;
    first = false;
    std::map<std::string, LoadResult> res;
    for (System* s : {fk_load.get(), sys.zk.get()}) {
      auto a = s->connect();
      if (!a) die(s->name() + ": cannot connect after the fresh start");
      ensure(*a, "/cmp");
      a->close();
    }
    for (auto [s, h] : {std::pair<System*, ServerHooks*>{fk_load.get(), &fkh}, {sys.zk.get(), &zkh}}) {
      auto r = run_load(*s, *w, znodes, 1000 + load_id, *h);
      res[s->name()] = r;
      auto mib = [](long kib) { return kib >= 0 ? kib / 1024.0 : -1.0; };
      std::printf("%-10s %8zu %8.0f %9.1f %9.1f %8.0f %9.0f %9.0f | %9.1f %9.1f %9.0f | %8.3f %9.3f%s\n",
                  s->name().c_str(), r.created, r.create_s > 0 ? r.created / r.create_s : 0.0,
                  mib(r.rss_before_kib), mib(r.rss_after_kib), r.per_znode(r.rss_before_kib, r.rss_after_kib),
                  r.per_znode(r.anon_before_kib, r.anon_after_kib),
                  r.created ? (double(r.disk_after) - double(r.disk_before)) / r.created : 0.0,
                  mib(r.rss_fresh_kib), mib(r.rss_restarted_kib), r.per_znode(r.rss_fresh_kib, r.rss_restarted_kib),
                  r.start_empty_s, r.restart_s, r.measured_server ? "" : "  (no server hooks: pass --zk-control)");
      std::fflush(stdout);
      js << ",\"" << s->name() << "\":{\"created\":" << r.created << ",\"create_s\":" << jnum(r.create_s)
         << ",\"rss_before_kib\":" << r.rss_before_kib << ",\"rss_after_kib\":" << r.rss_after_kib
         << ",\"rss_bytes_per_znode\":" << jnum(r.per_znode(r.rss_before_kib, r.rss_after_kib))
         << ",\"anon_before_kib\":" << r.anon_before_kib << ",\"anon_after_kib\":" << r.anon_after_kib
         << ",\"anon_bytes_per_znode\":" << jnum(r.per_znode(r.anon_before_kib, r.anon_after_kib))
         << ",\"rss_restarted_kib\":" << r.rss_restarted_kib << ",\"anon_restarted_kib\":" << r.anon_restarted_kib
         << ",\"rss_fresh_kib\":" << r.rss_fresh_kib
         << ",\"restarted_bytes_per_znode\":" << jnum(r.per_znode(r.rss_fresh_kib, r.rss_restarted_kib))
         << ",\"disk_before\":" << r.disk_before
         << ",\"disk_after\":" << r.disk_after << ",\"start_empty_s\":" << jnum(r.start_empty_s)
         << ",\"restart_s\":" << jnum(r.restart_s) << "}";
    }
    auto& f = res["faaskeeper"];
    auto& z = res["zookeeper"];
    if (z.measured_server)
      std::printf("%s ratios FK/ZK: RSS per znode fresh-restarted %.2f, live growth %.2f (anonymous %.2f), "
                  "restart time %.2f, create/s %.2f\n",
                  w->name.c_str(),
                  ratio(f.per_znode(f.rss_fresh_kib, f.rss_restarted_kib), z.per_znode(z.rss_fresh_kib, z.rss_restarted_kib)),
                  ratio(f.per_znode(f.rss_before_kib, f.rss_after_kib), z.per_znode(z.rss_before_kib, z.rss_after_kib)),
                  ratio(f.per_znode(f.anon_before_kib, f.anon_after_kib), z.per_znode(z.anon_before_kib, z.anon_after_kib)),
                  ratio(f.restart_s, z.restart_s), ratio(f.created / f.create_s, z.created / z.create_s));
    js << "}";
    ldep.reset();  // stops the load deployment and removes its directory
    g_deployment = main_dep;
    ++load_id;
  }
  js << "]}\n";
  if (!o.json.empty()) {
    std::ofstream out(o.json);
    out << js.str();
    if (!out) die("cannot write " + o.json);
    std::printf("\nJSON: %s\n", o.json.c_str());
  }
  return 0;
}
