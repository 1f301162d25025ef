#include "check/universe.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <set>

namespace faaskeeper::check::detail {

namespace {

bool model_error(Error e) {
  return e == Error::NoNode || e == Error::NodeExists || e == Error::BadVersion ||
         e == Error::NotEmpty || e == Error::NoChildrenForEphemerals;
}

std::string child_path(const std::string& parent, const std::string& name) {
  return parent == "/" ? "/" + name : parent + "/" + name;
}

// Whether `path` can be the name ZooKeeper gives a sequential create of `prefix`.
bool matches_sequence(const std::string& path, const std::string& prefix) {
  if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  std::string_view rest(path);
  rest.remove_prefix(prefix.size());
  if (!rest.empty() && rest[0] == '-') rest.remove_prefix(1);
  if (rest.size() < 10) return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<int64_t> absent_node() { return std::vector<int64_t>(kNodeWords, 0); }

constexpr int64_t kNoIndex = std::numeric_limits<int64_t>::min();

// The counter value in a sequential name (its last 10 digits), or kNoIndex when it could be a
// negative one (after the counter overflowed) and so tells nothing safe.
int64_t sequence_index(const std::string& path) {
  if (path.size() < 10) return kNoIndex;
  for (size_t i = path.size() - 10; i < path.size(); ++i)
    if (path[i] < '0' || path[i] > '9') return kNoIndex;
  int64_t v = std::stoll(path.substr(path.size() - 10));
  if (v >= 1000000000 && path.size() > 10 && path[path.size() - 11] == '-') return kNoIndex;
  return v;
}

}  // namespace

std::string sequence_suffix(int64_t counter) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%010d", static_cast<int32_t>(counter));
  return buf;
}

void Universe::stand_in_unread_data() {
  std::set<std::pair<uint32_t, int32_t>> read;  // (path, data) some read returned
  for (const POp& p : ops_)
    if (p.kind == PKind::Single && p.steps[0].type == OpType::GetData && p.outcome == OutcomeKind::Ok)
      read.insert({p.steps[0].path, p.steps[0].read_data});
  std::map<std::pair<uint32_t, size_t>, int32_t> stand_ins;  // (path, length) -> id
  for (POp& p : ops_) {
    for (Step& s : p.steps) {
      uint32_t target = s.type == OpType::SetData ? s.path
                        : s.type == OpType::Create && !s.sequential ? s.path
                        : s.type == OpType::Create ? s.created
                                                   : kNone;
      if (target == kNone || s.data == 0 || data_is_stand_in(s.data) || read.count({target, s.data})) continue;
      const size_t len = data_[s.data].size();
      auto [it, fresh] = stand_ins.emplace(std::make_pair(target, len), static_cast<int32_t>(data_.size()));
      if (fresh) {
        data_.push_back(std::string(len, '?'));
        stand_in_.insert(it->second);
      }
      s.data = it->second;
    }
  }
}

void Universe::confirm_indeterminate_writes() {
  // Who may have written each (path, data): operations that may take effect, and the initial
  // state (marked kNone). Data values written by one operation only identify it.
  std::map<std::pair<uint32_t, int32_t>, std::vector<uint32_t>> writers;
  for (const auto& n : h_->initial) writers[{path_id(n.path), intern(n.data)}].push_back(kNone);
  for (uint32_t i = 0; i < ops_.size(); ++i) {
    const POp& p = ops_[i];
    if (p.rejected || p.outcome == OutcomeKind::Failed || p.read) continue;
    for (const Step& s : p.steps) {
      std::vector<uint32_t> targets;
      if (s.type == OpType::SetData) targets.push_back(s.path);
      if (s.type == OpType::Create) {
        if (s.created != kNone) targets.push_back(s.created);
        else if (!s.sequential) targets.push_back(s.path);
        else targets = s.candidates;
      }
      for (uint32_t t : targets) {
        auto& w = writers[{t, s.data}];
        if (w.empty() || w.back() != i) w.push_back(i);
      }
    }
  }
  // The smallest completion time of an acknowledged write with a zxid above z.
  std::vector<std::pair<int64_t, Nanos>> by_zxid;
  for (const POp& p : ops_)
    if (p.outcome == OutcomeKind::Ok && !p.read && !p.pure && p.zxid >= 0) by_zxid.push_back({p.zxid, p.complete});
  std::sort(by_zxid.begin(), by_zxid.end());
  for (size_t k = by_zxid.size(); k-- > 1;) by_zxid[k - 1].second = std::min(by_zxid[k - 1].second, by_zxid[k].second);
  auto first_after = [&](int64_t z) {
    auto it = std::upper_bound(by_zxid.begin(), by_zxid.end(), std::make_pair(z, kNever));
    return it == by_zxid.end() ? kNever : it->second;
  };

  for (const POp& r : ops_) {
    if (r.kind != PKind::Single || r.outcome != OutcomeKind::Ok || r.steps[0].type != OpType::GetData) continue;
    const Step& rs = r.steps[0];
    auto it = writers.find({rs.path, rs.read_data});
    if (it == writers.end() || it->second.size() != 1 || it->second[0] == kNone) continue;
    POp& w = ops_[it->second[0]];
    if (w.outcome != OutcomeKind::Unknown || r.complete < w.invoke) continue;
    // w wrote what r saw: it happened, before r completed; r's stat may tell its zxid.
    int64_t z = -1;
    for (Step& s : w.steps) {
      const bool creates_it = s.type == OpType::Create &&
                              (s.path == rs.path || s.created == rs.path ||
                               std::count(s.candidates.begin(), s.candidates.end(), rs.path));
      if (creates_it && s.data == rs.read_data && s.sequential && s.created == kNone) {
        s.created = rs.path;
        s.created_reported = true;
        s.candidates.clear();
      }
      if (!rs.stat || s.data != rs.read_data) continue;
      if (s.type == OpType::SetData && s.path == rs.path && rs.stat->has(kStatMzxid)) z = rs.stat->stat.mzxid;
      if (creates_it && rs.stat->has(kStatCzxid)) z = rs.stat->stat.czxid;
    }
    const bool first = !w.confirmed;
    w.confirmed = true;
    w.outcome = OutcomeKind::Ok;
    if (first || r.complete < w.complete) {
      w.complete = r.complete;
      w.confirmed_by = r.id;
    }
    if (z >= 0) {
      w.zxid = z;
      // Writes are ordered by zxid: w precedes every write with a larger one. (If such a write
      // completed before w was even invoked, the zxid order is broken; the zxid rules say so.)
      if (first_after(z) >= w.invoke) w.complete = std::min(w.complete, first_after(z));
    }
  }
}

uint32_t Universe::add_path(const std::string& p) {
  auto it = path_ids_.find(p);
  if (it != path_ids_.end()) return it->second;
  uint32_t parent = p == "/" ? kNone : add_path(parent_path(p));
  uint32_t id = static_cast<uint32_t>(paths_.size());
  paths_.push_back(p);
  path_ids_.emplace(p, id);
  parent_.push_back(parent);
  children_.emplace_back();
  if (parent != kNone) children_[parent].push_back(id);
  return id;
}

uint32_t Universe::path_id(const std::string& p) const {
  auto it = path_ids_.find(p);
  return it == path_ids_.end() ? kNone : it->second;
}

int32_t Universe::intern(const Data& d) {
  if (!d) return 0;
  auto [it, fresh] = data_ids_.emplace(*d, static_cast<int32_t>(data_.size()));
  if (fresh) data_.push_back(*d);
  return it->second;
}

uint32_t Universe::session_key(int64_t session) const {
  auto it = session_keys_.find(session);
  return it == session_keys_.end() ? kNone : it->second;
}

uint32_t Universe::phantom_key(uint32_t parent, int64_t session) const {
  auto it = phantom_keys_.find({parent, session});
  return it == phantom_keys_.end() ? kNone : it->second;
}

std::vector<uint32_t> Universe::phantom_keys_of(int64_t session) const {
  std::vector<uint32_t> out;
  for (const auto& [k, key] : phantom_keys_)
    if (k.second == session) out.push_back(key);
  return out;
}

const std::vector<uint32_t>& Universe::ephemerals_of(int64_t session) const {
  static const std::vector<uint32_t> kEmpty;
  auto it = ephemerals_.find(session);
  return it == ephemerals_.end() ? kEmpty : it->second;
}

std::string Universe::describe_key(uint32_t key) const {
  const KeyInfo& k = keys_[key];
  switch (k.kind) {
    case KeyKind::Node: return "node " + paths_[k.path];
    case KeyKind::Kids: return "children of " + paths_[k.path];
    case KeyKind::Session: return "session " + std::to_string(k.session);
    case KeyKind::Phantom:
      return "unnamed ephemerals of session " + std::to_string(k.session) + " under " +
             paths_[k.path];
  }
  return "?";
}

Step Universe::make_step(const Request& r) {
  Step s;
  s.type = r.type;
  s.version = r.version;
  if (r.type == OpType::Create) {
    s.sequential = is_sequential(r.mode);
    s.ephemeral = is_ephemeral(r.mode);
    s.parent = add_path(parent_path(r.path));
    if (s.sequential) s.seq_prefix = r.path;
    else s.path = add_path(r.path);
    s.data = intern(r.data);
  } else {
    s.path = add_path(r.path);
    s.parent = parent_[s.path];
    if (r.type == OpType::SetData) s.data = intern(r.data);
  }
  return s;
}

void Universe::prepare_op(const Operation& op, uint32_t index) {
  POp p;
  p.kind = op.request.type == OpType::Multi ? PKind::Multi : PKind::Single;
  p.history_index = index;
  p.id = op.id;
  p.session = op.session;
  p.invoke = op.invoke;
  p.outcome = op.outcome.kind;
  p.error = op.outcome.error;
  if (p.outcome == OutcomeKind::Failed && is_indeterminate_error(p.error)) {
    p.outcome = OutcomeKind::Unknown;
    p.error = Error::Ok;
  }
  // A timed-out request may still take effect later: its interval never closes.
  p.complete = p.outcome == OutcomeKind::Unknown ? kNever : op.complete;
  const Outcome& o = op.outcome;

  if (p.kind == PKind::Single) {
    Step s = make_step(op.request);
    p.read = is_read(s.type);
    if (s.type == OpType::Exists && p.outcome == OutcomeKind::Failed && p.error == Error::NoNode) {
      p.outcome = OutcomeKind::Ok;  // the C client's way of saying "absent"
      p.error = Error::Ok;
    }
    if (p.outcome == OutcomeKind::Ok) {
      if (o.stat) s.stat = &*o.stat;
      if (s.type == OpType::Create && !o.path.empty()) {
        s.created = add_path(o.path);
        s.created_reported = true;
      }
      if (s.type == OpType::GetData) s.read_data = intern(o.data);
      if (s.type == OpType::GetChildren && o.children) {
        s.has_children = true;
        for (const auto& name : *o.children)
          s.read_children.push_back(add_path(child_path(paths_[s.path], name)));
      }
    }
    p.steps.push_back(std::move(s));
  } else {
    for (size_t i = 0; i < op.request.ops.size(); ++i) {
      Step s = make_step(op.request.ops[i]);
      if (p.outcome == OutcomeKind::Ok && i < o.results.size()) {
        const SubResult& r = o.results[i];
        if (r.stat) s.stat = &*r.stat;
        if (s.type == OpType::Create && !r.path.empty()) {
          s.created = add_path(r.path);
          s.created_reported = true;
        }
      }
      p.steps.push_back(std::move(s));
    }
    if (p.outcome == OutcomeKind::Failed) {
      for (size_t i = 0; i < o.results.size(); ++i)
        if (o.results[i].error != Error::Ok && o.results[i].error != Error::RuntimeInconsistency) {
          p.failing_step = static_cast<int>(i);
          break;
        }
    }
  }

  p.rejected = (p.outcome == OutcomeKind::Failed && !model_error(p.error)) ||
               (p.read && p.outcome == OutcomeKind::Unknown);
  bool checks_only = p.kind == PKind::Multi &&
                     std::all_of(p.steps.begin(), p.steps.end(),
                                 [](const Step& s) { return s.type == OpType::Check; });
  p.pure = !p.rejected && p.outcome != OutcomeKind::Unknown &&
           (p.read || p.outcome == OutcomeKind::Failed || checks_only);

  // The write's own zxid, when the answer reveals it.
  if (p.outcome == OutcomeKind::Ok && !p.read) {
    for (const Step& s : p.steps) {
      if (!s.stat) continue;
      if (s.type == OpType::Create && s.stat->has(kStatCzxid)) p.zxid = s.stat->stat.czxid;
      else if (s.stat->has(kStatMzxid)) p.zxid = s.stat->stat.mzxid;
      if (p.zxid >= 0) break;
    }
    if (p.zxid < 0 && o.zxid >= 0) p.zxid = o.zxid;
  }
  ops_.push_back(std::move(p));
}

bool Universe::can_hold(uint32_t path, int32_t data) const {
  const auto& v = writable_data_[path];
  return std::binary_search(v.begin(), v.end(), data);
}

Universe::Universe(const History& h, std::vector<std::string>& problems, std::vector<std::string>& notes)
    : h_(&h) {
  data_.push_back("");  // id 0: null data
  add_path("/");
  std::map<uint32_t, const InitialNode*> declared;
  for (const auto& n : h.initial) {
    uint32_t id = add_path(n.path);
    if (declared.count(id)) problems.push_back("initial node " + n.path + " declared twice");
    declared[id] = &n;
    intern(n.data);
  }
  for (uint32_t i = 0; i < h.ops.size(); ++i) prepare_op(h.ops[i], i);

  // Sequential creates whose name the history does not report could have made any path that
  // matches their prefix -- except names below one handed out (under the same parent, which has
  // one counter) by a create that completed before they were invoked.
  std::map<uint32_t, std::vector<std::pair<Nanos, int64_t>>> handed_out;  // parent -> (complete, index)
  for (const POp& p : ops_)
    if (p.outcome == OutcomeKind::Ok)
      for (const Step& s : p.steps)
        if (s.sequential && s.created != kNone && sequence_index(paths_[s.created]) != kNoIndex)
          handed_out[s.parent].push_back({p.complete, sequence_index(paths_[s.created])});
  for (auto& [parent, v] : handed_out) {
    std::sort(v.begin(), v.end());
    for (size_t k = 1; k < v.size(); ++k) v[k].second = std::max(v[k].second, v[k - 1].second);
  }
  for (POp& p : ops_) {
    for (Step& s : p.steps) {
      if (!s.sequential || s.created_reported) continue;
      int64_t lowest = kNoIndex;
      if (auto it = handed_out.find(s.parent); it != handed_out.end()) {
        auto before = std::lower_bound(it->second.begin(), it->second.end(), std::make_pair(p.invoke, int64_t{-1}));
        if (before != it->second.begin()) lowest = (before - 1)->second + 1;
      }
      for (uint32_t c : children_[s.parent])
        if (matches_sequence(paths_[c], s.seq_prefix) &&
            (sequence_index(paths_[c]) == kNoIndex || sequence_index(paths_[c]) >= lowest))
          s.candidates.push_back(c);
    }
  }

  confirm_indeterminate_writes();

  // Which paths the history looks at or creates, and which it creates.
  std::vector<bool> targeted(paths_.size(), false), created(paths_.size(), false);
  for (const POp& p : ops_) {
    for (const Step& s : p.steps) {
      if (s.path != kNone) targeted[s.path] = true;
      if (s.created != kNone) targeted[s.created] = created[s.created] = true;
      if (s.type == OpType::Create && p.outcome != OutcomeKind::Failed) {
        if (!s.sequential) created[s.path] = true;
        for (uint32_t c : s.candidates) created[c] = true;
      }
      for (uint32_t c : s.read_children) targeted[c] = true;
    }
  }
  for (const auto& [id, n] : declared) targeted[id] = true;

  // Ephemerals each session may own.
  for (const auto& [id, n] : declared)
    if (n->owner) ephemerals_[*n->owner].push_back(id);
  std::set<std::pair<uint32_t, int64_t>> phantom_parents;
  for (const POp& p : ops_) {
    if (p.outcome == OutcomeKind::Failed || p.rejected) continue;
    for (const Step& s : p.steps) {
      if (s.type != OpType::Create || !s.ephemeral) continue;
      auto& list = ephemerals_[p.session];
      if (s.created != kNone) list.push_back(s.created);
      else if (!s.sequential) list.push_back(s.path);
      else {
        list.insert(list.end(), s.candidates.begin(), s.candidates.end());
        phantom_parents.insert({s.parent, p.session});
      }
    }
  }
  for (auto& [session, list] : ephemerals_) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }

