#include "tools/faaskeeper/election_demo.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tools/faaskeeper/connect.h"
#include "tools/faaskeeper/demo.h"
#include "tools/faaskeeper/demo_member.h"

extern char** environ;

namespace faaskeeper::cli {

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Member {
  std::string name;
  pid_t pid = -1;
  int out = -1;          // read end of its stdout
  std::string buffer;    // partial line
  std::string session, node;
  std::string role;      // "leader" / "follower <node>"
  int32_t config_version = -1;
  bool alive = true, left = false;
};

class Demo {
 public:
  Demo(ConnectOptions connect, int members, int session_timeout_ms)
      : connect_(std::move(connect)), count_(members), session_timeout_ms_(session_timeout_ms) {}

  ~Demo() {
    for (auto& m : members_)
      if (m.alive) {
        ::kill(m.pid, SIGKILL);
        ::waitpid(m.pid, nullptr, 0);
      }
  }

  int run() {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // readable when interleaved with other output
    std::printf("== FaaSKeeper demo: %d member processes against the deployment on %s\n", count_,
                connect_.server.empty() ? connect_.data_dir.c_str() : connect_.server.c_str());
    auto admin = open_client(connect_);
    if (!admin.ok()) return failed("cannot open the admin session: " + admin.status().to_string());
    admin_ = std::move(*admin);
    if (!prepare()) return 1;

    std::printf("\n== 1. %d processes join the election (ephemeral-sequential nodes under /election)\n", count_);
    for (int i = 0; i < count_; ++i)
      if (!spawn(i)) return 1;
    if (!wait_until([&] { return all_alive([](const Member& m) { return !m.role.empty(); }); }, 30))
      return failed("the members did not all join within 30 s");
    int leader = find_leader();
    std::printf("   -> leader: %s (%s)\n", members_[leader].name.c_str(), members_[leader].node.c_str());

    std::printf("\n== 2. the admin updates /config; every member reads the new version\n");
    auto updated = admin_->set("/config", std::string("replicas=5"), -1);
    if (!updated.ok()) return failed("update /config: " + updated.status().to_string());
    std::printf("   admin: set /config = \"replicas=5\" (version %d, txid %lld)\n", updated->version,
                static_cast<long long>(updated->mzxid));
    if (!wait_until([&] { return all_alive([&](const Member& m) { return m.config_version == updated->version; }); }, 30))
      return failed("not every member saw the new /config within 30 s");

    std::printf("\n== 3. the leader's process crashes (kill -9 %d)\n", members_[leader].pid);
    std::printf("   its connection drops; the heartbeat finds the session unreachable and expires it after\n"
                "   its %d ms timeout, deleting its ephemeral node; the next member takes over\n",
                session_timeout_ms_);
    auto killed_at = SteadyClock::now();
    ::kill(members_[leader].pid, SIGKILL);
    ::waitpid(members_[leader].pid, nullptr, 0);
    members_[leader].alive = false;
    ::close(members_[leader].out);
    members_[leader].out = -1;
    if (!wait_until([&] { return any_alive([](const Member& m) { return m.role == "leader"; }); }, 60))
      return failed("no new leader within 60 s");
    int next = find_leader();
    double secs = std::chrono::duration<double>(SteadyClock::now() - killed_at).count();
    std::printf("   -> new leader: %s (%s), %.1f s after the crash\n", members_[next].name.c_str(),
                members_[next].node.c_str(), secs);
    std::string dead = members_[leader].node.substr(members_[leader].node.rfind('/') + 1);
    if (!wait_until([&] { return all_alive([&](const Member& m) { return m.role != "follower " + dead; }); }, 10))
      return failed("some member still follows the dead leader");
    print_election("   /election now");

    std::printf("\n== 4. the remaining members leave (SIGTERM: each closes its session)\n");
    for (auto& m : members_)
      if (m.alive) ::kill(m.pid, SIGTERM);
    if (!wait_until([&] { return all_alive([](const Member& m) { return m.left; }); }, 30))
      return failed("the members did not leave within 30 s");
    for (auto& m : members_)
      if (m.alive) {
        int status = 0;
        ::waitpid(m.pid, &status, 0);
        m.alive = false;
      }
    print_election("   /election now");
    std::printf("\n== done: the deployment keeps running; last txid seen by the admin: %lld\n",
                static_cast<long long>(admin_->last_txid()));
    return 0;
  }

