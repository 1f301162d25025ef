// The local provider: the provider contract on real files, plus what only a durable embedded
// store has (reopen, directory lock and format marker, corrupted / unwritable / full storage,
// other processes reading the user store, group commit).
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>

#include "providers/local/local_database.h"
#include "providers/local/local_queue.h"
#include "providers/local/local_system_store.h"
#include "providers/local/local_user_reader.h"
#include "providers/local/local_user_store.h"
#include "providers/memory/store_rules.h"
#include "tests/providers/contract.h"
#include "tests/providers/temp_dir.h"

namespace faaskeeper {
namespace {

using testing_util::TempDir;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

// Every factory call opens a fresh data directory under one scratch root.
TempDir& scratch() {
  static TempDir* dir = new TempDir();  // removed by the environment below
  return *dir;
}
struct ScratchCleanup : ::testing::Environment {
  void TearDown() override { std::filesystem::remove_all(scratch().path()); }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

std::shared_ptr<LocalDatabase> fresh_db() {
  static std::atomic<int> n{0};
  auto db = LocalDatabase::open(scratch().sub(std::to_string(n++)));
  if (!db.ok()) throw std::runtime_error(db.status().to_string());
  return *db;
}

contract::ProviderFactory local_factory() {
  contract::ProviderFactory f;
  f.name = "local";
  f.system_store = [] { return std::make_unique<LocalSystemStore>(fresh_db()); };
  f.user_store = [] { return std::make_unique<LocalUserStore>(fresh_db()); };
  f.queue = [](Clock& clock) -> std::unique_ptr<Queue> {
    auto q = LocalQueue::open(fresh_db(), "contract", clock);
    if (!q.ok()) throw std::runtime_error(q.status().to_string());
    return std::move(q).value();
  };
  return f;
}

FK_INSTANTIATE_PROVIDER_CONTRACT(Local, local_factory());

std::shared_ptr<LocalDatabase> open_ok(const std::string& dir, LocalOptions o = {}) {
  auto db = LocalDatabase::open(dir, o);
  EXPECT_TRUE(db.ok()) << db.status().to_string();
  return db.ok() ? *db : nullptr;
}

std::string open_error(const std::string& dir) {
  auto db = LocalDatabase::open(dir);
  EXPECT_FALSE(db.ok()) << "opening " << dir << " should fail";
  return db.ok() ? std::string() : db.status().message();
}

std::unique_ptr<LocalQueue> open_queue(std::shared_ptr<LocalDatabase> db, const std::string& name, Clock& clock) {
  auto q = LocalQueue::open(std::move(db), name, clock);
  EXPECT_TRUE(q.ok()) << q.status().to_string();
  return q.ok() ? std::move(q).value() : nullptr;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

TEST(LocalDatabase, EverythingSurvivesReopen) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  ManualClock clock;
  uint64_t seq_before = 0;
  {
    auto db = open_ok(dir);
    LocalSystemStore sys(db);
    LocalUserStore users(db);
    ASSERT_TRUE(sys.update(UpdateOp{"k", {}, {Action::set("v", std::string("x")), Action::add("n", 3)}}).ok());
    ASSERT_TRUE(users.write({{"/a", std::string("object a")}, {"/b", std::string()}}).ok());
    auto q = open_queue(db, "wq", clock);
  ASSERT_NE(q, nullptr);
    ASSERT_TRUE(q->send("g", "d1", "one").ok());
    ASSERT_TRUE(q->send("g", "d2", "two").ok());
    seq_before = *q->send("h", "d3", "three");
    auto got = *q->receive(1, milliseconds(0), milliseconds(60000));
    ASSERT_EQ(got.size(), 1u);
    ASSERT_EQ(got[0].body, "one");
    ASSERT_TRUE(q->ack({got[0].receipt}).ok());
    auto two = *q->receive(1, milliseconds(0), milliseconds(60000));  // in flight at "crash"
    ASSERT_EQ(two.size(), 1u);
  }
  auto db = open_ok(dir);
  LocalSystemStore sys(db);
  LocalUserStore users(db);
  EXPECT_EQ(*sys.get("k"), (Item{{"v", std::string("x")}, {"n", int64_t{3}}}));
  EXPECT_EQ(*users.get("/a"), "object a");
  EXPECT_EQ(*users.get("/b"), std::string());
  auto q = open_queue(db, "wq", clock);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->size(), 2u);
  // The acked message is gone; the in-flight one is visible again, counted as redelivered.
  auto all = *q->receive(10, milliseconds(0), milliseconds(60000));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].body, "two");
  EXPECT_GE(all[0].delivery_count, 2);
  EXPECT_EQ(all[1].body, "three");
  EXPECT_EQ(all[1].sequence, seq_before);
  // Dedup state survived: re-sending d1 (acked) and d3 changes nothing.
  EXPECT_LT(*q->send("g", "d1", "one again"), seq_before);
  EXPECT_EQ(*q->send("h", "d3", "three again"), seq_before);
  EXPECT_EQ(q->size(), 2u);
  // Sequence numbers continue above every earlier one.
  EXPECT_GT(*q->send("g", "d4", "four"), seq_before);
}

