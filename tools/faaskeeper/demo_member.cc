#include "tools/faaskeeper/demo_member.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "tools/faaskeeper/connect.h"

namespace faaskeeper::cli {

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace

int run_member(const MemberArgs& m) {
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  ConnectOptions c;
  c.data_dir = m.data_dir;
  c.server = m.server;
  c.session_timeout_ms = m.session_timeout_ms;
  auto client = open_client(c);
  if (!client.ok()) return say("error " + client.status().to_string()), 1;
  Client& zk = **client;
  char id[32];
  std::snprintf(id, sizeof id, "0x%llx", static_cast<unsigned long long>(zk.session_id()));
  say(std::string("session ") + id);

  auto conf = zk.get("/config");
  if (!conf.ok()) return say("error reading /config: " + conf.status().to_string()), 1;
  auto mine = zk.create("/election/member-", m.name, CreateMode::EphemeralSequential);
  if (!mine.ok()) return say("error joining: " + mine.status().to_string()), 1;
  say("joined " + mine->path + " " + std::to_string(conf->stat.version) + " " + conf->data.value_or("null"));
  std::string my_name = mine->path.substr(mine->path.rfind('/') + 1);

  // The election recipe: the lowest sequence number leads. Members poll (every poll_ms) rather
  // than watch their predecessor, so the demo only needs reads.
  std::string last_leader;
  int32_t last_version = conf->stat.version;
  while (!g_stop) {
    auto kids = zk.get_children("/election");
    if (!kids.ok()) return say("error " + kids.status().to_string()), 1;
    if (!kids->names.empty()) {
      std::string leader = *std::min_element(kids->names.begin(), kids->names.end());
      if (leader != last_leader) {
        say(leader == my_name ? std::string("leader") : "follower " + leader);
        last_leader = leader;
      }
    }
    auto now = zk.get("/config");
    if (!now.ok()) return say("error " + now.status().to_string()), 1;
    if (now->stat.version != last_version) {
      last_version = now->stat.version;
      say("config " + std::to_string(last_version) + " " + now->data.value_or("null"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(m.poll_ms));
  }
  Status closed = zk.close();
  say(closed.ok() ? std::string("left") : "error closing: " + closed.to_string());
  return closed.ok() ? 0 : 1;
}

}  // namespace faaskeeper::cli
