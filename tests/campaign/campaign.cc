// fk_campaign: the fault campaign (issue 8, docs/reliability.md). Client processes run a random
// mix of reads, versioned writes, creates (persistent, sequential, ephemeral, ephemeral-
// sequential), deletes and multis on a small key set against a `faaskeeper local` deployment
// running with chaos injection (endpoint/chaos.h: function crashes at random steps, duplicate
// deliveries, watch delays, clock jumps), while this process is the nemesis: it kills the
// deployment with SIGKILL and restarts it on the same DIR, and freezes client processes past
// their session timeout so their sessions expire. Every client records its history; afterwards
//   - the history checker (src/check) must find no anomaly: linearizable writes, sequentially
//     consistent reads, FIFO, read-your-writes, monotonic reads, watch-before-data; a final
//     read of every node is part of the history, so a write acknowledged but lost, or applied
//     twice, is an anomaly;
//   - no node lease is held and no ephemeral index entry is left (every session ended).
//
//   fk_campaign --faaskeeper BIN [--seed S] [--seconds T] [--clients N] [--seeds K] [--keep]
//
// --seeds K runs K campaigns with seeds S, S+1, ... Exit status 0 only if every campaign passed.
// A client process is this program with --client (internal).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "check/checker.h"
#include "check/history_io.h"
#include "check/recorder.h"
#include "client/local_transport.h"
#include "faaskeeper/client.h"
#include "functions/schema.h"
#include "providers/local/local_database.h"
#include "providers/local/local_system_store.h"

extern char** environ;

namespace fs = std::filesystem;
namespace fk = faaskeeper;
namespace ck = faaskeeper::check;
using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr int kKeys = 4;
constexpr int32_t kSessionTimeoutMs = 4000;

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "fk_campaign: %s\n", why.c_str());
  std::exit(2);
}

// Each key under its own parent, and multis only within the pairs (0,1) and (2,3), so the checker's
// partitions stay small: a create or delete touches its parent's child list too.
std::string parent(int i) { return "/fk/p" + std::to_string(i); }
std::string key(int i) { return parent(i) + "/k"; }

ck::Outcome failed(const fk::Status& s) { return ck::Outcome::failed(s.code()); }

// ---- client process ----------------------------------------------------------------------

class CampaignClient {
 public:
  CampaignClient(std::string dir, ck::HistoryRecorder& rec, uint64_t seed, int id)
      : dir_(std::move(dir)), rec_(rec), rng_(seed), id_(id) {}

  void run(SteadyClock::time_point deadline) {
    while (SteadyClock::now() < deadline) {
      if (!client_ && !open(deadline)) break;
      if (!step()) std::this_thread::sleep_for(100ms);  // the deployment is down: do not spin
      std::this_thread::sleep_for(std::chrono::microseconds(pick(3000)));  // think time
      if (client_ && client_->state() == fk::SessionState::Expired) end_session();
    }
    if (client_) {
      client_->close();
      end_session();
    }
  }

 private:
  // A session; its possible end (expiry while frozen) spans from now until we learn of it.
  bool open(SteadyClock::time_point deadline) {
    while (SteadyClock::now() < deadline) {
      auto t = fk::LocalTransport::open(dir_);
      if (t.ok()) {
        fk::ClientOptions o;
        o.session_timeout_ms = kSessionTimeoutMs;
        o.request_timeout = 5s;
        // Notifications are recorded when the client accepts them (docs/checker.md).
        o.event_trace = [this](const fk::WatchedEvent& e) {
          rec_.notification(session_now_.load(), e.path, e.type, e.zxid);
        };
        auto c = fk::Client::open(*t, o);
        if (c.ok()) {
          client_ = std::move(*c);
          session_ = client_->session_id();
          session_now_ = session_;
          end_ = rec_.session_end_begin(session_);
          return true;
        }
      }
      std::this_thread::sleep_for(100ms);  // the deployment is restarting: poll for it
    }
    return false;
  }

  void end_session() {
    rec_.session_end_complete(end_);
    client_.reset();
  }

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string fresh_data() { return "c" + std::to_string(id_) + "-" + std::to_string(++counter_); }
  int32_t some_version() { return pick(3) == 0 ? -1 : pick(4); }

  fk::Watcher watcher() {
    return [](const fk::WatchedEvent&) {};  // recorded by the event trace
  }