TEST(LocalDatabase, SequenceNumbersIncreaseAfterEverythingWasAcked) {
  TempDir tmp;
  ManualClock clock;
  uint64_t last = 0;
  {
    auto db = open_ok(tmp.sub("d"));
    auto q = open_queue(db, "q", clock);
  ASSERT_NE(q, nullptr);
    last = *q->send("g", "", "m");
    auto m = *q->receive(1, milliseconds(0), milliseconds(1000));
    ASSERT_TRUE(q->ack({m[0].receipt}).ok());
  }
  auto db = open_ok(tmp.sub("d"));
  auto q = open_queue(db, "q", clock);
  ASSERT_NE(q, nullptr);
  EXPECT_GT(*q->send("g", "", "m"), last);
}

TEST(LocalDatabase, DedupWindowSpansRestartsAndExpires) {
  TempDir tmp;
  ManualClock clock;
  uint64_t first = 0;
  {
    auto db = open_ok(tmp.sub("d"));
    first = *(*LocalQueue::open(db, "q", clock))->send("g", "id", "m");
  }
  clock.advance(5 * 60 * 1000 - 1);
  {
    auto db = open_ok(tmp.sub("d"));
    auto q = open_queue(db, "q", clock);
  ASSERT_NE(q, nullptr);
    EXPECT_EQ(*q->send("g", "id", "dup"), first);
    clock.advance(1);
    EXPECT_GT(*q->send("g", "id", "new"), first);
    EXPECT_EQ(q->size(), 2u);
  }
}

TEST(LocalDatabase, QueuesAreIndependentAndOpenOnce) {
  TempDir tmp;
  ManualClock clock;
  auto db = open_ok(tmp.sub("d"));
  auto a = open_queue(db, "a", clock);
  ASSERT_NE(a, nullptr);
  auto b = open_queue(db, "b", clock);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(a->send("g", "x", "for a").ok());
  EXPECT_TRUE(b->receive(1, milliseconds(0), milliseconds(1000))->empty());
  auto again = LocalQueue::open(db, "a", clock);
  EXPECT_EQ(again.code(), Error::BadArguments);
  EXPECT_EQ(LocalQueue::open(db, "", clock).code(), Error::BadArguments);
}

TEST(LocalDatabase, SecondDeploymentOnSameDirIsRefused) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  auto db = open_ok(dir);
  std::string msg = open_error(dir);
  EXPECT_EQ(msg, dir + " is in use by process " + std::to_string(getpid()) +
                     " (another faaskeeper deployment serves it)");
  // Another process is refused too, and names us.
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    auto other = LocalDatabase::open(dir);
    std::string m = other.ok() ? "OPENED" : other.status().message();
    (void)!write(fds[1], m.data(), m.size());
    _exit(0);
  }
  close(fds[1]);
  char buf[512];
  ssize_t n = read(fds[0], buf, sizeof buf);
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  EXPECT_EQ(std::string(buf, n > 0 ? size_t(n) : 0), msg);
  db.reset();
  EXPECT_NE(open_ok(dir), nullptr);  // released on close
}

