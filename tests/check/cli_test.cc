// The fk_check_history command: exit status and report for passing, failing, undecided and
// unreadable histories.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "builder.h"
#include "check/history_io.h"

namespace faaskeeper::check::testing {
namespace {

struct CliRun {
  int status;
  std::string out;
};

CliRun run_cli(const std::string& args) {
  std::string cmd = std::string(FK_CHECK_HISTORY_BIN) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  CliRun r{-1, ""};
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string save(const History& h, const std::string& name) {
  std::string path = ::testing::TempDir() + "/fk_cli_" + name + "_" + std::to_string(::getpid());
  EXPECT_TRUE(save_history(h, path).ok());
  return path;
}

History stale_read_history() {
  HistoryBuilder b;
  b.node("/a", "0");
  b.op(1, 10, 20, set("/a", "x"), ok_stat(vm(1, 5)));
  b.op(2, 30, 40, get("/a"), ok_data("0", vm(0, 1)));
  return b.h;
}

TEST(Cli, ExitStatusFollowsTheVerdict) {
  std::string bad = save(stale_read_history(), "bad");
  CliRun r = run_cli(bad);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("[NotLinearizable] /a"), std::string::npos) << r.out;

  CliRun zk = run_cli("--zk-reads " + bad);  // stale reads are allowed by ZooKeeper's guarantee
  EXPECT_EQ(zk.status, 0) << zk.out;
  EXPECT_NE(zk.out.find("verdict: OK"), std::string::npos) << zk.out;

  HistoryBuilder b;
  b.node("/a", "0");
  for (int i = 0; i < 20; ++i) b.op(i, 10 + i, 0, set("/a", "x"), unknown());
  b.op(100, 100, 110, get("/a"), ok_data("x", vm(7, 50)));
  std::string hard = save(b.h, "hard");
  CliRun u = run_cli("--max-steps 3 " + hard);
  EXPECT_EQ(u.status, 2) << u.out;
  EXPECT_NE(u.out.find("UNKNOWN"), std::string::npos) << u.out;

  CliRun missing = run_cli(bad + ".does-not-exist");
  EXPECT_EQ(missing.status, 3) << missing.out;
  EXPECT_EQ(run_cli("--frobnicate " + bad).status, 3);
  std::remove(bad.c_str());
  std::remove(hard.c_str());
}

TEST(Cli, MergesSeveralFiles) {
  History h = stale_read_history();
  History first, second;
  first.initial = h.initial;
  first.ops = {h.ops[0]};
  second.ops = {h.ops[1]};
  std::string a = save(first, "a"), b = save(second, "b");
  CliRun r = run_cli(a + " " + b);
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("checked 2 operations"), std::string::npos) << r.out;
  std::remove(a.c_str());
  std::remove(b.c_str());
}

}  // namespace
}  // namespace faaskeeper::check::testing
