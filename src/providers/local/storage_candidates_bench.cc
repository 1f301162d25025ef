// Measures the two embedded-storage candidates for the local provider (LMDB and SQLite) on the
// local deployment's workload; docs/local-storage.md records the figures and the decision.
//
//   fk_local_storage_bench DIR [--quick | --interleaved]
//
// Workloads (each on a fresh database under DIR, on the file system DIR lives on):
//   rmw      single conditional read-modify-write transactions (read a 200 B item, write it
//            back plus a counter item), fsync per commit
//   group    the same ops, 100 per transaction (group commit), fsync per commit
//   read Px  P reader PROCESSES doing random point reads (1 KiB and 64 KiB values), each with its
//            own handle, while one writer process commits (fsync) continuously
//   queue    durable queue: append a 1 KiB message then ack (delete) it, fsync per commit;
//            and appends batched 10 per commit
#include <fcntl.h>
#include <lmdb.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clk = std::chrono::steady_clock;

namespace {

bool quick = false;

double us_since(Clk::time_point t) {
  return std::chrono::duration<double, std::micro>(Clk::now() - t).count();
}

struct Stats {
  std::vector<double> samples;  // microseconds
  double seconds = 0;
  size_t ops = 0;
  double pct(double p) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    return samples[std::min(samples.size() - 1, static_cast<size_t>(p * samples.size()))];
  }
};

void report(const char* engine, const std::string& what, Stats s, const char* unit = "op") {
  std::printf("%-7s %-34s %10.0f %s/s   p50 %9.1f us   p99 %9.1f us\n", engine, what.c_str(),
              s.ops / s.seconds, unit, s.pct(0.50), s.pct(0.99));
  std::fflush(stdout);
}

void check(int rc, const char* what) {
  if (rc != 0) {
    std::fprintf(stderr, "%s failed: %d (%s)\n", what, rc, mdb_strerror(rc));
    std::exit(1);
  }
}

std::string value_of(size_t n, uint64_t seed) {
  std::string v(n, '\0');
  std::mt19937_64 r(seed);
  for (auto& c : v) c = static_cast<char>(r());
  return v;
}

// ---------------- engine abstraction (only what the bench needs) ----------------

struct Engine {
  virtual ~Engine() = default;
  virtual void begin() = 0;
  virtual bool get(const std::string& k, std::string* v) = 0;
  virtual void put(const std::string& k, const std::string& v) = 0;
  virtual void del(const std::string& k) = 0;
  virtual void commit() = 0;
  // A read-only point lookup outside any write transaction (reader processes).
  virtual bool read(const std::string& k, std::string* v) = 0;
};

struct Lmdb : Engine {
  MDB_env* env = nullptr;
  MDB_dbi dbi = 0;
  MDB_txn* txn = nullptr;
  MDB_txn* rtxn = nullptr;
  explicit Lmdb(const fs::path& dir, bool readonly) {
    fs::create_directories(dir);
    check(mdb_env_create(&env), "env_create");
    check(mdb_env_set_mapsize(env, size_t(4) << 30), "mapsize");
    check(mdb_env_set_maxreaders(env, 256), "maxreaders");
    check(mdb_env_open(env, dir.c_str(), readonly ? MDB_RDONLY : 0, 0644), "env_open");
    MDB_txn* t;
    check(mdb_txn_begin(env, nullptr, readonly ? MDB_RDONLY : 0, &t), "txn");
    check(mdb_dbi_open(t, nullptr, 0, &dbi), "dbi");
    check(mdb_txn_commit(t), "commit");
    if (readonly) {
      check(mdb_txn_begin(env, nullptr, MDB_RDONLY, &rtxn), "rtxn");
      mdb_txn_reset(rtxn);
    }
  }
  ~Lmdb() override {
    if (rtxn) mdb_txn_abort(rtxn);
    mdb_env_close(env);
  }
  void begin() override { check(mdb_txn_begin(env, nullptr, 0, &txn), "begin"); }
  bool get(const std::string& k, std::string* v) override {
    MDB_val key{k.size(), const_cast<char*>(k.data())}, val;
    int rc = mdb_get(txn, dbi, &key, &val);
    if (rc == MDB_NOTFOUND) return false;
    check(rc, "get");
    v->assign(static_cast<char*>(val.mv_data), val.mv_size);
    return true;
  }
  void put(const std::string& k, const std::string& v) override {
    MDB_val key{k.size(), const_cast<char*>(k.data())}, val{v.size(), const_cast<char*>(v.data())};
    check(mdb_put(txn, dbi, &key, &val, 0), "put");
  }
  void del(const std::string& k) override {
    MDB_val key{k.size(), const_cast<char*>(k.data())};
    int rc = mdb_del(txn, dbi, &key, nullptr);
    if (rc != MDB_NOTFOUND) check(rc, "del");
  }
  void commit() override {
    check(mdb_txn_commit(txn), "commit");
    txn = nullptr;
  }
  bool read(const std::string& k, std::string* v) override {
    check(mdb_txn_renew(rtxn), "renew");
    MDB_val key{k.size(), const_cast<char*>(k.data())}, val;
    int rc = mdb_get(rtxn, dbi, &key, &val);
    bool found = rc == 0;
    if (found) v->assign(static_cast<char*>(val.mv_data), val.mv_size);
    mdb_txn_reset(rtxn);
    return found;
  }
};