TEST(LocalDatabase, ForeignCorruptedAndFutureDirectoriesAreRefused) {
  TempDir tmp;
  std::string foreign = tmp.sub("foreign");
  std::filesystem::create_directories(foreign);
  write_file(foreign + "/notes.txt", "my files");
  EXPECT_EQ(open_error(foreign), foreign + " is not a faaskeeper data directory (it has other files and no FORMAT marker)");
  EXPECT_FALSE(std::filesystem::exists(foreign + "/LOCK"));  // we touched nothing

  std::string dir = tmp.sub("data");
  open_ok(dir).reset();
  write_file(dir + "/FORMAT", "garbage\n");
  EXPECT_THAT(open_error(dir), HasSubstr(dir + "/FORMAT is corrupted or foreign"));
  write_file(dir + "/FORMAT", "faaskeeper-local-data\nversion x\n");
  EXPECT_THAT(open_error(dir), HasSubstr(dir + "/FORMAT is corrupted: no valid \"version N\" line"));
  write_file(dir + "/FORMAT", "faaskeeper-local-data\nversion 7\n");
  EXPECT_EQ(open_error(dir), dir + " has data format version 7; this build reads version 1");

  std::string file = tmp.sub("file");
  write_file(file, "x");
  EXPECT_EQ(open_error(file), file + " is not a directory");
}

TEST(LocalDatabase, CorruptedStoreFilesGiveClearErrors) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  {
    auto db = open_ok(dir);
    LocalSystemStore sys(db);
    for (int i = 0; i < 200; ++i)
      ASSERT_TRUE(sys.update(UpdateOp{"k" + std::to_string(i), {}, {Action::set("v", std::string(2000, 'x'))}}).ok());
  }
  // Overwrite both meta pages' headers: not an LMDB file any more.
  std::string data = dir + "/system/data.mdb";
  std::string copy = tmp.sub("data.mdb.orig");
  std::filesystem::copy_file(data, copy);
  {
    int fd = ::open(data.c_str(), O_WRONLY);
    std::string junk(8192, '\x5a');
    ASSERT_EQ(pwrite(fd, junk.data(), junk.size(), 0), 8192);
    ::close(fd);
  }
  auto r = LocalDatabase::open(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Error::DataInconsistency);
  EXPECT_THAT(r.status().message(), HasSubstr(dir + "/system/data.mdb is corrupted or not a faaskeeper store"));

  // Truncated: the meta pages are fine but the data they point to is gone.
  std::filesystem::copy_file(copy, data, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(data, 3 * 4096);
  r = LocalDatabase::open(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Error::DataInconsistency);
  EXPECT_THAT(r.status().message(), HasSubstr(dir + "/system/data.mdb is truncated"));
}

TEST(LocalDatabase, MissingStoreFileIsReportedNotRecreated) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  open_ok(dir).reset();
  std::filesystem::remove(dir + "/user/data.mdb");
  auto r = LocalDatabase::open(dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), dir + "/user/data.mdb is missing (the data directory is damaged)");
  EXPECT_FALSE(std::filesystem::exists(dir + "/user/data.mdb"));
}

TEST(LocalDatabase, InterruptedFirstStartIsCompleted) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  std::filesystem::create_directories(dir + "/system");
  write_file(dir + "/LOCK", "12345\n");
  auto db = open_ok(dir);
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(std::filesystem::exists(dir + "/FORMAT"));
  EXPECT_TRUE(LocalSystemStore(db).update(UpdateOp{"k", {}, {}}).ok());
}