  // One random operation; false when it ended in ConnectionLoss.
  bool step() {
    fk::Client& c = *client_;
    bool connected = true;
    auto note = [&](const ck::Outcome& o) {
      if (o.kind == ck::OutcomeKind::Failed && o.error == fk::Error::ConnectionLoss) connected = false;
      return o;
    };
    ck::Request r;
    int choice = pick(100);
    if (choice < 30) {  // getData, sometimes with a watch
      r.type = ck::OpType::GetData;
      r.path = key(pick(kKeys));
      r.watch = pick(3) == 0;
      auto h = rec_.invoke(session_, r);
      auto d = r.watch ? c.get(r.path, watcher()) : c.get(r.path);
      ck::Outcome o = d.ok() ? ck::Outcome::ok() : failed(d.status());
      if (d.ok()) {
        o.data = d->data;
        o.stat = ck::ObservedStat(d->stat);
      }
      rec_.complete(h, note(o));
    } else if (choice < 38) {  // exists
      r.type = ck::OpType::Exists;
      r.path = key(pick(kKeys));
      auto h = rec_.invoke(session_, r);
      auto s = c.exists(r.path);
      ck::Outcome o = s.ok() ? ck::Outcome::ok() : failed(s.status());
      if (s.ok() && s->has_value()) o.stat = ck::ObservedStat(**s);
      rec_.complete(h, note(o));
    } else if (choice < 45) {  // getChildren
      r.type = ck::OpType::GetChildren;
      int which = pick(3);
      r.path = which == 0 ? "/fk/seq" : which == 1 ? "/fk/eph" : parent(pick(kKeys));
      auto h = rec_.invoke(session_, r);
      auto k = c.get_children(r.path);
      ck::Outcome o = k.ok() ? ck::Outcome::ok() : failed(k.status());
      if (k.ok()) {
        o.children = k->names;
        o.stat = ck::ObservedStat(k->stat);
      }
      rec_.complete(h, note(o));
    } else if (choice < 65) {  // setData
      r.type = ck::OpType::SetData;
      r.path = key(pick(kKeys));
      r.data = fresh_data();
      r.version = some_version();
      auto h = rec_.invoke(session_, r);
      auto s = c.set(r.path, r.data, r.version);
      ck::Outcome o = s.ok() ? ck::Outcome::ok() : failed(s.status());
      if (s.ok()) o.stat = ck::ObservedStat(*s);
      rec_.complete(h, note(o));
    } else if (choice < 80) {  // create: persistent key, ephemeral key, or (ephemeral-)sequential
      r.type = ck::OpType::Create;
      r.data = fresh_data();
      int kind = pick(4);
      r.path = kind == 0 ? key(pick(kKeys)) : kind == 1 ? "/fk/eph/e" + std::to_string(id_) : "/fk/seq/s-";
      r.mode = kind == 0   ? fk::CreateMode::Persistent
               : kind == 1 ? fk::CreateMode::Ephemeral
               : kind == 2 ? fk::CreateMode::PersistentSequential
                           : fk::CreateMode::EphemeralSequential;
      auto h = rec_.invoke(session_, r);
      auto cr = c.create(r.path, r.data, r.mode);
      ck::Outcome o = cr.ok() ? ck::Outcome::ok() : failed(cr.status());
      if (cr.ok()) {
        o.path = cr->path;
        o.stat = ck::ObservedStat(cr->stat);
      }
      rec_.complete(h, note(o));
    } else if (choice < 90) {  // delete
      r.type = ck::OpType::Delete;
      r.path = pick(3) ? key(pick(kKeys)) : "/fk/eph/e" + std::to_string(id_);
      r.version = some_version();
      auto h = rec_.invoke(session_, r);
      fk::Status s = c.remove(r.path, r.version);
      rec_.complete(h, note(s.ok() ? ck::Outcome::ok() : failed(s)));
    } else {  // multi: check + set, or create + delete
      r.type = ck::OpType::Multi;
      std::vector<fk::MultiOp> ops;
      ck::Request a, b;
      int first = pick(kKeys), second = first ^ 1;
      if (pick(2)) {
        a.type = ck::OpType::Check;
        a.path = key(first);
        a.version = some_version();
        b.type = ck::OpType::SetData;
        b.path = key(second);
        b.data = fresh_data();
        ops = {fk::CheckRequest{a.path, a.version}, fk::SetDataRequest{b.path, b.data, -1}};
      } else {
        a.type = ck::OpType::Create;
        a.path = key(first);
        a.data = fresh_data();
        b.type = ck::OpType::Delete;
        b.path = key(second);
        ops = {fk::CreateRequest{a.path, a.data, fk::CreateMode::Persistent, -1}, fk::DeleteRequest{b.path, -1}};
      }
      r.ops = {a, b};
      auto h = rec_.invoke(session_, r);
      auto m = c.multi(ops);
      ck::Outcome o;
      if (!m.ok()) {
        o = failed(m.status());
      } else {
        o = ck::Outcome::ok();
        for (const auto& res : *m) {
          ck::SubResult sr;
          sr.error = res.err;
          sr.path = res.path;
          if (res.err == fk::Error::Ok && (std::holds_alternative<fk::CreateRequest>(ops[o.results.size()]) ||
                                           std::holds_alternative<fk::SetDataRequest>(ops[o.results.size()])))
            sr.stat = ck::ObservedStat(res.stat);
          o.results.push_back(sr);
          if (res.err != fk::Error::Ok && res.err != fk::Error::RuntimeInconsistency && o.kind == ck::OutcomeKind::Ok) {
            o.kind = ck::OutcomeKind::Failed;
            o.error = res.err;
          }
        }
        if (o.kind == ck::OutcomeKind::Failed)
          for (auto& sr : o.results) sr.stat.reset();  // a failed multi reports no stats
      }
      rec_.complete(h, note(o));
    }
    return connected;
  }

