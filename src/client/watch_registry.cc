#include "client/watch_registry.h"

#include <algorithm>

namespace faaskeeper {

namespace {
bool covers(const std::string& root, const std::string& path) {
  if (root == "/" || root == path) return true;
  return path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
}
int64_t max_zxid(const Stat& s) { return std::max({s.czxid, s.mzxid, s.pzxid}); }
}  // namespace

void WatchRegistry::arm(const std::string& path, WatchKind kind, bool node_exists, int64_t zxid, Watcher w) {
  Armed& a = table_[{path, kind}];
  a.node_exists = node_exists;
  a.zxid = zxid;
  if (w) a.watchers.push_back(std::move(w));
}

void WatchRegistry::join(const std::string& path, WatchKind kind, Watcher w) {
  if (w) table_.at({path, kind}).watchers.push_back(std::move(w));
}

std::vector<Watcher> WatchRegistry::on_event(const WatchedEvent& e) {
  std::vector<Watcher> out;
  auto take = [&](WatchKind kind) {
    auto it = table_.find({e.path, kind});
    if (it == table_.end()) return;
    out.insert(out.end(), it->second.watchers.begin(), it->second.watchers.end());
    table_.erase(it);
  };
  auto keep = [&](const std::string& path, WatchKind kind) {
    auto it = table_.find({path, kind});
    if (it == table_.end()) return;
    out.insert(out.end(), it->second.watchers.begin(), it->second.watchers.end());
    it->second.zxid = std::max(it->second.zxid, e.zxid);
  };
  switch (e.type) {
    case EventType::NodeCreated:
    case EventType::NodeDataChanged:
      take(WatchKind::Data);
      break;
    case EventType::NodeDeleted:
      take(WatchKind::Data);
      take(WatchKind::Child);
      break;
    case EventType::NodeChildrenChanged:
      take(WatchKind::Child);
      break;
    default:
      return out;
  }
  keep(e.path, WatchKind::Persistent);
  if (e.type != EventType::NodeChildrenChanged)
    for (auto& [key, armed] : table_)
      if (key.second == WatchKind::PersistentRecursive && covers(key.first, e.path)) keep(key.first, key.second);
  return out;
}

bool WatchRegistry::owes_event(const std::string& path, const std::optional<Stat>& node) const {
  for (const auto& [key, a] : table_) {
    const auto& [wpath, kind] = key;
    switch (kind) {
      case WatchKind::Data:
        if (wpath != path) break;
        if (a.node_exists ? (!node || node->mzxid > a.zxid) : node.has_value()) return true;
        break;
      case WatchKind::Child:
        if (wpath == path && (!node || node->pzxid > a.zxid)) return true;
        break;
      case WatchKind::Persistent:
        if (wpath == path && node && max_zxid(*node) > a.zxid) return true;
        break;
      case WatchKind::PersistentRecursive:
        if (covers(wpath, path) && node && max_zxid(*node) > a.zxid) return true;
        break;
    }
  }
  return false;
}

std::vector<WatchKind> WatchRegistry::kinds_of(WatcherType type) {
  switch (type) {
    case WatcherType::Children: return {WatchKind::Child};
    case WatcherType::Data: return {WatchKind::Data};
    case WatcherType::Any:
      return {WatchKind::Data, WatchKind::Child, WatchKind::Persistent, WatchKind::PersistentRecursive};
    case WatcherType::Persistent: return {WatchKind::Persistent};
    case WatcherType::PersistentRecursive: return {WatchKind::PersistentRecursive};
  }
  return {};
}

std::vector<WatchKind> WatchRegistry::remove(const std::string& path, WatcherType type) {
  std::vector<WatchKind> removed;
  for (WatchKind k : kinds_of(type))
    if (table_.erase({path, k})) removed.push_back(k);
  return removed;
}

bool WatchRegistry::has(const std::string& path, WatcherType type) const {
  for (WatchKind k : kinds_of(type))
    if (table_.count({path, k})) return true;
  return false;
}

}  // namespace faaskeeper
