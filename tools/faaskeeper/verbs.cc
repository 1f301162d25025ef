#include "tools/faaskeeper/verbs.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "tools/faaskeeper/connect.h"

namespace faaskeeper::cli {

namespace {

std::string hex(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// zkCli prints times as java.util.Date does: "Thu Jan 01 00:00:00 UTC 1970".
std::string date(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Z %Y", &tm);
  return buf;
}

// State shared by the verbs' options (only one verb runs per process).
struct Args {
  ConnectOptions connect;
  std::string path, data;
  bool ephemeral = false, sequential = false, container = false, with_stat = false, recursive = false;
  int64_t ttl = -1;
  int32_t version = -1;
};

CLI::App* verb(CLI::App& app, const std::string& name, const std::string& help, Args& args) {
  auto* cmd = app.add_subcommand(name, help);
  add_connect_options(cmd, args.connect);
  return cmd;
}

void print_data(const Data& data) {
  if (!data) {
    std::puts("null");
    return;
  }
  std::fwrite(data->data(), 1, data->size(), stdout);
  std::fputc('\n', stdout);
}

int run_create(Args& a) {
  if (a.container && (a.ephemeral || a.sequential || a.ttl >= 0))
    return fail(Status(Error::BadArguments, "-c cannot be combined with -e, -s or -t"));
  if (a.ttl >= 0 && a.ephemeral) return fail(Status(Error::BadArguments, "-t cannot be combined with -e"));
  CreateMode mode = CreateMode::Persistent;
  if (a.container)
    mode = CreateMode::Container;
  else if (a.ttl >= 0)
    mode = a.sequential ? CreateMode::PersistentSequentialWithTtl : CreateMode::PersistentWithTtl;
  else if (a.ephemeral)
    mode = a.sequential ? CreateMode::EphemeralSequential : CreateMode::Ephemeral;
  else if (a.sequential)
    mode = CreateMode::PersistentSequential;
  auto client = open_client(a.connect);
  if (!client.ok()) return fail(client.status());
  auto created = (*client)->create(a.path, a.data, mode, a.ttl);
  if (!created.ok()) return fail(created.status());
  std::printf("Created %s\n", created->path.c_str());
  return 0;
}

int run_get(Args& a) {
  auto client = open_client(a.connect);
  if (!client.ok()) return fail(client.status());
  auto node = (*client)->get(a.path);
  if (!node.ok()) return fail(node.status());
  print_data(node->data);
  if (a.with_stat) std::fputs(format_stat(node->stat).c_str(), stdout);
  return 0;
}

int run_set(Args& a) {
  auto client = open_client(a.connect);
  if (!client.ok()) return fail(client.status());
  auto stat = (*client)->set(a.path, a.data, a.version);
  if (!stat.ok()) return fail(stat.status());
  if (a.with_stat) std::fputs(format_stat(*stat).c_str(), stdout);
  return 0;
}

int run_delete(Args& a) {
  auto client = open_client(a.connect);
  if (!client.ok()) return fail(client.status());
  Status s = (*client)->remove(a.path, a.version);
  return s.ok() ? 0 : fail(s);
}

int run_stat(Args& a) {
  auto client = open_client(a.connect);
  if (!client.ok()) return fail(client.status());
  auto stat = (*client)->exists(a.path);
  if (!stat.ok()) return fail(stat.status());
  if (!*stat) return fail(Status(Error::NoNode, a.path + " does not exist"));
  std::fputs(format_stat(**stat).c_str(), stdout);
  return 0;
}

int run_ls(Args& a) {
  auto client = open_client(a.connect);
  if (!client.ok()) return fail(client.status());
  auto children = (*client)->get_children(a.path);
  if (!children.ok()) return fail(children.status());
  auto names = children->names;
  std::sort(names.begin(), names.end());
  std::string line = "[";
  for (size_t i = 0; i < names.size(); ++i) line += (i ? ", " : "") + names[i];
  std::printf("%s]\n", line.c_str());
  if (a.with_stat) std::fputs(format_stat(children->stat).c_str(), stdout);
  return 0;
}

// Prints every event of a persistent watch on the path until SIGINT/SIGTERM (exit 0) or until
// the session expires (exit 1).
int run_watch(Args& a) {
  // Block the stop signals before the client starts its threads; this thread waits for them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  auto expired = std::make_shared<std::atomic<bool>>(false);
  auto transport = open_transport(a.connect);
  if (!transport.ok()) return fail(transport.status());
  ClientOptions options;
  options.request_timeout = std::chrono::milliseconds(a.connect.timeout_ms);
  options.session_watcher = [expired](const WatchedEvent& e) {
    std::printf("WatchedEvent state:%s type:None path:\n", e.state == SessionState::Expired ? "Expired" : "Disconnected");
    std::fflush(stdout);
    if (e.state == SessionState::Expired) *expired = true;
  };
  auto client = Client::open(*transport, options);
  if (!client.ok()) return fail(client.status());
  auto print = [](const WatchedEvent& e) {
    std::printf("WatchedEvent state:SyncConnected type:%s path:%s zxid:%s\n", event_type_name(e.type).c_str(),
                e.path.c_str(), hex(e.zxid).c_str());
    std::fflush(stdout);
  };
  Status armed = (*client)->add_watch(a.path, a.recursive ? AddWatchMode::PersistentRecursive : AddWatchMode::Persistent,
                                      print);
  if (!armed.ok()) return fail(armed);
  std::fprintf(stderr, "watching %s%s; Ctrl-C stops\n", a.path.c_str(), a.recursive ? " and its descendants" : "");
  timespec tick{0, 200'000'000};
  while (!*expired) {
    if (sigtimedwait(&stop, nullptr, &tick) > 0) return 0;
  }
  return 1;
}

}  // namespace

std::string format_stat(const Stat& s) {
  std::string out;
  auto line = [&](const char* name, const std::string& v) { out += std::string(name) + " = " + v + "\n"; };
  line("cZxid", hex(s.czxid));
  line("ctime", date(s.ctime));
  line("mZxid", hex(s.mzxid));
  line("mtime", date(s.mtime));
  line("pZxid", hex(s.pzxid));
  line("cversion", std::to_string(s.cversion));
  line("dataVersion", std::to_string(s.version));
  line("aclVersion", std::to_string(s.aversion));
  line("ephemeralOwner", hex(s.ephemeral_owner));
  line("dataLength", std::to_string(s.data_length));
  line("numChildren", std::to_string(s.num_children));
  return out;
}

void add_verbs(CLI::App& app, int& exit_code) {
  static Args a;  // the options of whichever verb runs
  auto path = [&](CLI::App* cmd) { cmd->add_option("path", a.path, "znode path, e.g. /app/config")->required(); };

  auto* create = verb(app, "create", "Create a znode (prints \"Created <path>\")", a);
  create->add_flag("-e,--ephemeral", a.ephemeral,
                   "ephemeral: deleted when this command's session ends, i.e. when it exits");
  create->add_flag("-s,--sequential", a.sequential, "append a 10-digit sequence number to the name");
  create->add_flag("-c,--container", a.container, "container node");
  create->add_option("-t,--ttl", a.ttl, "TTL node with this time-to-live in milliseconds");
  path(create);
  create->add_option("data", a.data, "the node's data (default: empty)");
  create->callback([&] { exit_code = run_create(a); });

  auto* get = verb(app, "get", "Print a znode's data (\"null\" when it has none)", a);
  get->add_flag("-s,--stat", a.with_stat, "also print the Stat");
  path(get);
  get->callback([&] { exit_code = run_get(a); });

  auto* set = verb(app, "set", "Replace a znode's data", a);
  set->add_flag("-s,--stat", a.with_stat, "print the new Stat");
  set->add_option("-v,--version", a.version, "expected version (fails with BADVERSION otherwise; -1: any)");
  path(set);
  set->add_option("data", a.data, "the new data")->required();
  set->callback([&] { exit_code = run_set(a); });

  auto* del = verb(app, "delete", "Delete a znode (it must have no children)", a);
  del->add_option("-v,--version", a.version, "expected version (fails with BADVERSION otherwise; -1: any)");
  path(del);
  del->callback([&] { exit_code = run_delete(a); });

  auto* stat = verb(app, "stat", "Print a znode's Stat", a);
  path(stat);
  stat->callback([&] { exit_code = run_stat(a); });

  auto* ls = verb(app, "ls", "List a znode's children (sorted)", a);
  ls->add_flag("-s,--stat", a.with_stat, "also print the Stat");
  path(ls);
  ls->callback([&] { exit_code = run_ls(a); });

  auto* watch = verb(app, "watch", "Print the events of a persistent watch on a znode until interrupted", a);
  watch->add_flag("-r,--recursive", a.recursive, "also events of every descendant (PERSISTENT_RECURSIVE)");
  path(watch);
  watch->callback([&] { exit_code = run_watch(a); });
}

}  // namespace faaskeeper::cli
