// Watch-before-data (docs/checker.md, "Watch before data").
//
// A read R0 with watch=true that succeeded arms a standard (one-shot) watch of its session S on
// its path P, at the version R0 saw. A later read R of P by S (invoked after R0 completed) that
// shows P changed since that version proves the watch fired before R's view; S must then have
// accepted a matching notification for P at a time in [R0.invoke, R.complete], with a zxid in
// (armed zxid, zxid R shows] when both are known.
#include <algorithm>
#include <map>
#include <set>

#include "check/rules.h"

namespace faaskeeper::check::detail {

namespace {

enum class WatchKind { Data, Creation, Child };

bool is_data_event(EventType t) {
  return t == EventType::NodeCreated || t == EventType::NodeDeleted || t == EventType::NodeDataChanged;
}
bool is_child_event(EventType t) {
  return t == EventType::NodeChildrenChanged || t == EventType::NodeDeleted;
}

std::vector<std::string> sorted_children(const POp& p, const Universe& u) {
  const auto& c = u.history().ops[p.history_index].outcome.children;
  std::vector<std::string> v = c ? *c : std::vector<std::string>{};
  std::sort(v.begin(), v.end());
  return v;
}

class Watches {
 public:
  Watches(const Universe& u, AnomalySink& out) : u_(u), out_(out) {
    for (const auto& n : u.history().notifications) {
      uint32_t p = u.path_id(n.path);
      if (p != kNone) notes_[{n.session, p}].push_back(&n);
    }
    for (auto& [k, v] : notes_)
      std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->time < b->time; });
    for (uint32_t i = 0; i < u.ops().size(); ++i) {
      const POp& p = u.ops()[i];
      if (p.kind != PKind::SessionEnd && read_view(p)) reads_[{p.session, p.steps[0].path}].push_back(i);
    }
    for (auto& [k, v] : reads_)
      std::sort(v.begin(), v.end(), [&](uint32_t a, uint32_t b) { return u.ops()[a].invoke < u.ops()[b].invoke; });
  }

  void run() {
    for (const auto& [key, reads] : reads_)
      for (size_t i = 0; i < reads.size(); ++i) arming(key, reads, i);
  }

 private:
  void arming(const std::pair<int64_t, uint32_t>& key, const std::vector<uint32_t>& reads, size_t i) {
    const POp& r0 = u_.ops()[reads[i]];
    const Step& s0 = r0.steps[0];
    const Operation& h0 = u_.history().ops[r0.history_index];
    if (!h0.request.watch) return;
    const ReadView v0 = *read_view(r0);
    WatchKind kind;
    int64_t armed = -1;  // zxid of the armed version, -1 if unknown
    if (s0.type == OpType::GetChildren) {
      if (!v0.exists) return;  // no watch is set on a missing node
      kind = WatchKind::Child;
      if (v0.stat && v0.stat->has(kStatPzxid)) armed = v0.stat->stat.pzxid;
      else if (!s0.has_children) return;
    } else if (v0.exists) {
      if (!v0.stat || !v0.stat->has(kStatMzxid)) return;
      kind = WatchKind::Data;
      armed = v0.stat->stat.mzxid;
    } else {
      if (s0.type != OpType::Exists) return;  // getData on a missing node sets no watch
      kind = WatchKind::Creation;
    }

    for (size_t j = i + 1; j < reads.size(); ++j) {
      const POp& r = u_.ops()[reads[j]];
      if (r.invoke < r0.complete) continue;
      const ReadView v = *read_view(r);
      int64_t upper = -1;  // the change's zxid is at most this, if known
      bool changed = false;
      switch (kind) {
        case WatchKind::Data:
          if (!v.exists) changed = true;
          else if (v.stat && v.stat->has(kStatMzxid) && v.stat->stat.mzxid > armed) {
            changed = true;
            upper = v.stat->stat.mzxid;
          }
          break;
        case WatchKind::Creation:
          if (v.exists) {
            changed = true;
            if (v.stat && v.stat->has(kStatCzxid)) upper = v.stat->stat.czxid;
            else if (v.stat && v.stat->has(kStatMzxid)) upper = v.stat->stat.mzxid;
          }
          break;
        case WatchKind::Child:
          if (!v.exists) changed = true;
          else if (armed >= 0 && v.stat && v.stat->has(kStatPzxid)) {
            if (v.stat->stat.pzxid > armed) {
              changed = true;
              upper = v.stat->stat.pzxid;
            }
          } else if (armed < 0 && v.step->type == OpType::GetChildren && v.step->has_children &&
                     sorted_children(r, u_) != sorted_children(r0, u_)) {
            changed = true;
          }
          break;
      }
      if (!changed) continue;
      if (!notified(key, kind, r0.invoke, r.complete, armed, upper) && reported_.insert(reads[j]).second) {
        const Operation& h = u_.history().ops[r.history_index];
        const char* what = kind == WatchKind::Child ? "child" : kind == WatchKind::Data ? "data" : "exists";
        out_.add(AnomalyKind::WatchBeforeData, u_.path(key.second), {r0.id, r.id},
                 std::string("session ") + std::to_string(key.first) + " armed a " + what + " watch with #" +
                     std::to_string(r0.id) + (armed >= 0 ? " at zxid " + std::to_string(armed) : "") +
                     ", then read #" + std::to_string(r.id) + " showed the node changed" +
                     (upper >= 0 ? " (zxid " + std::to_string(upper) + ")" : "") +
                     " before the session received the notification: " + describe(h0) + " / " + describe(h));
      }
      return;  // this read proves the watch fired; later reads add nothing for this arming
    }
  }

  bool notified(const std::pair<int64_t, uint32_t>& key, WatchKind kind, Nanos from, Nanos to,
                int64_t armed, int64_t upper) const {
    auto it = notes_.find(key);
    if (it == notes_.end()) return false;
    for (const WatchNotification* n : it->second) {
      if (n->time < from) continue;
      if (n->time > to) break;
      if (!(kind == WatchKind::Child ? is_child_event(n->type) : is_data_event(n->type))) continue;
      if (n->zxid >= 0 && ((armed >= 0 && n->zxid <= armed) || (upper >= 0 && n->zxid > upper))) continue;
      return true;
    }
    return false;
  }

  const Universe& u_;
  AnomalySink& out_;
  std::map<std::pair<int64_t, uint32_t>, std::vector<const WatchNotification*>> notes_;
  std::map<std::pair<int64_t, uint32_t>, std::vector<uint32_t>> reads_;
  std::set<uint32_t> reported_;
};

}  // namespace

void check_watches(const Universe& u, AnomalySink& out) { Watches(u, out).run(); }

}  // namespace faaskeeper::check::detail