  // Initial state of every path.
  const uint32_t n = static_cast<uint32_t>(paths_.size());
  keys_.resize(2 * n);
  std::vector<int64_t> declared_children(n, 0);
  for (const auto& [id, node] : declared)
    if (parent_[id] != kNone) ++declared_children[parent_[id]];
  for (uint32_t id = 0; id < n; ++id) {
    KeyInfo& node = keys_[id];
    KeyInfo& kids = keys_[n + id];
    node.kind = KeyKind::Node;
    kids.kind = KeyKind::Kids;
    node.path = kids.path = id;
    node.initial = absent_node();
    kids.initial.assign(kKidsWords, 0);
    auto it = declared.find(id);
    if (it != declared.end()) {
      const InitialNode& d = *it->second;
      const ObservedStat& st = d.stat;
      if (!st.has(kStatVersion | kStatCversion))
        problems.push_back("initial node " + d.path + ": its stat must report version and cversion");
      int64_t num_children = st.has(kStatNumChildren) ? st.stat.num_children : declared_children[id];
      if (num_children != declared_children[id])
        problems.push_back("initial node " + d.path + " has numChildren " +
                           std::to_string(num_children) + " but " +
                           std::to_string(declared_children[id]) +
                           " declared children: declare every child");
      node.initial[kFlags] = kExists | (d.owner ? kEphemeral : 0);
      node.initial[kOwner] = d.owner.value_or(0);
      node.initial[kData] = intern(d.data);
      node.initial[kVersion] = st.stat.version;
      auto zxid = [&](uint32_t bit, int64_t v, int value_word, int floor_word,
                      std::vector<int64_t>& words) {
        words[value_word] = st.has(bit) ? v : kUnknownZxid;
        words[floor_word] = 0;
        if (st.has(bit)) initial_zmax_ = std::max(initial_zmax_, v);
      };
      zxid(kStatCzxid, st.stat.czxid, kCzxid, kCzxidFloor, node.initial);
      zxid(kStatMzxid, st.stat.mzxid, kMzxid, kMzxidFloor, node.initial);
      zxid(kStatPzxid, st.stat.pzxid, kPzxid, kPzxidFloor, kids.initial);
      // ZooKeeper shows cversion = 2 * stored counter - numChildren.
      int64_t twice = static_cast<int64_t>(st.stat.cversion) + num_children;
      if (twice % 2 != 0)
        problems.push_back("initial node " + d.path + ": cversion + numChildren must be even");
      kids.initial[kCounter] = twice / 2;
      kids.initial[kNumChildren] = num_children;
    } else if (id == 0 || (!targeted[id] && !children_[id].empty())) {
      // The root, and ancestors nobody looks at: present scaffolding.
      node.initial[kFlags] = kExists;
    }
  }