 private:
  int failed(const std::string& why) {
    std::printf("demo failed: %s\n", why.c_str());
    return 1;
  }

  // /election exists and is empty; /config holds "replicas=3".
  bool prepare() {
    auto made = admin_->create("/election", std::string());
    if (!made.ok() && made.code() != Error::NodeExists) return failed("create /election: " + made.status().to_string()), false;
    auto stale = admin_->get_children("/election");
    if (stale.ok() && !stale->names.empty()) {
      std::printf("waiting for %zu election node(s) of earlier sessions to expire...\n", stale->names.size());
      auto deadline = SteadyClock::now() + std::chrono::seconds(60);
      while (SteadyClock::now() < deadline) {
        stale = admin_->get_children("/election");
        if (!stale.ok() || stale->names.empty()) break;
        poll(nullptr, 0, 200);
      }
      if (!stale.ok() || !stale->names.empty()) return failed("/election is not empty"), false;
    }
    auto cfg = admin_->create("/config", std::string("replicas=3"));
    if (cfg.code() == Error::NodeExists) {
      auto s = admin_->set("/config", std::string("replicas=3"), -1);
      if (!s.ok()) return failed("set /config: " + s.status().to_string()), false;
      std::printf("admin (session 0x%llx): /config = \"replicas=3\" (version %d)\n",
                  static_cast<unsigned long long>(admin_->session_id()), s->version);
    } else if (!cfg.ok()) {
      return failed("create /config: " + cfg.status().to_string()), false;
    } else {
      std::printf("admin (session 0x%llx): created /config = \"replicas=3\" at txid %lld\n",
                  static_cast<unsigned long long>(admin_->session_id()), static_cast<long long>(cfg->stat.czxid));
    }
    return true;
  }

  bool spawn(int i) {
    Member m;
    m.name = "member-" + std::to_string(i + 1);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return failed("pipe failed"), false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    std::string self = "/proc/self/exe";
    std::vector<std::string> args = {"faaskeeper", "demo-member", "--name", m.name, "--session-timeout",
                                     std::to_string(session_timeout_ms_)};
    if (!connect_.server.empty()) {
      args.insert(args.end(), {"--server", connect_.server});
    } else {
      args.insert(args.end(), {"--data", connect_.data_dir});
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&m.pid, self.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      return failed("cannot start a member process"), false;
    }
    m.out = fds[0];
    members_.push_back(std::move(m));
    return true;
  }

  template <class P>
  bool all_alive(P pred) const {
    for (const auto& m : members_)
      if (m.alive && !pred(m)) return false;
    return true;
  }
  template <class P>
  bool any_alive(P pred) const {
    for (const auto& m : members_)
      if (m.alive && pred(m)) return true;
    return false;
  }
  int find_leader() const {
    for (size_t i = 0; i < members_.size(); ++i)
      if (members_[i].alive && members_[i].role == "leader") return static_cast<int>(i);
    return -1;
  }

  // Reads member output (printing each event) until `done()` holds or `seconds` pass.
  bool wait_until(const std::function<bool()>& done, int seconds) {
    auto deadline = SteadyClock::now() + std::chrono::seconds(seconds);
    while (!done()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
      if (left <= 0) return false;
      std::vector<pollfd> fds;
      std::vector<size_t> who;
      for (size_t i = 0; i < members_.size(); ++i)
        if (members_[i].out >= 0) {
          fds.push_back({members_[i].out, POLLIN, 0});
          who.push_back(i);
        }
      if (fds.empty()) return false;
      if (::poll(fds.data(), fds.size(), static_cast<int>(left)) <= 0) continue;
      for (size_t k = 0; k < fds.size(); ++k) {
        if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        Member& m = members_[who[k]];
        char buf[4096];
        ssize_t n = ::read(m.out, buf, sizeof buf);
        if (n <= 0) {
          ::close(m.out);
          m.out = -1;
          if (!m.left && m.alive) {
            std::printf("   %s exited unexpectedly\n", m.name.c_str());
            m.alive = false;
            ::waitpid(m.pid, nullptr, 0);
          }
          continue;
        }
        m.buffer.append(buf, static_cast<size_t>(n));
        size_t nl;
        while ((nl = m.buffer.find('\n')) != std::string::npos) {
          std::string line = m.buffer.substr(0, nl);
          m.buffer.erase(0, nl + 1);
          on_event(m, line);
        }
      }
    }
    return true;
  }