// Runs `fn` in a child process as an unprivileged user (when we are root, since root ignores
// permissions) and returns what it printed.
std::string in_child_unprivileged(const std::function<std::string()>& fn) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
    std::string m = fn();
    (void)!write(fds[1], m.data(), m.size());
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
  close(fds[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return "child failed";
  return out;
}

TEST(LocalDatabase, UnwritableDirectoryGivesClearError) {
  TempDir tmp;
  std::string parent = tmp.sub("ro");
  std::filesystem::create_directories(parent);
  std::filesystem::permissions(parent, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                           std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                           std::filesystem::perms::others_exec);
  std::filesystem::permissions(tmp.path(), std::filesystem::perms::others_exec, std::filesystem::perm_options::add);
  if (geteuid() != 0) std::filesystem::permissions(parent, std::filesystem::perms::owner_write, std::filesystem::perm_options::remove);
  std::string inside = parent + "/data";
  std::string msg = in_child_unprivileged([&] {
    auto db = LocalDatabase::open(inside);
    return db.ok() ? std::string("OPENED") : db.status().message();
  });
  EXPECT_EQ(msg, "cannot create " + inside + ": Permission denied (the data directory must be writable)");
  // An existing, empty but unwritable directory.
  msg = in_child_unprivileged([&] {
    auto db = LocalDatabase::open(parent);
    return db.ok() ? std::string("OPENED") : db.status().message();
  });
  EXPECT_EQ(msg, "cannot lock " + parent + ": Permission denied (the data directory must be writable)");
  std::filesystem::permissions(parent, std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
}

TEST(LocalDatabase, MapFullIsAClearErrorAndLosesNothingAcknowledged) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  LocalOptions small;
  small.system_max_bytes = 1 << 20;
  std::string big(64 * 1024, 'b');
  int acked = 0;
  {
    auto db = open_ok(dir, small);
    LocalSystemStore sys(db);
    Status last;
    for (int i = 0; i < 64; ++i) {
      auto r = sys.update(UpdateOp{"k" + std::to_string(i), {}, {Action::set("v", big)}});
      if (!r.ok()) {
        last = r.status();
        break;
      }
      ++acked;
    }
    ASSERT_FALSE(last.ok()) << "1 MiB should not hold 64 x 64 KiB";
    EXPECT_GT(acked, 3);
    EXPECT_EQ(last.code(), Error::SystemError);
    EXPECT_THAT(last.message(), HasSubstr("storage full: " + dir + "/system reached its size limit of 1 MiB (MDB_MAP_FULL)"));
    EXPECT_THAT(last.message(), HasSubstr("nothing of this write was committed"));
    // The store still answers, and small writes that fit still work after deleting.
    EXPECT_TRUE(sys.get("k0")->has_value());
    ASSERT_TRUE(sys.remove(DeleteOp{"k0", {}}).ok());
    EXPECT_TRUE(sys.update(UpdateOp{"small", {}, {Action::set("v", int64_t{1})}}).ok());
  }
  auto db = open_ok(dir, small);
  LocalSystemStore sys(db);
  for (int i = 1; i < acked; ++i) EXPECT_EQ(get_bytes(**sys.get("k" + std::to_string(i)), "v"), big) << i;
  EXPECT_FALSE(sys.get("k" + std::to_string(acked))->has_value());
}

// A write that hits the file-size limit of the process fails like ENOSPC would: a clear
// error, nothing of it committed, everything acknowledged earlier intact.
TEST(LocalDatabase, DiskFullIsAClearErrorAndLosesNothingAcknowledged) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  open_ok(dir).reset();  // initialise outside the limit
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{2 << 20, 2 << 20};
    setrlimit(RLIMIT_FSIZE, &lim);
    auto db = LocalDatabase::open(dir);
    if (!db.ok()) _exit(4);
    LocalUserStore users(*db);
    std::string obj(100 * 1024, 'o');
    for (int i = 0; i < 100; ++i) {
      Status s = users.write({{"/n" + std::to_string(i), obj}});
      std::string line = s.ok() ? "ok " + std::to_string(i) + "\n" : "err " + s.message() + "\n";
      (void)!write(fds[1], line.data(), line.size());
      if (!s.ok()) break;
    }
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[1024];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
  close(fds[0]);
  int st;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
  auto err = out.find("err ");
  ASSERT_NE(err, std::string::npos) << out;
  EXPECT_THAT(out.substr(err), HasSubstr("disk full: committing in " + dir + "/user failed (the process's file size limit of 2097152 bytes is reached); nothing of this write was committed"));
  int acked = 0;
  for (size_t p = 0; (p = out.find("ok ", p)) != std::string::npos; p += 3) ++acked;
  EXPECT_GT(acked, 5);
  auto db = open_ok(dir);
  LocalUserStore users(db);
  for (int i = 0; i < acked; ++i) EXPECT_EQ(users.get("/n" + std::to_string(i))->value_or("").size(), 100u * 1024) << i;
  EXPECT_EQ(*users.get("/n" + std::to_string(acked)), std::nullopt);
}