  // A path the history shows present that nobody created must have existed before: a
  // forgotten declaration, which would otherwise turn into false anomalies.
  std::vector<bool> seen_present(n, false);
  for (const POp& p : ops_) {
    if (p.outcome != OutcomeKind::Ok) continue;
    for (const Step& s : p.steps) {
      if (s.type == OpType::Create) seen_present[s.parent] = true;
      else if (s.type != OpType::Exists || s.stat) seen_present[s.path] = true;
      for (uint32_t c : s.read_children) seen_present[c] = true;
    }
  }
  for (uint32_t id = 0; id < n; ++id) {
    if (declared.count(id) || id == 0 || created[id] || !targeted[id] || !seen_present[id]) continue;
    notes.push_back("path " + paths_[id] +
                    " is seen present but neither declared as an initial node nor created by an "
                    "operation; if it existed before the history began, declare it");
  }
  for (const POp& p : ops_)
    for (const Step& s : p.steps)
      if (s.sequential && !declared.count(s.parent) && !created[s.parent])
        problems.push_back("sequential creates under " + paths_[s.parent] +
                           " need it declared as an initial node (its child counter decides "
                           "the names) or created by an operation");
  std::sort(problems.begin(), problems.end());
  problems.erase(std::unique(problems.begin(), problems.end()), problems.end());