void sq(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "%s failed: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

struct Sqlite : Engine {
  sqlite3* db = nullptr;
  sqlite3_stmt *sget, *sput, *sdel, *sbegin, *scommit;
  explicit Sqlite(const fs::path& dir, bool readonly) {
    fs::create_directories(dir);
    std::string file = (dir / "db.sqlite").string();
    sq(sqlite3_open_v2(file.c_str(), &db,
                       readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE),
                       nullptr),
       db, "open");
    sqlite3_busy_timeout(db, 10000);
    if (!readonly) {
      sq(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                          "CREATE TABLE IF NOT EXISTS kv(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID;",
                      nullptr, nullptr, nullptr),
         db, "init");
    }
    sq(sqlite3_prepare_v2(db, "SELECT v FROM kv WHERE k=?", -1, &sget, nullptr), db, "prep get");
    if (!readonly) {
      sq(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO kv(k,v) VALUES(?,?)", -1, &sput, nullptr), db, "prep put");
      sq(sqlite3_prepare_v2(db, "DELETE FROM kv WHERE k=?", -1, &sdel, nullptr), db, "prep del");
      sq(sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &sbegin, nullptr), db, "prep begin");
      sq(sqlite3_prepare_v2(db, "COMMIT", -1, &scommit, nullptr), db, "prep commit");
    }
  }
  ~Sqlite() override { sqlite3_close_v2(db); }
  void step(sqlite3_stmt* s, const char* what) {
    sq(sqlite3_step(s), db, what);
    sqlite3_reset(s);
  }
  void begin() override { step(sbegin, "begin"); }
  bool get(const std::string& k, std::string* v) override { return read(k, v); }
  void put(const std::string& k, const std::string& v) override {
    sqlite3_bind_blob(sput, 1, k.data(), int(k.size()), SQLITE_STATIC);
    sqlite3_bind_blob(sput, 2, v.data(), int(v.size()), SQLITE_STATIC);
    step(sput, "put");
  }
  void del(const std::string& k) override {
    sqlite3_bind_blob(sdel, 1, k.data(), int(k.size()), SQLITE_STATIC);
    step(sdel, "del");
  }
  void commit() override { step(scommit, "commit"); }
  bool read(const std::string& k, std::string* v) override {
    sqlite3_bind_blob(sget, 1, k.data(), int(k.size()), SQLITE_STATIC);
    int rc = sqlite3_step(sget);
    bool found = rc == SQLITE_ROW;
    if (found) v->assign(static_cast<const char*>(sqlite3_column_blob(sget, 0)), sqlite3_column_bytes(sget, 0));
    else sq(rc, db, "read");
    sqlite3_reset(sget);
    return found;
  }
};

std::unique_ptr<Engine> open_engine(const std::string& name, const fs::path& dir, bool ro) {
  if (name == "lmdb") return std::make_unique<Lmdb>(dir, ro);
  return std::make_unique<Sqlite>(dir, ro);
}

// ---------------- workloads ----------------

std::string key(size_t i) { return "node/" + std::to_string(i); }