// The real thing: a small file system that fills up (a private tmpfs mount, when this process
// may create one; skipped otherwise). Everything runs in a child whose mount namespace holds it.
TEST(LocalDatabase, FullFileSystemIsAClearErrorAndLosesNothingAcknowledged) {
  TempDir tmp;
  std::string mnt = tmp.sub("mnt");
  std::filesystem::create_directories(mnt);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    auto say = [&](const std::string& m) { (void)!write(fds[1], m.data(), m.size()); };
    if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=3m") != 0) {
      say("SKIP cannot mount a tmpfs here");
      _exit(0);
    }
    std::string dir = mnt + "/data";
    int acked = 0;
    {
      auto db = LocalDatabase::open(dir);
      if (!db.ok()) {
        say("OPEN " + db.status().message());
        _exit(0);
      }
      LocalUserStore users(*db);
      std::string obj(100 * 1024, 'o');
      for (; acked < 100; ++acked) {
        Status st = users.write({{"/n" + std::to_string(acked), obj}});
        if (!st.ok()) {
          say("ERR " + st.message() + "\n");
          break;
        }
      }
    }
    auto db = LocalDatabase::open(dir);
    if (!db.ok()) {
      say("REOPEN " + db.status().message());
      _exit(0);
    }
    LocalUserStore users(*db);
    int intact = 0;
    for (int i = 0; i < acked; ++i) intact += users.get("/n" + std::to_string(i))->value_or("").size() == 100 * 1024;
    bool next_absent = !users.get("/n" + std::to_string(acked))->has_value();
    say("ACKED " + std::to_string(acked) + " INTACT " + std::to_string(intact) + " NEXT_ABSENT " +
        std::to_string(next_absent) + "\n");
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[1024];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  if (out.rfind("SKIP", 0) == 0) GTEST_SKIP() << out;
  EXPECT_THAT(out, HasSubstr("ERR disk full: "));
  EXPECT_THAT(out, HasSubstr("nothing of this write was committed"));
  int acked = -1, intact = -2, next_absent = 0;
  auto pos = out.find("ACKED ");
  ASSERT_NE(pos, std::string::npos) << out;
  std::istringstream(out.substr(pos)) >> std::ws;
  ASSERT_EQ(std::sscanf(out.c_str() + pos, "ACKED %d INTACT %d NEXT_ABSENT %d", &acked, &intact, &next_absent), 3);
  EXPECT_GT(acked, 3);
  EXPECT_LT(acked, 100);
  EXPECT_EQ(intact, acked);
  EXPECT_EQ(next_absent, 1);
}

TEST(LocalDatabase, TransactionLimitIsLargeAndConfigurable) {
  TempDir tmp;
  auto db = open_ok(tmp.sub("d"));
  LocalSystemStore sys(db);
  EXPECT_EQ(sys.max_transaction_items(), kEmbeddedMaxTxnItems);
  std::vector<TxnOp> ops;
  for (int i = 0; i < 5000; ++i) ops.push_back(UpdateOp{"e/" + std::to_string(i), {}, {Action::set("v", int64_t(i))}});
  auto r = sys.transact(ops);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->committed);
  EXPECT_EQ(sys.scan("e/")->size(), 5000u);
  sys.set_max_transaction_items(SystemStore::kMaxTxnOps);
  ops.resize(SystemStore::kMaxTxnOps + 1);
  EXPECT_EQ(sys.transact(ops).code(), Error::BadArguments);
}

TEST(LocalDatabase, ConcurrentWritesShareCommits) {
  TempDir tmp;
  auto db = open_ok(tmp.sub("d"));
  LocalSystemStore sys(db);
  uint64_t commits0 = db->system().commits(), writes0 = db->system().writes();
  constexpr int kThreads = 8, kEach = 15;
  std::vector<std::thread> ts;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        if (!sys.update(UpdateOp{"t" + std::to_string(t), {}, {Action::add("n", 1)}}).ok()) ++errors;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(errors.load(), 0);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(get_int(**sys.get("t" + std::to_string(t)), "n"), kEach);
  uint64_t writes = db->system().writes() - writes0, commits = db->system().commits() - commits0;
  EXPECT_EQ(writes, uint64_t(kThreads * kEach));
  EXPECT_LT(commits, writes);  // group commit: several callers per fdatasync
}

// A failing write in a group-committed batch leaves no trace; the others commit.
TEST(LocalDatabase, FailingWriteInABatchDoesNotAffectOthers) {
  TempDir tmp;
  auto db = open_ok(tmp.sub("d"));
  LocalSystemStore sys(db);
  ASSERT_TRUE(sys.update(UpdateOp{"bytes", {}, {Action::set("v", std::string("x"))}}).ok());
  std::vector<std::thread> ts;
  std::atomic<int> bad{0}, good{0};
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        if (t % 2) {
          auto r = sys.update(UpdateOp{"bytes", {}, {Action::set("w", int64_t{1}), Action::add("v", 1)}});
          if (r.code() == Error::BadArguments) ++bad;
        } else if (sys.update(UpdateOp{"n", {}, {Action::add("v", 1)}}).ok()) {
          ++good;
        }
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(bad.load(), 40);
  EXPECT_EQ(good.load(), 40);
  EXPECT_EQ(*sys.get("bytes"), (Item{{"v", std::string("x")}}));
  EXPECT_EQ(get_int(**sys.get("n"), "v"), 40);
}