  // Session and phantom keys.
  for (uint32_t i = 0; i < h.session_ends.size(); ++i) {
    const SessionEnd& e = h.session_ends[i];
    if (!session_keys_.count(e.session)) {
      session_keys_[e.session] = static_cast<uint32_t>(keys_.size());
      keys_.push_back(KeyInfo{KeyKind::Session, kNone, e.session, {0}});
    }
    POp p;
    p.kind = PKind::SessionEnd;
    p.end_index = i;
    p.session = e.session;
    p.invoke = e.invoke;
    p.complete = e.complete;
    p.outcome = e.complete == kNever ? OutcomeKind::Unknown : OutcomeKind::Ok;
    ops_.push_back(std::move(p));
  }
  // What each path can ever hold, for the static checks.
  deletable_.assign(n, false);
  can_exist_.assign(n, false);
  max_version_.assign(n, 0);
  writable_data_.assign(n, {});
  for (uint32_t id = 0; id < n; ++id) {
    if (!(keys_[id].initial[kFlags] & kExists)) continue;
    can_exist_[id] = true;
    max_version_[id] = keys_[id].initial[kVersion];
    writable_data_[id].push_back(static_cast<int32_t>(keys_[id].initial[kData]));
  }
  for (const POp& p : ops_) {
    if (p.rejected || p.outcome == OutcomeKind::Failed) continue;
    if (p.kind == PKind::SessionEnd)
      for (uint32_t e : ephemerals_of(p.session)) deletable_[e] = true;
    for (const Step& s : p.steps) {
      if (s.type == OpType::Delete) deletable_[s.path] = true;
      if (s.type == OpType::SetData) {
        ++max_version_[s.path];
        writable_data_[s.path].push_back(s.data);
      }
      if (s.type == OpType::Create) {
        std::vector<uint32_t> targets = s.candidates;
        if (s.created != kNone) targets.push_back(s.created);
        if (!s.sequential) targets.push_back(s.path);
        for (uint32_t t : targets) {
          can_exist_[t] = true;
          writable_data_[t].push_back(s.data);
        }
      }
    }
  }
  for (auto& v : writable_data_) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  stand_in_unread_data();  // last: everything above needs the real data
  for (const auto& [parent, session] : phantom_parents) {
    phantom_keys_[{parent, session}] = static_cast<uint32_t>(keys_.size());
    keys_.push_back(KeyInfo{KeyKind::Phantom, parent, session, {0}});
  }
}

}  // namespace faaskeeper::check::detail
