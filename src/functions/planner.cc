#include "functions/planner.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/path.h"
#include "functions/reap_rules.h"

namespace faaskeeper {

namespace {

constexpr int64_t kMaxTtlMs = 0xFF'FFFF'FFFFLL;

Status fail(Error e, std::string msg) { return Status(e, std::move(msg)); }

// The multi-op overlay: what each touched node looks like after the ops applied so far.
class Overlay {
 public:
  explicit Overlay(NodeView& base) : base_(base) {}

  Result<std::optional<schema::NodeState>> get(const std::string& path) {
    auto it = entries_.find(path);
    if (it != entries_.end()) return it->second.cur;
    auto r = base_.lookup(path);
    if (!r.ok()) return r.status();
    Entry e{*r, *r, false, std::nullopt, false};
    auto cur = e.cur;
    entries_.emplace(path, std::move(e));
    return cur;
  }
  // Callers get() a path before put()/erase() it.
  void put(const std::string& path, schema::NodeState node) {
    Entry& e = entries_.at(path);
    if (!e.cur) e.recreated = true;
    e.cur = std::move(node);
  }
  void set_data(const std::string& path, Data d) {
    Entry& e = entries_.at(path);
    e.data_changed = true;
    e.data = std::move(d);
  }
  void erase(const std::string& path) {
    Entry& e = entries_.at(path);
    e.cur.reset();
    e.data_changed = false;
    e.data.reset();
  }

  std::vector<NodeWrite> writes() const {
    std::vector<NodeWrite> out;
    for (const auto& [path, e] : entries_) {
      if (!e.base && !e.cur) continue;
      bool changed = e.recreated || e.data_changed || !e.cur || !e.base ||
                     !(e.cur->meta == e.base->meta) || e.cur->children != e.base->children;
      if (!changed) continue;
      NodeWrite w;
      w.path = path;
      w.deleted = !e.cur;
      w.created = e.cur && (e.recreated || !e.base);
      if (e.cur) w.meta = e.cur->meta;
      w.data_changed = e.data_changed;
      w.data = e.data;
      std::vector<std::string> before = e.base && !w.created ? e.base->children : std::vector<std::string>{};
      std::vector<std::string> after = e.cur ? e.cur->children : std::vector<std::string>{};
      std::set_difference(after.begin(), after.end(), before.begin(), before.end(), std::back_inserter(w.children_add));
      std::set_difference(before.begin(), before.end(), after.begin(), after.end(), std::back_inserter(w.children_remove));
      out.push_back(std::move(w));
    }
    return out;
  }

 private:
  struct Entry {
    std::optional<schema::NodeState> base, cur;
    bool data_changed;
    Data data;
    bool recreated;  // deleted then created again within this transaction
  };
  NodeView& base_;
  std::map<std::string, Entry> entries_;
};

void insert_sorted(std::vector<std::string>& v, const std::string& s) {
  auto it = std::lower_bound(v.begin(), v.end(), s);
  if (it == v.end() || *it != s) v.insert(it, s);
}
void erase_sorted(std::vector<std::string>& v, const std::string& s) {
  auto it = std::lower_bound(v.begin(), v.end(), s);
  if (it != v.end() && *it == s) v.erase(it);
}

// Records an ephemeral- or reap-index change; within one multi, a create and a delete of the
// same node cancel out (the index item must appear at most once in the commit).
template <class Entry>
void note_index(std::vector<Entry>& into, std::vector<Entry>& opposite, Entry e) {
  auto it = std::find(opposite.begin(), opposite.end(), e);
  if (it != opposite.end())
    opposite.erase(it);
  else
    into.push_back(std::move(e));
}

Status check_data_size(const Data& d) {
  if (d && d->size() > kMaxDataBytes)
    return fail(Error::BadArguments, "data is " + std::to_string(d->size()) +
                                         " bytes; the limit is " + std::to_string(kMaxDataBytes));
  return Status::OK();
}

// Each apply_* validates one op against the overlay and, if it passes, applies it there.
// A non-OK Status with a ZooKeeper code is the op's failure; `infra` carries lookup failures.
struct Applier {
  Overlay& ov;
  Plan& plan;
  const PlanInput& in;
  Status infra;

  std::optional<std::optional<schema::NodeState>> lookup(const std::string& p) {
    auto r = ov.get(p);
    if (!r.ok()) {
      infra = r.status();
      return std::nullopt;
    }
    return *r;
  }