void populate(Engine& e, size_t n, size_t bytes) {
  for (size_t done = 0; done < n;) {
    e.begin();
    for (size_t j = 0; j < 500 && done < n; ++j, ++done) e.put(key(done), value_of(bytes, done));
    e.commit();
  }
}

// One conditional RMW op: read the item, check a "version" prefix, write it back + counter.
void rmw(Engine& e, size_t i, uint64_t* txid) {
  std::string v;
  std::string k = key(i);
  if (!e.get(k, &v)) v = std::string(200, 'x');
  v[0] = static_cast<char>(v[0] + 1);
  e.put(k, v);
  ++*txid;
  e.put("txid", std::to_string(*txid));
}

void bench_rmw(const std::string& eng, const fs::path& dir) {
  auto e = open_engine(eng, dir, false);
  populate(*e, 1000, 200);
  std::mt19937 r(1);
  uint64_t txid = 0;
  Stats s;
  size_t n = quick ? 200 : 1000;
  auto start = Clk::now();
  for (size_t i = 0; i < n; ++i) {
    auto t = Clk::now();
    e->begin();
    rmw(*e, r() % 1000, &txid);
    e->commit();
    s.samples.push_back(us_since(t));
  }
  s.seconds = us_since(start) / 1e6;
  s.ops = n;
  report(eng.c_str(), "rmw txn, fsync each", s, "txn");

  Stats g;
  size_t batches = quick ? 20 : 100;
  start = Clk::now();
  for (size_t b = 0; b < batches; ++b) {
    auto t = Clk::now();
    e->begin();
    for (int j = 0; j < 100; ++j) rmw(*e, r() % 1000, &txid);
    e->commit();
    g.samples.push_back(us_since(t));
  }
  g.seconds = us_since(start) / 1e6;
  g.ops = batches * 100;
  report(eng.c_str(), "rmw ops, group commit of 100", g, "op");
}

void bench_queue(const std::string& eng, const fs::path& dir) {
  auto e = open_engine(eng, dir, false);
  std::string body = value_of(1024, 7);
  size_t n = quick ? 200 : 1000;
  Stats s;
  auto start = Clk::now();
  for (size_t i = 0; i < n; ++i) {
    auto t = Clk::now();
    e->begin();
    e->put("q/" + std::to_string(1000000 + i), body);
    e->put("q/last", std::to_string(i));
    e->commit();
    e->begin();
    e->del("q/" + std::to_string(1000000 + i));
    e->commit();
    s.samples.push_back(us_since(t));
  }
  s.seconds = us_since(start) / 1e6;
  s.ops = n;
  report(eng.c_str(), "queue append+ack, fsync each", s, "msg");

  Stats b;
  start = Clk::now();
  for (size_t i = 0; i < n / 10; ++i) {
    auto t = Clk::now();
    e->begin();
    for (size_t j = 0; j < 10; ++j) e->put("q/" + std::to_string(2000000 + i * 10 + j), body);
    e->commit();
    b.samples.push_back(us_since(t));
  }
  b.seconds = us_since(start) / 1e6;
  b.ops = n;
  report(eng.c_str(), "queue append, 10 per commit", b, "msg");
}