  void on_event(Member& m, const std::string& line) {
    std::istringstream in(line);
    std::string what;
    in >> what;
    std::string rest;
    std::getline(in, rest);
    if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
    if (what == "session") {
      m.session = rest;
    } else if (what == "joined") {
      std::istringstream j(rest);
      std::string data;
      j >> m.node >> m.config_version;
      std::getline(j, data);
      if (!data.empty() && data[0] == ' ') data.erase(0, 1);
      std::printf("   %s (pid %d, session %s) joined as %s, reads /config = \"%s\" (version %d)\n", m.name.c_str(),
                  m.pid, m.session.c_str(), m.node.c_str(), data.c_str(), m.config_version);
    } else if (what == "leader") {
      m.role = "leader";
      std::printf("   %s: I am the leader\n", m.name.c_str());
    } else if (what == "follower") {
      m.role = "follower " + rest;
      std::printf("   %s: following %s\n", m.name.c_str(), rest.c_str());
    } else if (what == "config") {
      std::istringstream c(rest);
      std::string data;
      c >> m.config_version;
      std::getline(c, data);
      if (!data.empty() && data[0] == ' ') data.erase(0, 1);
      std::printf("   %s reads /config = \"%s\" (version %d)\n", m.name.c_str(), data.c_str(), m.config_version);
    } else if (what == "left") {
      m.left = true;
      std::printf("   %s left (session closed, its node deleted)\n", m.name.c_str());
    } else {
      std::printf("   %s: %s\n", m.name.c_str(), line.c_str());
    }
    std::fflush(stdout);
  }

  void print_election(const char* label) {
    auto kids = admin_->get_children("/election");
    if (!kids.ok()) {
      std::printf("%s: %s\n", label, kids.status().to_string().c_str());
      return;
    }
    auto names = kids->names;
    std::sort(names.begin(), names.end());
    std::string list;
    for (size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
    std::printf("%s: [%s]\n", label, list.c_str());
  }

  ConnectOptions connect_;
  int count_;
  int session_timeout_ms_;
  std::unique_ptr<Client> admin_;
  std::vector<Member> members_;
};

}  // namespace

void add_demo_commands(CLI::App& app, int& exit_code) {
  static int members = 4;
  static int session_timeout_ms = 3000;
  static ConnectOptions connect;
  static bool against_deployment = false;
  auto* demo = app.add_subcommand(
      "demo",
      "Leader election + configuration demo. Without --data/--server: in one process on an in-memory "
      "deployment; with them: several member processes against a running deployment");
  demo->add_option("--members", members, "number of election members")->capture_default_str()->check(CLI::Range(1, 64));
  auto* data = demo->add_option("--data", connect.data_dir, "data directory of a running local deployment");
  auto* server = demo->add_option("--server", connect.server, "host:port of a running deployment's endpoint");
  demo->add_option("--session-timeout", session_timeout_ms, "members' session timeout in milliseconds")
      ->capture_default_str()
      ->check(CLI::Range(500, 600'000));
  demo->callback([&exit_code, data, server] {
    against_deployment = data->count() > 0 || server->count() > 0;
    if (!against_deployment) {
      exit_code = run_demo(members);
      return;
    }
    exit_code = Demo(connect, members, session_timeout_ms).run();
  });

  static MemberArgs member;
  member.data_dir = default_data_dir();
  auto* m = app.add_subcommand("demo-member", "One member process of the multi-process demo (used by `demo`)");
  m->group("");  // hidden from --help
  m->add_option("--data", member.data_dir, "data directory");
  m->add_option("--server", member.server, "host:port");
  m->add_option("--name", member.name, "member name")->required();
  m->add_option("--session-timeout", member.session_timeout_ms, "session timeout (ms)");
  m->callback([&exit_code] { exit_code = run_member(member); });
}

}  // namespace faaskeeper::cli