  std::string dir_;
  ck::HistoryRecorder& rec_;
  std::mt19937_64 rng_;
  int id_;
  uint64_t counter_ = 0;
  std::unique_ptr<fk::Client> client_;
  int64_t session_ = 0;
  std::atomic<int64_t> session_now_{0};  // read by the event trace on the receiving thread
  ck::HistoryRecorder::Handle end_;
};

int run_client(const std::string& dir, const std::string& history, uint64_t seed, int id, double seconds) {
  auto rec = ck::HistoryRecorder::streaming(history);
  if (!rec.ok()) die(rec.status().to_string());
  CampaignClient c(dir, **rec, seed, id);
  c.run(SteadyClock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
  return 0;
}

// ---- orchestrator ------------------------------------------------------------------------

pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) die("cannot start " + args[0]);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

struct Campaign {
  std::string self, faaskeeper;
  uint64_t seed = 1;
  double seconds = 20;
  int clients = 3;
  bool keep = false;

  std::string dir, data;
  pid_t deployment = -1;
  std::mt19937_64 rng;

  void start_deployment() {
    deployment = spawn({faaskeeper, "local", "--data", data, "--zk-port", "-1", "--heartbeat-ms", "200",
                        "--chaos-seed", std::to_string(seed)},
                       dir + "/deployment.log");
    // Serving once a session can be opened.
    auto limit = SteadyClock::now() + 30s;
    while (SteadyClock::now() < limit) {
      auto t = fk::LocalTransport::open(data);
      if (t.ok()) return;
      std::this_thread::sleep_for(50ms);
    }
    die("the deployment did not come up within 30 s (see " + dir + "/deployment.log)");
  }

  void kill_deployment() {
    ::kill(deployment, SIGKILL);
    ::waitpid(deployment, nullptr, 0);
    deployment = -1;
  }

  std::unique_ptr<fk::Client> session() {
    for (int i = 0; i < 100; ++i) {
      auto t = fk::LocalTransport::open(data);
      if (t.ok()) {
        auto c = fk::Client::open(*t);
        if (c.ok()) return std::move(*c);
      }
      std::this_thread::sleep_for(100ms);
    }
    die("cannot open a session");
  }

  // The initial tree, declared to the checker.
  void setup(ck::HistoryRecorder& rec) {
    auto c = session();
    auto must = [](const fk::Status& s, const std::string& what) {
      if (!s.ok()) die(what + ": " + s.to_string());
    };
    must(c->create("/fk", std::string("root")).status(), "create /fk");
    std::vector<std::string> paths = {"/fk/seq", "/fk/eph"};
    for (int i = 0; i < kKeys; ++i) {
      paths.push_back(parent(i));
      paths.push_back(key(i));
    }
    for (const auto& p : paths) must(c->create(p, std::string("init")).status(), "create " + p);
    for (const auto& p : paths) {
      auto d = c->get(p);
      if (!d.ok()) die("get " + p + ": " + d.status().to_string());
      rec.declare_initial({p, d->data, ck::ObservedStat(d->stat), std::nullopt});
    }
    c->close();
  }

