// The ZooKeeper C client (libzookeeper_mt 3.8) through the FaaSKeeper gateway.
//
// Usage: fk_gateway_c_client_test SERVER_BINARY
// Starts SERVER_BINARY (fk_gateway_server: local deployment + gateway on free 127.0.0.1 ports)
// in a fresh directory and checks, with the real C client:
//   CRUD with exact values and error codes (ZNONODE, ZNODEEXISTS, ZBADVERSION, ZNOTEMPTY),
//   getACL/setACL, data/exists/child watches (one-shot), zoo_amulti committed and refused with
//   per-op results, reconnect after a dropped connection (same session id, ephemeral node kept,
//   watches re-armed by setWatches: events for changes made while disconnected arrive exactly
//   once, unchanged watches stay armed), and expiry of a session whose client stays away longer
//   than its timeout (ephemeral deleted, reconnect answered "expired").
// The connection drop and the unreachable period use fk_gateway_server's stdin commands
// (drop / hold / release). Every wait is on an event with a deadline; exit 0 only if all pass.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
constexpr auto kWait = 20s;

int failures = 0;
void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  std::fflush(stdout);
  if (!ok) failures++;
}

// ---------------------------------------------------------------- the gateway process

struct Server {
  pid_t pid = -1;
  int to_child = -1;
  FILE* from_child = nullptr;
  int port = 0;
  std::string dir;

