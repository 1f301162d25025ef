// The `faaskeeper` command as users run it: `faaskeeper local` as a real process, the CLI verbs
// as real processes against it, and its refusals (a second deployment on the same DIR, a
// corrupted, foreign or unwritable DIR, a busy port).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "tests/local/support.h"

namespace faaskeeper {
namespace {

using namespace test;

const std::string kFk = FK_FAASKEEPER_BIN;

RunResult fk(std::vector<std::string> args, const std::string& dir) {
  std::vector<std::string> argv = {kFk};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!dir.empty()) argv.insert(argv.end(), {"--data", dir});
  return run(argv, 30s);
}

// The deployment's own refusal: exits by itself with code 1 and says why.
void expect_refusal(const std::string& dir, const std::string& why, std::vector<std::string> extra = {}) {
  SCOPED_TRACE(dir);
  std::vector<std::string> argv = {kFk, "local", "--data", dir};
  argv.insert(argv.end(), extra.begin(), extra.end());
  RunResult r = run(argv, 20s);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
  EXPECT_LT(r.seconds, 10.0);
}

TEST(ProcessTest, ServesTheCliVerbsAndStopsCleanlyOnSigterm) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  LocalProcess d(kFk, dir, tmp.sub("deployment"));
  ASSERT_TRUE(d.ready()) << d.log();
  EXPECT_NE(d.log().find("serving data directory " + dir), std::string::npos) << d.log();
  EXPECT_NE(d.log().find("client endpoint: 127.0.0.1:"), std::string::npos);
  EXPECT_EQ(read_file(dir + "/endpoint"), d.address() + "\n");

  auto r = fk({"create", "/a", "hello"}, dir);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Created /a\n");
  r = fk({"create", "/a", "again"}, dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("NODEEXISTS", 0), 0u) << r.err;
  r = fk({"get", "/a"}, dir);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "hello\n");
  r = fk({"get", "-s", "/a"}, dir);
  EXPECT_NE(r.out.find("dataVersion = 0\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dataLength = 5\n"), std::string::npos) << r.out;
  r = fk({"set", "-v", "5", "/a", "v2"}, dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("BADVERSION", 0), 0u) << r.err;
  r = fk({"set", "-s", "-v", "0", "/a", "v2"}, dir);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("dataVersion = 1\n"), std::string::npos) << r.out;
  r = fk({"create", "-s", "/a/x-"}, dir);
  EXPECT_EQ(r.out, "Created /a/x-0000000000\n");
  r = fk({"create", "-e", "/eph"}, dir);
  EXPECT_EQ(r.out, "Created /eph\n");
  r = fk({"ls", "/"}, dir);  // the ephemeral node went with its command's session
  EXPECT_EQ(r.out, "[a, zookeeper]\n");
  r = fk({"ls", "/a"}, dir);
  EXPECT_EQ(r.out, "[x-0000000000]\n");
  r = fk({"stat", "/a"}, dir);
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("numChildren = 1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cZxid = 0x"), std::string::npos) << r.out;
  r = fk({"delete", "/a"}, dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("NOTEMPTY", 0), 0u) << r.err;
  EXPECT_EQ(fk({"delete", "/a/x-0000000000"}, dir).code, 0);
  r = fk({"delete", "-v", "9", "/a"}, dir);
  EXPECT_EQ(r.err.rfind("BADVERSION", 0), 0u) << r.err;
  EXPECT_EQ(fk({"delete", "-v", "1", "/a"}, dir).code, 0);
  r = fk({"get", "/a"}, dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("NONODE", 0), 0u) << r.err;
  r = fk({"stat", "/a"}, dir);
  EXPECT_EQ(r.err.rfind("NONODE", 0), 0u) << r.err;

  // Through the endpoint only (a client that cannot read DIR).
  fk({"create", "/remote", "r"}, dir);
  r = fk({"get", "/remote", "--server", d.address()}, "");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "r\n");

  for (const char* verb : {"create", "get", "set", "delete", "stat", "ls", "watch", "local", "stop", "demo"}) {
    r = fk({verb, "--help"}, "");
    EXPECT_EQ(r.code, 0) << verb;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << verb << ": " << r.out;
  }

  d.process().signal(SIGTERM);
  auto st = d.process().wait(20s);
  ASSERT_TRUE(st) << "did not stop on SIGTERM";
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << d.log();
  EXPECT_NE(d.log().find("received SIGTERM, shutting down"), std::string::npos) << d.log();
  EXPECT_FALSE(std::filesystem::exists(dir + "/endpoint"));

  // A stopped deployment: clients fail promptly with a clear connection-loss error.
  r = fk({"get", "/remote"}, dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("CONNECTIONLOSS", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("faaskeeper local --data"), std::string::npos) << r.err;
  EXPECT_LT(r.seconds, 5.0);
  r = fk({"stop"}, dir);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no deployment is running"), std::string::npos) << r.err;

  // The data survives the restart.
  LocalProcess again(kFk, dir, tmp.sub("deployment-2"));
  ASSERT_TRUE(again.ready()) << again.log();
  r = fk({"get", "/remote"}, dir);
  EXPECT_EQ(r.out, "r\n") << r.err;
  r = fk({"stop"}, dir);
  EXPECT_EQ(r.code, 0) << r.err;
  auto st2 = again.process().wait(5s);
  ASSERT_TRUE(st2);
  EXPECT_TRUE(WIFEXITED(*st2) && WEXITSTATUS(*st2) == 0);
}