TEST(LocalUserReader, ReadsInTheWritersProcess) {
  TempDir tmp;
  std::string dir = tmp.sub("d");
  auto db = open_ok(dir);
  LocalUserStore users(db);
  ASSERT_TRUE(users.write({{"/x", std::string("1")}}).ok());
  auto reader = LocalUserReader::open(dir);
  ASSERT_TRUE(reader.ok()) << reader.status().to_string();
  EXPECT_EQ(*(*reader)->get("/x"), "1");
  ASSERT_TRUE(users.write({{"/x", std::string("2")}}).ok());
  EXPECT_EQ(*(*reader)->get("/x"), "2");
  EXPECT_EQ((*reader)->write({{"/x", std::string("3")}}).code(), Error::NotReadOnly);
}

TEST(LocalUserReader, RefusesWhatIsNotADeployment) {
  TempDir tmp;
  auto r = LocalUserReader::open(tmp.sub("absent"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), tmp.sub("absent") + " does not exist (no faaskeeper deployment has used it)");
  std::filesystem::create_directories(tmp.sub("foreign"));
  write_file(tmp.sub("foreign") + "/x", "y");
  r = LocalUserReader::open(tmp.sub("foreign"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("is not a faaskeeper data directory"));
  std::filesystem::create_directories(tmp.sub("empty"));
  r = LocalUserReader::open(tmp.sub("empty"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("is not initialised"));
}

// Reader processes run alongside the writer: every read returns a committed value, values of
// one path never go backwards, and after the writer finished each reader sees the last one.
TEST(LocalUserReader, ManyReaderProcessesReadConsistentlyWhileTheWriterWrites) {
  TempDir tmp;
  std::string dir = tmp.sub("d");
  auto db = open_ok(dir);
  LocalUserStore users(db);
  constexpr int kVersions = 60, kReaders = 4;
  // Object i: "<v>:" followed by v repeated to a size that depends on v (torn reads show).
  auto object = [](int v) { return std::to_string(v) + ":" + std::string(1000 + v * 37, char('a' + v % 26)); };
  ASSERT_TRUE(users.write({{"/cfg", object(0)}, {"/other", object(0)}}).ok());
  int go[2], result[2];
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(result), 0);
  std::vector<pid_t> kids;
  for (int r = 0; r < kReaders; ++r) {
    pid_t pid = fork();
    if (pid == 0) {
      close(go[1]);
      close(result[0]);
      auto reader = LocalUserReader::open(dir);
      if (!reader.ok()) _exit(10);
      int last = 0, reads = 0, bad = 0;
      char c;
      int flags = fcntl(go[0], F_GETFL);
      fcntl(go[0], F_SETFL, flags | O_NONBLOCK);
      for (;;) {
        bool finished = read(go[0], &c, 1) == 0;  // EOF: the writer is done
        for (const char* path : {"/cfg", "/other"}) {
          auto got = (*reader)->get(path);
          if (!got.ok() || !got->has_value()) _exit(11);
          int v = std::stoi(**got);
          if (**got != object(v)) ++bad;
          if (std::string(path) == "/cfg") {
            if (v < last) ++bad;
            last = v;
          }
          ++reads;
        }
        if (finished) break;
      }
      std::string line = std::to_string(last) + " " + std::to_string(bad) + " " + std::to_string(reads) + "\n";
      (void)!write(result[1], line.data(), line.size());
      _exit(0);
    }
    kids.push_back(pid);
  }
  close(go[0]);
  close(result[1]);
  for (int v = 1; v <= kVersions; ++v) ASSERT_TRUE(users.write({{"/cfg", object(v)}, {"/other", object(v)}}).ok());
  close(go[1]);
  std::string out;
  char buf[256];
  for (ssize_t n; (n = read(result[0], buf, sizeof buf)) > 0;) out.append(buf, size_t(n));
  close(result[0]);
  for (pid_t k : kids) {
    int st;
    waitpid(k, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "reader exit " << st;
  }
  std::istringstream in(out);
  int lines = 0, last, bad, reads;
  while (in >> last >> bad >> reads) {
    ++lines;
    EXPECT_EQ(last, kVersions);
    EXPECT_EQ(bad, 0);
    EXPECT_GT(reads, 0);
  }
  EXPECT_EQ(lines, kReaders);
}

}  // namespace
}  // namespace faaskeeper