  Status create(const CreateRequest& c, OpResult& out) {
    if (!is_valid_create_mode(static_cast<int32_t>(c.mode)))
      return fail(Error::BadArguments, "unknown create mode " + std::to_string(static_cast<int32_t>(c.mode)));
    if (is_ttl(c.mode)) {
      if (c.ttl_ms <= 0 || c.ttl_ms > kMaxTtlMs)
        return fail(Error::BadArguments, "TTL must be in (0, " + std::to_string(kMaxTtlMs) + "] ms");
    } else if (c.ttl_ms >= 0) {
      return fail(Error::BadArguments, "a TTL is only valid with a TTL create mode");
    }
    size_t slash = c.path.rfind('/');
    if (slash == std::string::npos || c.path.find('\0') != std::string::npos)
      return fail(Error::BadArguments, "invalid path \"" + c.path + "\"");
    if (Status s = check_data_size(c.data); !s.ok()) return s;
    if (c.path == "/") return fail(Error::NodeExists, "/ already exists");
    std::string parent_path = slash == 0 ? "/" : c.path.substr(0, slash);
    auto parent = lookup(parent_path);
    if (!parent) return infra;
    if (!*parent) return fail(Error::NoNode, "parent " + parent_path + " does not exist");
    std::string path = c.path;
    if (is_sequential(c.mode)) path += sequential_suffix((*parent)->meta.child_counter);
    if (Status s = validate_path(path); !s.ok()) return s;
    auto existing = lookup(path);
    if (!existing) return infra;
    if (*existing) return fail(Error::NodeExists, path + " already exists");
    if (is_ephemeral((*parent)->meta.mode))
      return fail(Error::NoChildrenForEphemerals, "parent " + parent_path + " is ephemeral");

    schema::NodeState node;
    NodeMeta& m = node.meta;
    m.czxid = m.mzxid = m.pzxid = kPendingTxid;
    m.ctime = m.mtime = in.now_ms;
    m.ephemeral_owner = is_ephemeral(c.mode) ? in.session_id : 0;
    m.data_length = c.data ? static_cast<int32_t>(c.data->size()) : 0;
    m.mode = c.mode;
    m.ttl_ms = is_ttl(c.mode) ? c.ttl_ms : -1;
    ov.put(path, node);
    ov.set_data(path, c.data);

    schema::NodeState p = **parent;
    // Java int arithmetic: after INT32_MAX the stored counter wraps to INT32_MIN (§7.6).
    p.meta.child_counter = static_cast<int32_t>(static_cast<uint32_t>(p.meta.child_counter) + 1u);
    p.meta.num_children += 1;
    p.meta.pzxid = kPendingTxid;
    insert_sorted(p.children, basename_of(path));
    ov.put(parent_path, std::move(p));

    if (is_ephemeral(c.mode)) note_index(plan.ephemerals_add, plan.ephemerals_remove, EphemeralEntry{in.session_id, path});
    if (schema::is_reapable(c.mode)) note_index(plan.reapables_add, plan.reapables_remove, path);
    plan.triggers.push_back({EventType::NodeCreated, path});
    plan.triggers.push_back({EventType::NodeChildrenChanged, parent_path});
    out.path = path;
    out.stat = m.to_stat(kPendingTxid);
    return Status::OK();
  }

  Status remove(const DeleteRequest& d) {
    size_t slash = d.path.rfind('/');
    if (slash == std::string::npos || d.path.find('\0') != std::string::npos || is_protected_path(d.path))
      return fail(Error::BadArguments, "cannot delete \"" + d.path + "\"");
    std::string parent_path = slash == 0 ? "/" : d.path.substr(0, slash);
    auto parent = lookup(parent_path);
    if (!parent) return infra;
    if (!*parent) return fail(Error::NoNode, d.path + " does not exist");
    auto node = lookup(d.path);
    if (!node) return infra;
    if (!*node) return fail(Error::NoNode, d.path + " does not exist");
    const NodeMeta& m = (*node)->meta;
    if (d.version != -1 && d.version != m.version)
      return fail(Error::BadVersion, d.path + " has version " + std::to_string(m.version) +
                                         ", not " + std::to_string(d.version));
    if (m.num_children > 0) return fail(Error::NotEmpty, d.path + " has children");

    if (is_ephemeral(m.mode)) note_index(plan.ephemerals_remove, plan.ephemerals_add, EphemeralEntry{m.ephemeral_owner, d.path});
    if (schema::is_reapable(m.mode)) note_index(plan.reapables_remove, plan.reapables_add, d.path);
    ov.erase(d.path);
    schema::NodeState p = **parent;
    p.meta.num_children -= 1;
    p.meta.pzxid = kPendingTxid;
    erase_sorted(p.children, basename_of(d.path));
    ov.put(parent_path, std::move(p));
    plan.triggers.push_back({EventType::NodeDeleted, d.path});
    plan.triggers.push_back({EventType::NodeChildrenChanged, parent_path});
    return Status::OK();
  }

  // The reaper's delete: only the very node the reaper judged due, and only if it still is.
  // The leases taken here are held until the commit, so a create under the container or a
  // setData that commits first makes this fail, and one that comes later waits for the lease
  // and then finds the node gone (NONODE), as in ZooKeeper.
  Status reap(const ReapRequest& r) {
    size_t slash = r.path.rfind('/');
    if (slash == std::string::npos || is_protected_path(r.path))
      return fail(Error::BadArguments, "cannot reap \"" + r.path + "\"");
    auto parent = lookup(slash == 0 ? "/" : r.path.substr(0, slash));
    if (!parent) return infra;
    auto node = lookup(r.path);
    if (!node) return infra;
    if (!*node) return fail(Error::NoNode, r.path + " does not exist");
    const NodeMeta& m = (*node)->meta;
    if (m.czxid != r.czxid || m.mzxid != r.mzxid || m.pzxid != r.pzxid)
      return fail(Error::BadVersion, r.path + " changed since the reaper looked");
    if (m.num_children > 0) return fail(Error::NotEmpty, r.path + " has children");
    if (!reap_due(m, in.now_ms)) return fail(Error::BadVersion, r.path + " is not due for reaping");
    return remove(DeleteRequest{r.path, -1});
  }

