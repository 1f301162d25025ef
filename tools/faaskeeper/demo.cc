// `faaskeeper demo`: an in-process deployment serving several clients that run ZooKeeper
// recipes — leader election with ephemeral-sequential nodes, and a configuration node every
// member reads — printed as it happens.
#include "tools/faaskeeper/demo.h"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

#include "runtime/embedded.h"

namespace faaskeeper {

namespace {

bool check(const Status& s, const char* what) {
  if (s.ok()) return true;
  std::printf("  %s failed: %s\n", what, s.to_string().c_str());
  return false;
}

// The election recipe: the member whose ephemeral-sequential node has the lowest suffix leads.
std::string leader_of(Client& c) {
  auto kids = c.get_children("/election");
  if (!kids.ok() || kids->names.empty()) return "";
  return *std::min_element(kids->names.begin(), kids->names.end());
}

}  // namespace

int run_demo(int members) {
  std::printf("== FaaSKeeper demo: in-process deployment (memory stores, writer/distributor functions)\n");
  EmbeddedDeployment deployment;
  auto admin = deployment.connect();
  if (!admin.ok()) return check(admin.status(), "connect"), 1;
  Client& a = **admin;
  if (!check(a.create("/election", std::string()).status(), "create /election")) return 1;
  auto cfg = a.create("/config", std::string("replicas=3"));
  if (!check(cfg.status(), "create /config")) return 1;
  std::printf("admin (session %016llx) created /config = \"replicas=3\" at txid %lld\n",
              static_cast<unsigned long long>(a.session_id()), static_cast<long long>(cfg->stat.czxid));

  std::vector<std::unique_ptr<Client>> clients;
  std::vector<std::string> nodes(members);
  for (int i = 0; i < members; ++i) {
    auto c = deployment.connect();
    if (!c.ok()) return check(c.status(), "connect member"), 1;
    clients.push_back(std::move(*c));
  }
  // Members join concurrently, as separate services would.
  std::vector<std::thread> joins;
  for (int i = 0; i < members; ++i)
    joins.emplace_back([&, i] {
      auto n = clients[i]->create("/election/member-", "m" + std::to_string(i), CreateMode::EphemeralSequential);
      if (n.ok()) nodes[i] = n->path;
    });
  for (auto& t : joins) t.join();
  for (int i = 0; i < members; ++i) {
    auto conf = clients[i]->get("/config");
    std::printf("member %d joined as %-32s reads /config = \"%s\" (version %d)\n", i, nodes[i].c_str(),
                conf.ok() && conf->data ? conf->data->c_str() : "?", conf.ok() ? conf->stat.version : -1);
  }
  std::string leader = leader_of(a);
  std::printf("leader: /election/%s\n", leader.c_str());

  auto updated = a.set("/config", std::string("replicas=5"), cfg->stat.version);
  if (!check(updated.status(), "update /config")) return 1;
  std::printf("admin updated /config to \"replicas=5\" (version %d); a stale update is refused: %s\n",
              updated->version, error_name(a.set("/config", std::string("x"), 0).code()).c_str());

  auto it = std::find_if(nodes.begin(), nodes.end(), [&](const std::string& p) { return p.ends_with(leader); });
  size_t li = static_cast<size_t>(it - nodes.begin());
  std::printf("leader (member %zu) closes its session; its ephemeral node is deleted\n", li);
  clients[li]->close();
  std::printf("new leader: /election/%s\n", leader_of(a).c_str());
  for (int i = 0; i < members; ++i) {
    if (static_cast<size_t>(i) == li) continue;
    auto conf = clients[i]->get("/config");
    std::printf("member %d reads /config = \"%s\"\n", i, conf.ok() && conf->data ? conf->data->c_str() : "?");
  }
  auto root = a.exists("/");
  std::printf("== done: %d members, last txid %lld, root has %d children\n", members,
              static_cast<long long>(a.last_txid()), root.ok() && *root ? (*root)->num_children : -1);
  return 0;
}

}  // namespace faaskeeper