  bool start(const char* binary) {
    char tmpl[] = "/tmp/fk-gateway-c-XXXXXX";
    if (!mkdtemp(tmpl)) return false;
    dir = tmpl;
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) return false;
    pid = fork();
    if (pid == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      close(in[1]);
      close(out[0]);
      std::string data = dir + "/data";
      execl(binary, binary, data.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_child = in[1];
    from_child = fdopen(out[0], "r");
    std::string line = read_line();
    if (line.rfind("ZK_PORT=", 0) != 0) return false;
    port = std::atoi(line.c_str() + 8);
    return port > 0;
  }

  std::string read_line() {
    char buf[256];
    if (!fgets(buf, sizeof buf, from_child)) return "";
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }

  // Sends one stdin command and returns its acknowledgement line.
  std::string command(const std::string& cmd) {
    std::string line = cmd + "\n";
    if (write(to_child, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return "";
    return read_line();
  }

  void stop() {
    if (to_child >= 0) close(to_child);
    if (pid > 0) {
      int st = 0;
      for (int i = 0; i < 200 && waitpid(pid, &st, WNOHANG) == 0; ++i) usleep(100 * 1000);
      if (waitpid(pid, &st, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
      }
    }
    if (from_child) fclose(from_child);
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

// ---------------------------------------------------------------- events

struct Event {
  int type;
  int state;
  std::string path;
};

// Everything one handle's watchers saw (session events included), in arrival order.
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Event> events;

  void add(int type, int state, const char* path) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(Event{type, state, path ? path : ""});
    cv.notify_all();
  }
  // Waits until pred(events) holds; false at the deadline.
  bool wait(const std::function<bool(const std::vector<Event>&)>& pred) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, kWait, [&] { return pred(events); });
  }
  size_t count(int type, const std::string& path) {
    std::lock_guard<std::mutex> lock(mu);
    return std::count_if(events.begin(), events.end(),
                         [&](const Event& e) { return e.type == type && e.path == path; });
  }
  bool wait_event(int type, const std::string& path) {
    return wait([&](const std::vector<Event>& es) {
      return std::any_of(es.begin(), es.end(), [&](const Event& e) { return e.type == type && e.path == path; });
    });
  }
  // Waits for a session event with `state` after the first `from` events.
  bool wait_state(int state, size_t from) {
    return wait([&](const std::vector<Event>& es) {
      for (size_t i = from; i < es.size(); ++i)
        if (es[i].type == ZOO_SESSION_EVENT && es[i].state == state) return true;
      return false;
    });
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return events.size();
  }
};

void record(zhandle_t*, int type, int state, const char* path, void* ctx) {
  static_cast<Recorder*>(ctx)->add(type, state, path);
}

zhandle_t* connect(const std::string& hosts, Recorder& rec, int timeout_ms = 10000) {
  size_t from = rec.size();
  zhandle_t* zh = zookeeper_init(hosts.c_str(), record, timeout_ms, nullptr, &rec, 0);
  if (!zh || !rec.wait_state(ZOO_CONNECTED_STATE, from)) return nullptr;
  return zh;
}

std::string get(zhandle_t* zh, const char* path, int* rc, Stat* st = nullptr) {
  char buf[256];
  int len = sizeof buf;
  Stat s{};
  *rc = zoo_get(zh, path, 0, buf, &len, &s);
  if (st) *st = s;
  return *rc == ZOK && len >= 0 ? std::string(buf, len) : std::string();
}

std::vector<std::string> children(zhandle_t* zh, const char* path, int* rc) {
  String_vector v{};
  *rc = zoo_get_children(zh, path, 0, &v);
  std::vector<std::string> out;
  for (int i = 0; i < v.count; ++i) out.emplace_back(v.data[i]);
  deallocate_String_vector(&v);
  std::sort(out.begin(), out.end());
  return out;
}

std::string rcs(int rc) { return std::to_string(rc) + " " + zerror(rc); }

// ---------------------------------------------------------------- checks

void test_crud(zhandle_t* zh) {
  char path[128];
  int rc = zoo_create(zh, "/c", "v0", 2, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
  check(rc == ZOK && std::string(path) == "/c", "create /c (" + rcs(rc) + ")");
  rc = zoo_create(zh, "/c", "v0", 2, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
  check(rc == ZNODEEXISTS, "create /c again: ZNODEEXISTS (" + rcs(rc) + ")");
  rc = zoo_create(zh, "/nope/x", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
  check(rc == ZNONODE, "create under a missing parent: ZNONODE (" + rcs(rc) + ")");

  Stat st{};
  std::string v = get(zh, "/c", &rc, &st);
  check(rc == ZOK && v == "v0" && st.version == 0 && st.dataLength == 2 && st.numChildren == 0 &&
            st.ephemeralOwner == 0 && st.czxid == st.mzxid && st.czxid > 0,
        "get /c: v0, version 0, dataLength 2, czxid == mzxid");
  rc = zoo_set(zh, "/c", "v1", 2, 0);
  check(rc == ZOK, "set /c version 0 (" + rcs(rc) + ")");
  rc = zoo_set(zh, "/c", "v2", 2, 0);
  check(rc == ZBADVERSION, "set /c stale version: ZBADVERSION (" + rcs(rc) + ")");
  Stat st2{};
  rc = zoo_set2(zh, "/c", "v22", 3, -1, &st2);
  check(rc == ZOK && st2.version == 2 && st2.dataLength == 3 && st2.mzxid > st.mzxid && st2.czxid == st.czxid,
        "set2 /c: version 2, dataLength 3, mzxid grows");
  rc = zoo_set(zh, "/missing", "x", 1, -1);
  check(rc == ZNONODE, "set /missing: ZNONODE (" + rcs(rc) + ")");

  rc = zoo_create(zh, "/c/s-", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, path, sizeof path);
  check(rc == ZOK && std::string(path) == "/c/s-0000000000", std::string("sequential: ") + path);
  rc = zoo_create(zh, "/c/s-", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, path, sizeof path);
  check(rc == ZOK && std::string(path) == "/c/s-0000000001", std::string("sequential: ") + path);
  rc = zoo_create(zh, "/c/e", "eph", 3, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, path, sizeof path);
  check(rc == ZOK, "create ephemeral /c/e (" + rcs(rc) + ")");
  rc = zoo_exists(zh, "/c/e", 0, &st);
  check(rc == ZOK && st.ephemeralOwner == zoo_client_id(zh)->client_id, "ephemeralOwner is the session id");
  rc = zoo_create(zh, "/c/e/x", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
  check(rc == ZNOCHILDRENFOREPHEMERALS, "child of an ephemeral: ZNOCHILDRENFOREPHEMERALS (" + rcs(rc) + ")");
  Stat cst{};
  rc = zoo_create2(zh, "/c/c2", "abc", 3, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path, &cst);
  check(rc == ZOK && cst.version == 0 && cst.dataLength == 3 && cst.czxid == cst.mzxid && cst.czxid > 0,
        "create2 returns the new node's stat");

  auto kids = children(zh, "/c", &rc);
  check(rc == ZOK && kids == std::vector<std::string>{"c2", "e", "s-0000000000", "s-0000000001"},
        "get_children /c");
  String_vector sv{};
  Stat pst{};
  rc = zoo_get_children2(zh, "/c", 0, &sv, &pst);
  check(rc == ZOK && pst.numChildren == 4 && pst.cversion == 4, "get_children2: numChildren 4, cversion 4");
  deallocate_String_vector(&sv);
  children(zh, "/missing", &rc);
  check(rc == ZNONODE, "get_children /missing: ZNONODE (" + rcs(rc) + ")");

  rc = zoo_delete(zh, "/c", -1);
  check(rc == ZNOTEMPTY, "delete /c with children: ZNOTEMPTY (" + rcs(rc) + ")");
  rc = zoo_delete(zh, "/c/s-0000000000", 5);
  check(rc == ZBADVERSION, "delete with a wrong version: ZBADVERSION (" + rcs(rc) + ")");
  rc = zoo_delete(zh, "/c/s-0000000000", 0);
  check(rc == ZOK, "delete with the right version (" + rcs(rc) + ")");
  rc = zoo_delete(zh, "/c/s-0000000000", -1);
  check(rc == ZNONODE, "delete again: ZNONODE (" + rcs(rc) + ")");
  rc = zoo_exists(zh, "/c/s-0000000000", 0, &st);
  check(rc == ZNONODE, "exists of a deleted node: ZNONODE (" + rcs(rc) + ")");
  get(zh, "/missing", &rc);
  check(rc == ZNONODE, "get /missing: ZNONODE (" + rcs(rc) + ")");

  // ACLs: every node has the open ACL; setting it is accepted, other ACLs are not supported.
  ACL_vector acl{};
  rc = zoo_get_acl(zh, "/c", &acl, &st);
  check(rc == ZOK && acl.count == 1 && acl.data[0].perms == ZOO_PERM_ALL &&
            std::string(acl.data[0].id.scheme) == "world" && std::string(acl.data[0].id.id) == "anyone" &&
            st.aversion == 0,
        "get_acl /c: world:anyone, perms 31, aversion 0");
  deallocate_ACL_vector(&acl);
  rc = zoo_get_acl(zh, "/missing", &acl, &st);
  check(rc == ZNONODE, "get_acl /missing: ZNONODE (" + rcs(rc) + ")");
  rc = zoo_set_acl(zh, "/c", -1, &ZOO_OPEN_ACL_UNSAFE);
  check(rc == ZOK, "set_acl /c to the open ACL (" + rcs(rc) + ")");
  rc = zoo_set_acl(zh, "/missing", -1, &ZOO_OPEN_ACL_UNSAFE);
  check(rc == ZNONODE, "set_acl /missing: ZNONODE (" + rcs(rc) + ")");
  rc = zoo_set_acl(zh, "/c", 7, &ZOO_OPEN_ACL_UNSAFE);
  check(rc == ZBADVERSION, "set_acl with a wrong aversion: ZBADVERSION (" + rcs(rc) + ")");
  rc = zoo_set_acl(zh, "/c", -1, &ZOO_READ_ACL_UNSAFE);
  check(rc == ZUNIMPLEMENTED, "set_acl to a restrictive ACL: ZUNIMPLEMENTED (" + rcs(rc) + ")");
  rc = zoo_exists(zh, "/c", 0, &st);
  check(rc == ZOK && zoo_state(zh) == ZOO_CONNECTED_STATE, "connection kept after unsupported setACL");
}

void test_watches(zhandle_t* a, zhandle_t* b, Recorder& ra) {
  char path[128];
  zoo_create(b, "/w", "0", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
  char buf[16];
  int len = sizeof buf;
  Stat st{};
  int rc = zoo_wget(a, "/w", record, &ra, buf, &len, &st);
  check(rc == ZOK, "wget /w (" + rcs(rc) + ")");
  rc = zoo_wexists(a, "/w-new", record, &ra, &st);
  check(rc == ZNONODE, "wexists /w-new: ZNONODE, watch armed (" + rcs(rc) + ")");
  String_vector sv{};
  rc = zoo_wget_children(a, "/w", record, &ra, &sv);
  deallocate_String_vector(&sv);
  check(rc == ZOK, "wget_children /w (" + rcs(rc) + ")");

  zoo_set(b, "/w", "1", 1, -1);
  check(ra.wait_event(ZOO_CHANGED_EVENT, "/w"), "data watch: CHANGED /w");
  zoo_create(b, "/w-new", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
  check(ra.wait_event(ZOO_CREATED_EVENT, "/w-new"), "exists watch: CREATED /w-new");
  zoo_create(b, "/w/k", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
  check(ra.wait_event(ZOO_CHILD_EVENT, "/w"), "child watch: CHILD /w");

  // One-shot: further changes do not fire; a fresh watch set afterwards is the next event.
  zoo_set(b, "/w", "2", 1, -1);
  zoo_create(b, "/w/k2", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
  rc = zoo_wexists(a, "/w-new", record, &ra, &st);
  zoo_delete(b, "/w-new", -1);
  check(ra.wait_event(ZOO_DELETED_EVENT, "/w-new"), "exists watch on a node: DELETED /w-new");
  check(ra.count(ZOO_CHANGED_EVENT, "/w") == 1 && ra.count(ZOO_CHILD_EVENT, "/w") == 1,
        "watches are one-shot (one CHANGED, one CHILD for /w)");
}

void test_multi(zhandle_t* zh) {
  struct Done {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    int rc = 0;
  };
  auto complete = [](int rc, const void* data) {
    auto* d = static_cast<Done*>(const_cast<void*>(data));
    std::lock_guard<std::mutex> lock(d->mu);
    d->rc = rc;
    d->done = true;
    d->cv.notify_all();
  };
  auto wait = [](Done& d) {
    std::unique_lock<std::mutex> lock(d.mu);
    return d.cv.wait_for(lock, kWait, [&] { return d.done; });
  };
  char path[128];
  zoo_create(zh, "/m", "m", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);

  // Committed: create, setData, check, delete.
  {
    zoo_op_t ops[4];
    zoo_op_result_t res[4];
    char created[64];
    Stat st{};
    zoo_create_op_init(&ops[0], "/m/a", "x", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, created, sizeof created);
    zoo_set_op_init(&ops[1], "/m", "m2", 2, 0, &st);
    zoo_check_op_init(&ops[2], "/m", 1);
    zoo_create_op_init(&ops[3], "/m/b", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, created + 32, 32);
    Done d;
    int rc = zoo_amulti(zh, 4, ops, res, complete, &d);
    check(rc == ZOK && wait(d), "amulti (committed) completes");
    check(d.rc == ZOK && res[0].err == ZOK && res[1].err == ZOK && res[2].err == ZOK && res[3].err == ZOK,
          "amulti committed: rc 0 and every op 0 (" + std::to_string(d.rc) + ")");
    check(std::string(created) == "/m/a" && std::string(created + 32) == "/m/b0000000001" && st.version == 1,
          std::string("amulti results: ") + created + ", " + (created + 32) + ", set stat version " +
              std::to_string(st.version));
    int grc = 0;
    check(get(zh, "/m", &grc) == "m2", "amulti committed: /m is m2");
  }
  // Refused: the check fails; ops before it report 0, the failing op its code, later ops
  // ZRUNTIMEINCONSISTENCY; nothing is applied.
  {
    zoo_op_t ops[3];
    zoo_op_result_t res[3];
    char created[64];
    zoo_create_op_init(&ops[0], "/m/c", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, created, sizeof created);
    zoo_check_op_init(&ops[1], "/m", 99);
    zoo_delete_op_init(&ops[2], "/m/a", -1);
    Done d;
    int rc = zoo_amulti(zh, 3, ops, res, complete, &d);
    check(rc == ZOK && wait(d), "amulti (refused) completes");
    check(d.rc == ZBADVERSION && res[0].err == ZOK && res[1].err == ZBADVERSION &&
              res[2].err == ZRUNTIMEINCONSISTENCY,
          "amulti refused: rc ZBADVERSION, per-op 0 / ZBADVERSION / ZRUNTIMEINCONSISTENCY (" +
              std::to_string(d.rc) + ": " + std::to_string(res[0].err) + " " + std::to_string(res[1].err) + " " +
              std::to_string(res[2].err) + ")");
    Stat st{};
    check(zoo_exists(zh, "/m/c", 0, &st) == ZNONODE && zoo_exists(zh, "/m/a", 0, &st) == ZOK,
          "amulti refused: nothing applied");
  }
  // Synchronous multi with a missing node.
  {
    zoo_op_t ops[2];
    zoo_op_result_t res[2];
    zoo_delete_op_init(&ops[0], "/m/a", -1);
    zoo_delete_op_init(&ops[1], "/m/none", -1);
    int rc = zoo_multi(zh, 2, ops, res);
    check(rc == ZNONODE && res[0].err == ZOK && res[1].err == ZNONODE, "multi: ZNONODE in the second op");
  }
}

// Drop the connection; change watched nodes while the client cannot reconnect; let it back in.
void test_reconnect(Server& server, const std::string& hosts, zhandle_t* a, Recorder& ra) {
  char path[128];
  char buf[16];
  int len;
  Stat st{};
  for (const char* p : {"/r1", "/r3", "/r4", "/r5"})
    zoo_create(a, p, "0", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
  int rc = zoo_create(a, "/r-eph", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, path, sizeof path);
  check(rc == ZOK, "ephemeral /r-eph created");
  len = sizeof buf;
  check(zoo_wget(a, "/r1", record, &ra, buf, &len, &st) == ZOK, "data watch on /r1");
  check(zoo_wexists(a, "/r2", record, &ra, &st) == ZNONODE, "exists watch on absent /r2");
  String_vector sv{};
  check(zoo_wget_children(a, "/r3", record, &ra, &sv) == ZOK, "child watch on /r3");
  deallocate_String_vector(&sv);
  len = sizeof buf;
  check(zoo_wget(a, "/r4", record, &ra, buf, &len, &st) == ZOK, "data watch on /r4 (left unchanged)");
  len = sizeof buf;
  check(zoo_wget(a, "/r5", record, &ra, buf, &len, &st) == ZOK, "data watch on /r5 (deleted while away)");
  const int64_t sid = zoo_client_id(a)->client_id;

  size_t before = ra.size();
  check(server.command("hold") == "HELD", "gateway holds reconnects");
  std::string dropped = server.command("drop");
  check(dropped.rfind("DROPPED ", 0) == 0 && std::atoi(dropped.c_str() + 8) >= 1, "gateway dropped: " + dropped);
  check(ra.wait_state(ZOO_CONNECTING_STATE, before), "client sees the connection lost (CONNECTING)");

  // Meanwhile another session changes what A watches; A's ephemeral node stays (session alive).
  Recorder rb;
  zhandle_t* b = connect(hosts, rb);
  check(b != nullptr, "second session connects while the first is away");
  if (b) {
    check(zoo_exists(b, "/r-eph", 0, &st) == ZOK && st.ephemeralOwner == sid,
          "ephemeral of the disconnected session still exists");
    zoo_set(b, "/r1", "1", 1, -1);
    zoo_create(b, "/r2", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
    zoo_create(b, "/r3/x", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
    zoo_delete(b, "/r5", -1);
    zookeeper_close(b);
  }
  before = ra.size();
  check(server.command("release") == "RELEASED", "gateway accepts reconnects again");
  check(ra.wait_state(ZOO_CONNECTED_STATE, before), "client reconnected (CONNECTED)");
  check(zoo_client_id(a)->client_id == sid, "same session id after reconnect");
  check(ra.wait_event(ZOO_CHANGED_EVENT, "/r1"), "setWatches: CHANGED /r1 (changed while away)");
  check(ra.wait_event(ZOO_CREATED_EVENT, "/r2"), "setWatches: CREATED /r2 (created while away)");
  check(ra.wait_event(ZOO_CHILD_EVENT, "/r3"), "setWatches: CHILD /r3 (child added while away)");
  check(ra.wait_event(ZOO_DELETED_EVENT, "/r5"), "setWatches: DELETED /r5 (deleted while away)");

  // /r4 was unchanged: its watch is armed again and fires for the next change, which is
  // ordered after any duplicate of the events above.
  rc = zoo_set(a, "/r4", "1", 1, -1);
  check(rc == ZOK, "write after reconnect (" + rcs(rc) + ")");
  check(ra.wait_event(ZOO_CHANGED_EVENT, "/r4"), "re-armed watch on /r4 fires after reconnect");
  zoo_set(a, "/r1", "2", 1, -1);
  zoo_create(a, "/r3/y", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, path, sizeof path);
  len = sizeof buf;
  zoo_wget(a, "/r4", record, &ra, buf, &len, &st);
  zoo_set(a, "/r4", "2", 1, -1);
  check(ra.wait([](const std::vector<Event>& es) {
          return std::count_if(es.begin(), es.end(),
                               [](const Event& e) { return e.type == ZOO_CHANGED_EVENT && e.path == "/r4"; }) == 2;
        }),
        "second /r4 event");
  check(ra.count(ZOO_CHANGED_EVENT, "/r1") == 1 && ra.count(ZOO_CREATED_EVENT, "/r2") == 1 &&
            ra.count(ZOO_CHILD_EVENT, "/r3") == 1 && ra.count(ZOO_DELETED_EVENT, "/r5") == 1,
        "each event after reconnect arrived exactly once");
  check(zoo_exists(a, "/r-eph", 0, &st) == ZOK && st.ephemeralOwner == sid, "ephemeral kept after reconnect");
}

// A client away for longer than its session timeout finds its session expired.
void test_expiry(Server& server, const std::string& hosts) {
  Recorder rd;
  zhandle_t* d = connect(hosts, rd, 4000);
  check(d != nullptr, "4 s session connects");
  if (!d) return;
  check(zoo_recv_timeout(d) == 4000, "negotiated timeout 4000 (" + std::to_string(zoo_recv_timeout(d)) + ")");
  char path[128];
  zoo_create(d, "/x-eph", "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, path, sizeof path);
  size_t before = rd.size();
  server.command("hold");
  server.command("drop");
  check(rd.wait_state(ZOO_CONNECTING_STATE, before), "expiry: connection lost");
  Recorder re;
  zhandle_t* e = connect(hosts, re);
  check(e != nullptr, "observer session connects");
  if (e) {
    Stat st{};
    int rc = zoo_wexists(e, "/x-eph", record, &re, &st);
    check(rc == ZOK, "ephemeral of the away session exists at first");
    check(re.wait_event(ZOO_DELETED_EVENT, "/x-eph"), "ephemeral deleted when the session times out");
  }
  before = rd.size();
  server.command("release");
  check(rd.wait_state(ZOO_EXPIRED_SESSION_STATE, before), "reconnect after the timeout: EXPIRED");
  zookeeper_close(d);
  if (e) zookeeper_close(e);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SERVER_BINARY\n", argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  auto started = std::chrono::steady_clock::now();
  zoo_set_debug_level(getenv("FK_ZK_DEBUG") ? ZOO_LOG_LEVEL_DEBUG : static_cast<ZooLogLevel>(0));
  Server server;
  if (!server.start(argv[1])) {
    std::fprintf(stderr, "server did not start\n");
    server.stop();
    return 1;
  }
  const std::string hosts = "127.0.0.1:" + std::to_string(server.port);
  {
    Recorder ra, rb;
    zhandle_t* a = connect(hosts, ra);
    zhandle_t* b = connect(hosts, rb);
    check(a && b, "two C client sessions connect");
    if (a && b) {
      check(zoo_recv_timeout(a) == 10000, "negotiated timeout 10000");
      test_crud(a);
      test_watches(a, b, ra);
      test_multi(a);
      zookeeper_close(b);
      test_reconnect(server, hosts, a, ra);
      int rc = zookeeper_close(a);
      check(rc == ZOK, "close (" + rcs(rc) + ")");
      test_expiry(server, hosts);
    }
  }
  server.stop();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%d failure(s), %.1f s\n", failures, secs);
  return failures ? 1 : 0;
}