TEST(ProcessTest, AfterKillNineClientsFailPromptlyAndARestartServesTheData) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  LocalProcess d(kFk, dir, tmp.sub("deployment"));
  ASSERT_TRUE(d.ready()) << d.log();
  ASSERT_EQ(fk({"create", "/kept", "yes"}, dir).code, 0);
  d.process().signal(SIGKILL);
  ASSERT_TRUE(d.process().wait(10s));
  auto r = fk({"get", "/kept"}, dir);  // DIR/endpoint is stale: the connection is refused
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("CONNECTIONLOSS", 0), 0u) << r.err;
  EXPECT_LT(r.seconds, 5.0);
  LocalProcess again(kFk, dir, tmp.sub("deployment-2"));
  ASSERT_TRUE(again.ready()) << again.log();
  r = fk({"get", "/kept"}, dir);
  EXPECT_EQ(r.out, "yes\n") << r.err;
}

// A client process that is alive but frozen (SIGSTOP: a long GC pause, a stopped debugger)
// keeps its TCP connection, but stops answering the heartbeat's pings: its session expires after
// its timeout and its ephemeral node goes, as in ZooKeeper. Regression: liveness used to be
// "the connection is open", so a frozen client held its session and ephemerals forever.
TEST(ProcessTest, FrozenClientsSessionExpires) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  LocalProcess d(kFk, dir, tmp.sub("deployment"), {"--heartbeat-ms", "100"});
  ASSERT_TRUE(d.ready()) << d.log();
  ASSERT_EQ(fk({"create", "/election", ""}, dir).code, 0);
  ASSERT_EQ(fk({"create", "/config", "c"}, dir).code, 0);
  Process member({kFk, "demo-member", "--name", "m", "--session-timeout", "2000", "--data", dir},
                 tmp.sub("member.out"), tmp.sub("member.err"));
  auto members = [&] { return fk({"ls", "/election"}, dir).out; };
  ASSERT_TRUE(wait_for([&] { return members().find("member-") != std::string::npos; }, 20s)) << member.out();

  member.signal(SIGSTOP);
  auto frozen = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_for([&] { return members() == "[]\n"; }, 20s))
      << "the frozen client's ephemeral node is still there: " << members();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - frozen).count();
  // Not before the session timeout (2 s), and within it plus the liveness grace and a heartbeat.
  EXPECT_GE(seconds, 2.0);
  EXPECT_LT(seconds, 6.0);
  member.signal(SIGKILL);
  member.wait(10s);
}

TEST(ProcessTest, WatchPrintsEventsUntilInterrupted) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  LocalProcess d(kFk, dir, tmp.sub("deployment"));
  ASSERT_TRUE(d.ready()) << d.log();
  ASSERT_EQ(fk({"create", "/w", "0"}, dir).code, 0);
  Process watch({kFk, "watch", "-r", "/w", "--data", dir}, tmp.sub("watch.out"), tmp.sub("watch.err"));
  ASSERT_TRUE(wait_for([&] { return watch.err().find("watching /w") != std::string::npos; }, 20s)) << watch.err();
  ASSERT_EQ(fk({"set", "/w", "1"}, dir).code, 0);
  ASSERT_EQ(fk({"create", "/w/c", "x"}, dir).code, 0);
  ASSERT_EQ(fk({"delete", "/w/c"}, dir).code, 0);
  const std::vector<std::string> expected = {
      "type:NodeDataChanged path:/w zxid:0x", "type:NodeCreated path:/w/c zxid:0x", "type:NodeDeleted path:/w/c zxid:0x"};
  EXPECT_TRUE(wait_for([&] { return watch.out().find(expected.back()) != std::string::npos; }, 20s)) << watch.out();
  std::string out = watch.out();
  size_t at = 0;
  for (const auto& e : expected) {  // in the order the changes happened
    size_t found = out.find(e, at);
    EXPECT_NE(found, std::string::npos) << e << " in\n" << out;
    at = found == std::string::npos ? at : found;
  }
  EXPECT_TRUE(watch.running());
  watch.signal(SIGINT);
  auto st = watch.wait(10s);
  ASSERT_TRUE(st);
  EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0);
}