  // After the run: one read of everything, recorded, so lost or doubled writes show.
  void final_reads(ck::HistoryRecorder& rec) {
    auto c = session();
    int64_t s = c->session_id();
    std::vector<std::string> parents = {"/fk/seq", "/fk/eph"};
    for (int i = 0; i < kKeys; ++i) parents.push_back(parent(i));
    for (const std::string& parent : parents) {
      ck::Request r;
      r.type = ck::OpType::GetChildren;
      r.path = parent;
      auto h = rec.invoke(s, r);
      auto k = c->get_children(parent);
      if (!k.ok()) die("final getChildren " + parent + ": " + k.status().to_string());
      ck::Outcome o = ck::Outcome::ok();
      o.children = k->names;
      o.stat = ck::ObservedStat(k->stat);
      rec.complete(h, o);
      for (const auto& name : k->names) {
        ck::Request g;
        g.type = ck::OpType::GetData;
        g.path = parent + "/" + name;
        auto gh = rec.invoke(s, g);
        auto d = c->get(g.path);
        ck::Outcome go = d.ok() ? ck::Outcome::ok() : ck::Outcome::failed(d.status().code());
        if (d.ok()) {
          go.data = d->data;
          go.stat = ck::ObservedStat(d->stat);
        }
        rec.complete(gh, go);
      }
    }
    c->close();
  }

  // Leases and ephemeral index entries left in the system store (read after a clean stop).
  std::vector<std::string> leftovers() {
    auto db = fk::LocalDatabase::open(data);
    if (!db.ok()) die("reopen " + data + ": " + db.status().to_string());
    fk::LocalSystemStore store(*db);
    std::vector<std::string> out;
    auto nodes = store.scan("n:");
    if (!nodes.ok()) die("scan: " + nodes.status().to_string());
    for (const auto& [k, item] : *nodes)
      if (item.count(fk::schema::attr::kLockOwner)) out.push_back("lease on " + k);
    auto eph = store.scan("e:");
    if (!eph.ok()) die("scan: " + eph.status().to_string());
    for (const auto& [k, item] : *eph) out.push_back("ephemeral index entry " + k);
    return out;
  }