  // Shared by setData and check: path validation, existence, version.
  Status find_versioned(const std::string& path, int32_t version,
                        std::optional<schema::NodeState>& found) {
    if (Status s = validate_path(path); !s.ok()) return s;
    auto node = lookup(path);
    if (!node) return infra;
    if (!*node) return fail(Error::NoNode, path + " does not exist");
    if (version != -1 && version != (*node)->meta.version)
      return fail(Error::BadVersion, path + " has version " + std::to_string((*node)->meta.version) +
                                         ", not " + std::to_string(version));
    found = *node;
    return Status::OK();
  }

  Status set_data(const SetDataRequest& s, OpResult& out) {
    if (Status st = validate_path(s.path); !st.ok()) return st;
    if (Status st = check_data_size(s.data); !st.ok()) return st;
    std::optional<schema::NodeState> node;
    if (Status st = find_versioned(s.path, s.version, node); !st.ok()) return st;
    NodeMeta& m = node->meta;
    m.version = next_version(m.version);
    m.mzxid = kPendingTxid;
    m.mtime = in.now_ms;
    m.data_length = s.data ? static_cast<int32_t>(s.data->size()) : 0;
    out.stat = m.to_stat(kPendingTxid);
    ov.put(s.path, *node);
    ov.set_data(s.path, s.data);
    plan.triggers.push_back({EventType::NodeDataChanged, s.path});
    return Status::OK();
  }

  Status check(const CheckRequest& c) {
    std::optional<schema::NodeState> node;
    return find_versioned(c.path, c.version, node);
  }

  Status apply(const MultiOp& op, OpResult& out) {
    return std::visit([&](const auto& o) -> Status {
      using T = std::decay_t<decltype(o)>;
      if constexpr (std::is_same_v<T, CreateRequest>) return create(o, out);
      else if constexpr (std::is_same_v<T, DeleteRequest>) return remove(o);
      else if constexpr (std::is_same_v<T, SetDataRequest>) return set_data(o, out);
      else return check(o);
    }, op);
  }
};

}  // namespace

int32_t next_version(int32_t v) {
  int32_t n = v == INT32_MAX ? INT32_MIN : v + 1;
  return n == -1 ? 0 : n;
}

Result<Plan> plan_operation(NodeView& view, const Operation& op, const PlanInput& in) {
  Plan plan;
  Overlay ov(view);
  Applier a{ov, plan, in, Status::OK()};

  std::vector<MultiOp> ops;
  bool is_multi = false;
  // A failure: nothing applies. Multi results follow ZooKeeper: 0 before, the code, -2 after.
  auto failed_plan = [&](const Status& s, size_t failing, size_t count) {
    Plan failed;
    failed.reply.err = s.code();
    failed.reply.message = s.message();
    failed.reply.results.resize(count);
    for (size_t j = 0; j < count; ++j)
      failed.reply.results[j].err = j < failing ? Error::Ok : j == failing ? s.code() : Error::RuntimeInconsistency;
    return failed;
  };
  if (auto* m = std::get_if<MultiRequest>(&op)) {
    ops = m->ops;
    is_multi = true;
  } else if (auto* c = std::get_if<CreateRequest>(&op)) {
    ops.push_back(*c);
  } else if (auto* d = std::get_if<DeleteRequest>(&op)) {
    ops.push_back(*d);
  } else if (auto* s = std::get_if<SetDataRequest>(&op)) {
    ops.push_back(*s);
  } else if (auto* sy = std::get_if<SyncRequest>(&op)) {
    OpResult r;
    r.path = sy->path;  // sync echoes its path and checks nothing (ZooKeeper)
    plan.reply.results.push_back(r);
    return plan;
  } else if (auto* rp = std::get_if<ReapRequest>(&op)) {
    plan.reply.results.resize(1);
    Status s = a.reap(*rp);
    if (!a.infra.ok()) return a.infra;
    if (!s.ok()) return failed_plan(s, 0, 1);
    plan.writes = ov.writes();
    return plan;
  } else {
    return Status(Error::BadArguments, "session operations are not planned here");
  }

  plan.reply.results.resize(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) {
    Status s = a.apply(ops[i], plan.reply.results[i]);
    if (!a.infra.ok()) return a.infra;
    if (s.ok()) continue;
    return is_multi ? failed_plan(s, i, ops.size()) : failed_plan(s, 0, 1);
  }
  plan.writes = ov.writes();
  return plan;
}

}  // namespace faaskeeper