TEST(ProcessTest, SecondDeploymentOnTheSameDirIsRefused) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  LocalProcess first(kFk, dir, tmp.sub("first"));
  ASSERT_TRUE(first.ready()) << first.log();
  expect_refusal(dir, "is in use by process " + std::to_string(first.process().pid()));
  // The first one is unaffected.
  EXPECT_TRUE(first.process().running());
  EXPECT_EQ(read_file(dir + "/endpoint"), first.address() + "\n");
  auto r = fk({"ls", "/"}, dir);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "[zookeeper]\n");
}

TEST(ProcessTest, CorruptedForeignOrUnwritableDirIsAClearError) {
  TempDir tmp;
  std::string corrupted = tmp.sub("corrupted");
  std::filesystem::create_directories(corrupted);
  write_file(corrupted + "/FORMAT", "\x01\x02garbage");
  expect_refusal(corrupted, "FORMAT is corrupted");

  std::string future = tmp.sub("future");
  std::filesystem::create_directories(future);
  write_file(future + "/FORMAT", "faaskeeper-local-data\nversion 99\n");
  expect_refusal(future, "has data format version 99");

  std::string foreign = tmp.sub("foreign");
  std::filesystem::create_directories(foreign);
  write_file(foreign + "/notes.txt", "my files");
  expect_refusal(foreign, "is not a faaskeeper data directory");
  EXPECT_EQ(read_file(foreign + "/notes.txt"), "my files");  // left alone

  std::string file = tmp.sub("file");
  write_file(file, "x");
  expect_refusal(file, "is not a directory");
  expect_refusal(file + "/sub", file + "/sub: Not a directory");

  // A data directory whose store was overwritten with garbage.
  std::string broken = tmp.sub("broken");
  {
    LocalProcess d(kFk, broken, tmp.sub("broken-first"));
    ASSERT_TRUE(d.ready()) << d.log();
    d.process().signal(SIGTERM);
    ASSERT_TRUE(d.process().wait(20s));
  }
  write_file(broken + "/system/data.mdb", std::string(8192, 'Z'));
  expect_refusal(broken, broken + "/system");

  if (::geteuid() != 0) {  // root may write anywhere: only meaningful for other users
    std::string readonly = tmp.sub("readonly");
    std::filesystem::create_directories(readonly);
    std::filesystem::permissions(readonly, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    expect_refusal(readonly, "must be writable");
  }
}

TEST(ProcessTest, BusyPortIsAClearError) {
  TempDir tmp;
  LocalProcess first(kFk, tmp.sub("one"), tmp.sub("one"));
  ASSERT_TRUE(first.ready()) << first.log();
  std::string port = first.address().substr(first.address().rfind(':') + 1);
  expect_refusal(tmp.sub("two"), "cannot listen on 127.0.0.1:" + port, {"--port", port});
}

TEST(ProcessTest, MultiProcessDemoRunsToCompletion) {
  TempDir tmp;
  std::string dir = tmp.sub("data");
  LocalProcess d(kFk, dir, tmp.sub("deployment"));
  ASSERT_TRUE(d.ready()) << d.log();
  auto r = run({kFk, "demo", "--data", dir, "--members", "3", "--session-timeout", "1500"}, 120s);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("-> leader: member-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-> new leader: member-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/election now: []"), std::string::npos) << r.out;
  auto ls = fk({"ls", "/election"}, dir);
  EXPECT_EQ(ls.out, "[]\n");
  auto cfg = fk({"get", "/config"}, dir);
  EXPECT_EQ(cfg.out, "replicas=5\n");
}

}  // namespace
}  // namespace faaskeeper