  bool run() {
    dir = (fs::temp_directory_path() / ("fk-campaign-" + std::to_string(::getpid()) + "-" + std::to_string(seed))).string();
    fs::remove_all(dir);
    fs::create_directories(dir);
    data = dir + "/data";
    rng.seed(seed * 7919 + 17);
    std::printf("campaign seed %llu: %d clients, %.0f s, dir %s\n", static_cast<unsigned long long>(seed), clients,
                seconds, dir.c_str());
    std::fflush(stdout);
    auto t0 = SteadyClock::now();

    start_deployment();
    auto setup_rec = ck::HistoryRecorder::streaming(dir + "/history-setup.jsonl");
    if (!setup_rec.ok()) die(setup_rec.status().to_string());
    setup(**setup_rec);

    std::vector<pid_t> pids;
    for (int i = 0; i < clients; ++i)
      pids.push_back(spawn({self, "--client", data, dir + "/history-" + std::to_string(i) + ".jsonl",
                            std::to_string(seed * 1000 + i), std::to_string(i), std::to_string(seconds)},
                           dir + "/client-" + std::to_string(i) + ".log"));

    // The nemesis: every 1.5-4 s, kill -9 and restart the deployment, freeze a client past its
    // session timeout, or let things run.
    int kills = 0, freezes = 0;
    auto end = t0 + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
    while (SteadyClock::now() + 2s < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(1500, 4000)(rng)));
      int what = std::uniform_int_distribution<int>(0, 2)(rng);
      if (what == 0) {
        kill_deployment();
        start_deployment();
        ++kills;
      } else if (what == 1 && SteadyClock::now() + std::chrono::milliseconds(kSessionTimeoutMs + 3000) < end) {
        pid_t victim = pids[std::uniform_int_distribution<size_t>(0, pids.size() - 1)(rng)];
        ::kill(victim, SIGSTOP);
        std::this_thread::sleep_for(std::chrono::milliseconds(kSessionTimeoutMs + 1500));
        ::kill(victim, SIGCONT);
        ++freezes;
      }
    }
    bool clients_ok = true;
    for (pid_t p : pids) {
      int status = 0;
      ::waitpid(p, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) clients_ok = false;
    }
    // Let the last expiries and redeliveries settle: every session the clients opened has
    // ended, so the ephemeral index must drain.
    final_reads(**setup_rec);
    auto settle = SteadyClock::now() + 20s;
    std::vector<std::string> left;
    while (true) {
      ::kill(deployment, SIGTERM);
      ::waitpid(deployment, nullptr, 0);
      left = leftovers();
      if (left.empty() || SteadyClock::now() > settle) break;
      start_deployment();
      std::this_thread::sleep_for(1s);
    }
    setup_rec->reset();

    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".jsonl") files.push_back(e.path().string());
    auto history = ck::load_histories(files);
    if (!history.ok()) die("loading the histories: " + history.status().to_string());
    ck::CheckOptions co;
    co.linearizable_reads = false;  // ZooKeeper's guarantee: reads may lag, sessions may not
    co.max_steps_per_partition = 50'000'000;
    co.time_budget = std::chrono::seconds(240);
    ck::Report report = ck::check_history(*history, co);

    size_t ops = history->ops.size(), unknown = 0;
    for (const auto& op : history->ops)
      if (op.outcome.kind == ck::OutcomeKind::Unknown ||
          (op.outcome.kind == ck::OutcomeKind::Failed && ck::is_indeterminate_error(op.outcome.error)))
        ++unknown;
    std::printf("seed %llu: %zu ops (%zu indeterminate), %zu notifications, %zu session ends; nemesis: %d kill -9 "
                "+ restart, %d client freezes; checker %s in %.1f s (%zu partitions, %llu steps); leftovers %zu\n",
                static_cast<unsigned long long>(seed), ops, unknown, history->notifications.size(),
                history->session_ends.size(), kills, freezes, ck::verdict_name(report.verdict), report.seconds,
                report.partitions, static_cast<unsigned long long>(report.search_steps), left.size());
    bool ok = report.verdict == ck::Verdict::Ok && left.empty() && clients_ok;
    if (report.verdict != ck::Verdict::Ok) std::printf("%s\n", report.to_string().c_str());
    for (const auto& l : left) std::printf("  left behind: %s\n", l.c_str());
    if (!clients_ok) std::printf("  a client process failed (see %s/client-*.log)\n", dir.c_str());
    std::printf("seed %llu: %s (%.1f s)\n", static_cast<unsigned long long>(seed), ok ? "PASS" : "FAIL",
                std::chrono::duration<double>(SteadyClock::now() - t0).count());
    std::fflush(stdout);
    if (ok && !keep) fs::remove_all(dir);
    return ok;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc == 7 && std::string(argv[1]) == "--client")
    return run_client(argv[2], argv[3], std::strtoull(argv[4], nullptr, 10), std::atoi(argv[5]), std::atof(argv[6]));
  Campaign c;
  c.self = fs::canonical("/proc/self/exe").string();
  int seeds = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--faaskeeper") c.faaskeeper = value();
    else if (a == "--seed") c.seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--seconds") c.seconds = std::atof(value().c_str());
    else if (a == "--clients") c.clients = std::atoi(value().c_str());
    else if (a == "--seeds") seeds = std::atoi(value().c_str());
    else if (a == "--keep") c.keep = true;
    else die("unknown option " + a + " (--faaskeeper BIN --seed S --seconds T --clients N --seeds K --keep)");
  }
  if (c.faaskeeper.empty()) die("--faaskeeper BIN is required");
  if (c.seed == 0) die("--seed must be positive (0 turns chaos off)");
  int failures = 0;
  uint64_t first = c.seed;
  for (int k = 0; k < seeds; ++k) {
    c.seed = first + static_cast<uint64_t>(k);
    if (!c.run()) ++failures;
  }
  std::printf("%d of %d campaign(s) passed\n", seeds - failures, seeds);
  return failures == 0 ? 0 : 1;
}