// P reader processes + 1 writer process. Readers report (count, sampled latencies) on a pipe.
void bench_readers(const std::string& eng, const fs::path& dir, int procs, size_t bytes) {
  size_t nkeys = bytes >= 65536 ? 1000 : 10000;
  {
    auto e = open_engine(eng, dir, false);
    populate(*e, nkeys, bytes);
  }
  double secs = quick ? 0.5 : 1.5;
  std::vector<pid_t> kids;
  std::vector<int> pipes;
  pid_t writer = fork();
  if (writer == 0) {
    auto e = open_engine(eng, dir, false);
    std::mt19937 r(99);
    auto end = Clk::now() + std::chrono::duration<double>(secs + 0.2);
    while (Clk::now() < end) {
      e->begin();
      e->put(key(r() % nkeys), value_of(bytes, r()));
      e->commit();
    }
    _exit(0);
  }
  for (int p = 0; p < procs; ++p) {
    int fds[2];
    if (pipe(fds) != 0) std::exit(1);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      auto e = open_engine(eng, dir, true);
      std::mt19937 r(p + 1);
      std::vector<float> lat;
      size_t count = 0;
      std::string v;
      auto end = Clk::now() + std::chrono::duration<double>(secs);
      while (Clk::now() < end) {
        auto t = Clk::now();
        if (!e->read(key(r() % nkeys), &v)) _exit(3);
        if (count++ % 4 == 0 && lat.size() < 200000) lat.push_back(static_cast<float>(us_since(t)));
      }
      uint64_t hdr[2] = {count, lat.size()};
      if (write(fds[1], hdr, sizeof hdr) < 0) _exit(2);
      if (write(fds[1], lat.data(), lat.size() * sizeof(float)) < 0) _exit(2);
      _exit(0);
    }
    kids.push_back(pid);
    close(fds[1]);
    pipes.push_back(fds[0]);
  }
  Stats s;
  for (int p = 0; p < procs; ++p) {
    int fd = pipes[p];
    uint64_t hdr[2];
    size_t got = 0;
    while (got < sizeof hdr) {
      ssize_t n = read(fd, reinterpret_cast<char*>(hdr) + got, sizeof hdr - got);
      if (n <= 0) {
        hdr[0] = hdr[1] = 0;
        break;
      }
      got += n;
    }
    std::vector<float> lat(hdr[1]);
    got = 0;
    size_t want = lat.size() * sizeof(float);
    while (got < want) {
      ssize_t n = read(fd, reinterpret_cast<char*>(lat.data()) + got, want - got);
      if (n <= 0) break;
      got += n;
    }
    s.ops += hdr[0];
    s.samples.insert(s.samples.end(), lat.begin(), lat.end());
    close(fd);
  }
  int failed = 0;
  for (pid_t k : kids) {
    int st;
    waitpid(k, &st, 0);
    failed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  int st;
  waitpid(writer, &st, 0);
  s.seconds = secs;
  char what[80];
  std::snprintf(what, sizeof what, "point read, %2d procs, %2zu KiB%s", procs, bytes / 1024,
                failed ? " (READER FAILED)" : "");
  report(eng.c_str(), what, s, "read");
}

// The device's own cost: overwrite 4 KiB of a file and fdatasync it.
void bench_fsync(const fs::path& dir) {
  fs::create_directories(dir);
  int fd = ::open((dir / "f").c_str(), O_CREAT | O_RDWR, 0644);
  std::string block(4096, 'x');
  Stats s;
  size_t n = quick ? 100 : 300;
  auto start = Clk::now();
  for (size_t i = 0; i < n; ++i) {
    auto t = Clk::now();
    if (pwrite(fd, block.data(), block.size(), 0) < 0 || fdatasync(fd) != 0) std::exit(1);
    s.samples.push_back(us_since(t));
  }
  s.seconds = us_since(start) / 1e6;
  s.ops = n;
  ::close(fd);
  report("raw", "4 KiB pwrite + fdatasync", s, "sync");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [--quick | --interleaved]\n", argv[0]);
    return 2;
  }
  fs::path root = fs::path(argv[1]) / "fk-storage-bench";
  quick = argc > 2 && std::string(argv[2]) == "--quick";
  fs::remove_all(root);
  int run = 0;
  auto fresh = [&] { return root / std::to_string(run++); };
  if (argc > 2 && std::string(argv[2]) == "--interleaved") {
    // Write workloads only, engines alternating, so both see the same disk conditions
    // (fdatasync latency on a shared VM disk swings by 20x with other processes' I/O).
    quick = true;
    for (int round = 0; round < 5; ++round)
      for (const char* eng : {"lmdb", "sqlite"}) {
        bench_fsync(fresh());
        bench_rmw(eng, fresh());
        bench_queue(eng, fresh());
      }
    fs::remove_all(root);
    return 0;
  }
  bench_fsync(fresh());
  for (const char* eng : {"lmdb", "sqlite"}) {
    bench_rmw(eng, fresh());
    bench_queue(eng, fresh());
    for (size_t bytes : {size_t(1024), size_t(65536)})
      for (int p : {1, 4, 16}) bench_readers(eng, fresh(), p, bytes);
  }
  fs::remove_all(root);
  return 0;
}
