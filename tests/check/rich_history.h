// Test helper: random histories over the whole feature set, correct by construction.
//
// Like random_history.h (a sequential execution, one op every 1000 ns, intervals around each
// point), but with its own reference implementation of the ZooKeeper tree covering multi,
// sequential and ephemeral creates, children listings with full stats, session ends that delete
// ephemerals, and one-shot watches with their notifications (delivered 1 ns after the change).
#pragma once

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "builder.h"

namespace faaskeeper::check::testing {

struct RichSpec {
  uint32_t seed = 1;
  int ops = 400;
  int keys = 4;
  int sessions = 5;
  Nanos spread = 4000;
  double indeterminate = 0.05;
  double session_end_rate = 0.01;
};

struct RichHistory {
  History h;
  // Reads that showed a change a watch of their session had fired for, invoked after the
  // arming read completed: dropping the notifications must make the checker complain.
  int revealing_reads = 0;
};

class RichGenerator {
 public:
  explicit RichGenerator(const RichSpec& spec) : spec_(spec), rng_(spec.seed) {}

  RichHistory run() {
    declare("/r", "", spec_.keys / 2);
    declare("/s", "", 0);
    for (int k = 0; k < spec_.keys / 2; ++k) declare("/r/k" + std::to_string(k), "init", 0);
    for (int s = 0; s < spec_.sessions; ++s) slots_.push_back(next_session_++);
    last_invoke_.assign(spec_.sessions, 0);
    for (int i = 0; i < spec_.ops; ++i) step(i);
    return std::move(out_);
  }

 private:
  struct N {
    bool exists = false;
    std::string data;
    int32_t version = 0;
    int64_t czxid = 0, mzxid = 0, pzxid = 0;
    int32_t counter = 0, num = 0;
    int64_t owner = 0;  // session, if ephemeral
  };
  using Tree = std::map<std::string, N>;
  struct Arm {
    int64_t zxid;      // mzxid (data), pzxid (child), -1 (absent)
    Nanos complete;    // of the arming read
    bool fired = false;
  };

  int64_t uni(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  void declare(const std::string& path, const std::string& data, int children) {
    N n{true, data, 0, 1, 1, 1, children, children, 0};
    tree_[path] = n;
    InitialNode in;
    in.path = path;
    in.data = data;
    in.stat = ObservedStat(stat_of(n));
    out_.h.initial.push_back(in);
  }

  static Stat stat_of(const N& n) {
    Stat s;
    s.czxid = n.czxid;
    s.mzxid = n.mzxid;
    s.pzxid = n.pzxid;
    s.version = n.version;
    s.cversion = 2 * n.counter - n.num;
    s.num_children = n.num;
    s.data_length = static_cast<int32_t>(n.data.size());
    s.ephemeral_owner = n.owner ? n.owner + 1000 : 0;
    return s;
  }

  std::vector<std::string> children_of(const Tree& t, const std::string& p) const {
    std::vector<std::string> out;
    for (const auto& [path, n] : t)
      if (n.exists && parent_path(path) == p && path != p) out.push_back(path.substr(p.size() + 1));
    return out;
  }

  // ---- writes on a tree copy; events are collected and fired only on commit ----------------
  struct Event {
    std::string path;
    EventType type;
    bool child;  // for child watches (else data watches)
  };

  Error create(Tree& t, std::string path, const std::string& data, CreateMode mode, int64_t session,
               int64_t z, std::string& created, std::vector<Event>& ev) {
    std::string parent = parent_path(path);
    N& p = t[parent];
    if (!p.exists) return Error::NoNode;
    if (is_sequential(mode)) path += sequence_suffix(p.counter);
    if (t[path].exists) return Error::NodeExists;
    if (p.owner) return Error::NoChildrenForEphemerals;
    t[path] = N{true, data, 0, z, z, z, 0, 0, is_ephemeral(mode) ? session : 0};
    ++p.counter;
    ++p.num;
    p.pzxid = z;
    created = path;
    ev.push_back({path, EventType::NodeCreated, false});
    ev.push_back({parent, EventType::NodeChildrenChanged, true});
    return Error::Ok;
  }
  Error remove(Tree& t, const std::string& path, int32_t version, int64_t z, std::vector<Event>& ev) {
    N& n = t[path];
    if (!n.exists) return Error::NoNode;
    if (version != -1 && version != n.version) return Error::BadVersion;
    if (n.num) return Error::NotEmpty;
    n = N{};
    N& p = t[parent_path(path)];
    --p.num;
    p.pzxid = z;
    ev.push_back({path, EventType::NodeDeleted, false});
    ev.push_back({path, EventType::NodeDeleted, true});
    ev.push_back({parent_path(path), EventType::NodeChildrenChanged, true});
    return Error::Ok;
  }
  Error set(Tree& t, const std::string& path, const std::string& data, int32_t version, int64_t z,
            std::vector<Event>& ev) {
    N& n = t[path];
    if (!n.exists) return Error::NoNode;
    if (version != -1 && version != n.version) return Error::BadVersion;
    n.data = data;
    ++n.version;
    n.mzxid = z;
    ev.push_back({path, EventType::NodeDataChanged, false});
    return Error::Ok;
  }
  Error check(Tree& t, const std::string& path, int32_t version) {
    N& n = t[path];
    if (!n.exists) return Error::NoNode;
    return version != -1 && version != n.version ? Error::BadVersion : Error::Ok;
  }

  // Delivers the events of a committed change to the sessions watching.
  void fire(const std::vector<Event>& ev, int64_t zxid, Nanos point) {
    for (const Event& e : ev) {
      auto& arms = e.child ? child_arms_ : data_arms_;
      for (auto& [key, arm] : arms) {
        if (key.second != e.path || arm.fired || !active(key.first)) continue;
        arm.fired = true;
        out_.h.notifications.push_back({key.first, e.path, e.type, zxid, point + 1});
      }
    }
  }
  bool active(int64_t session) const {
    return std::find(slots_.begin(), slots_.end(), session) != slots_.end();
  }

  std::string random_key() { return "/r/k" + std::to_string(uni(0, spec_.keys - 1)); }
  std::string random_seq_child() {
    auto names = children_of(tree_, "/s");
    if (!names.empty() && chance(0.8)) return "/s/" + names[uni(0, names.size() - 1)];
    return "/s/n-" + sequence_suffix(uni(0, std::max<int64_t>(0, tree_["/s"].counter)));
  }
  CreateMode random_mode(bool sequential) {
    bool eph = chance(0.3);
    if (sequential) return eph ? CreateMode::EphemeralSequential : CreateMode::PersistentSequential;
    return eph ? CreateMode::Ephemeral : CreateMode::Persistent;
  }
  int32_t random_version(const std::string& path) {
    const N& n = tree_[path];
    return chance(0.5) ? -1 : chance(0.7) ? n.version : n.version + 1;
  }

  // A random write request (also used for multi sub-ops).
  Request random_write(int kind) {
    std::string key = random_key();
    std::string value = "v" + std::to_string(value_++);
    switch (kind) {
      case 0: return testing::set(key, value, random_version(key));
      case 1: return testing::create(key, value, random_mode(false));
      case 2: return testing::del(key, chance(0.7) ? -1 : tree_[key].version);
      case 3: return testing::create("/s/n-", value, random_mode(true));
      case 4: return testing::del(random_seq_child(), -1);
      default: return testing::check_version(key, random_version(key));
    }
  }

  // Applies one write request (or sub-op) to `t`; fills the sub-result on success.
  Error apply(Tree& t, const Request& r, int64_t session, int64_t z, SubResult& res, std::vector<Event>& ev) {
    std::string created;
    Error e = Error::Ok;
    switch (r.type) {
      case OpType::SetData:
        e = set(t, r.path, *r.data, r.version, z, ev);
        if (e == Error::Ok) res.stat = ObservedStat(stat_of(t[r.path]));
        break;
      case OpType::Create:
        e = create(t, r.path, *r.data, r.mode, session, z, created, ev);
        if (e == Error::Ok) {
          res.path = created;
          res.stat = ObservedStat(stat_of(t[created]));
        }
        break;
      case OpType::Delete: e = remove(t, r.path, r.version, z, ev); break;
      default: e = check(t, r.path, r.version); break;
    }
    res.error = e;
    return e;
  }

  void end_session(int slot, Nanos point) {
    int64_t session = slots_[slot];
    std::vector<Event> ev;
    std::vector<std::string> doomed;
    for (const auto& [path, n] : tree_)
      if (n.exists && n.owner == session) doomed.push_back(path);
    int64_t z = doomed.empty() ? zxid_ : zxid_ + 1;
    for (const auto& p : doomed) remove(tree_, p, -1, z, ev);
    zxid_ = z;
    slots_[slot] = next_session_++;  // the slot continues with a fresh session
    fire(ev, z, point);
    SessionEnd e{session, point - uni(0, spec_.spread), chance(0.5) ? point + uni(0, spec_.spread) : kNever};
    out_.h.session_ends.push_back(e);
  }

  void step(int i) {
    const Nanos point = 1000 * (i + 1);
    const int slot = static_cast<int>(uni(0, spec_.sessions - 1));
    if (chance(spec_.session_end_rate)) {
      end_session(slot, point);
      return;
    }
    const int64_t session = slots_[slot];
    const Nanos invoke = std::max(last_invoke_[slot] + 1, point - uni(0, spec_.spread));
    const Nanos complete = point + uni(0, spec_.spread);
    last_invoke_[slot] = invoke;

    const int roll = static_cast<int>(uni(0, 99));
    Request req;
    Outcome o;
    if (roll < 40) {  // reads
      const int kind = static_cast<int>(uni(0, 3));
      const bool watch = chance(0.4);
      std::string path = kind == 3 ? (chance(0.5) ? "/s" : "/r") : chance(0.7) ? random_key() : random_seq_child();
      const N& n = tree_[path];
      req = kind == 0 ? get(path, watch) : kind == 1 || kind == 2 ? exists(path, watch) : children(path, watch);
      if (req.type == OpType::Exists) o = n.exists ? ok_stat(ObservedStat(stat_of(n))) : ok();
      else if (!n.exists) o = fail(Error::NoNode);
      else if (req.type == OpType::GetData) o = ok_data(n.data, ObservedStat(stat_of(n)));
      else o = ok_children(children_of(tree_, path), ObservedStat(stat_of(n)));
      observe(session, req, n, invoke, complete);
      out_.h.ops.push_back(make_op(session, invoke, complete, req, o));
      return;
    }
    // writes
    const bool lost = chance(spec_.indeterminate);
    const bool happens = !lost || chance(0.5);
    Tree t = tree_;
    const int64_t z = zxid_ + 1;
    std::vector<Event> ev;
    if (roll < 85) {
      req = random_write(static_cast<int>(uni(0, 4)));
      SubResult res;
      Error e = apply(t, req, session, z, res, ev);
      if (e != Error::Ok) o = fail(e);
      else {
        o = ok();
        o.path = res.path;
        o.stat = res.stat;
      }
    } else {
      req = multi({random_write(static_cast<int>(uni(0, 5))), random_write(static_cast<int>(uni(0, 5)))});
      o = ok();
      Error first = Error::Ok;
      for (const Request& sub : req.ops) {
        SubResult res;
        if (first != Error::Ok) res.error = Error::RuntimeInconsistency;
        else if ((first = apply(t, sub, session, z, res, ev)) != Error::Ok) {
          for (auto& prior : o.results) prior = SubResult{Error::Ok};  // rolled back
        }
        o.results.push_back(res);
      }
      if (first != Error::Ok) {
        o.kind = OutcomeKind::Failed;
        o.error = first;
        o.zxid = -1;
      }
    }
    const bool changed = o.kind == OutcomeKind::Ok && !ev.empty();
    if (lost) o = unknown();
    if (happens && changed) {
      tree_ = std::move(t);
      zxid_ = z;
      fire(ev, z, point);
    } else if (happens && o.kind == OutcomeKind::Ok && req.type == OpType::Multi) {
      zxid_ = z;  // a multi of checks only still takes a zxid
    }
    out_.h.ops.push_back(make_op(session, invoke, complete, req, o));
  }

  // Arms watches and counts reads that reveal a fired watch's change.
  void observe(int64_t session, const Request& r, const N& n, Nanos invoke, Nanos complete) {
    const std::pair<int64_t, std::string> key{session, r.path};
    const bool child = r.type == OpType::GetChildren;
    auto& arms = child ? child_arms_ : data_arms_;
    auto it = arms.find(key);
    if (it != arms.end() && it->second.fired && invoke >= it->second.complete) {
      int64_t now = !n.exists ? -2 : child ? n.pzxid : n.mzxid;
      if (now != it->second.zxid) ++out_.revealing_reads;
    }
    if (!r.watch) return;
    if (!n.exists && r.type != OpType::Exists) return;  // getData/getChildren on a missing node: no watch
    Arm a{!n.exists ? -1 : child ? n.pzxid : n.mzxid, complete};
    if (it == arms.end() || it->second.fired) arms[key] = a;
  }

  Operation make_op(int64_t session, Nanos invoke, Nanos complete, Request r, Outcome o) {
    Operation op;
    op.id = out_.h.ops.size();
    op.session = session;
    op.seq = seq_[session]++;
    op.invoke = invoke;
    op.complete = o.kind == OutcomeKind::Unknown ? kNever : complete;
    op.request = std::move(r);
    op.outcome = std::move(o);
    return op;
  }

  static std::string sequence_suffix(int64_t c) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%010d", static_cast<int>(c));
    return buf;
  }

  RichSpec spec_;
  std::mt19937_64 rng_;
  Tree tree_;
  int64_t zxid_ = 1;
  int value_ = 0;
  std::vector<int64_t> slots_;
  int64_t next_session_ = 1;
  std::vector<Nanos> last_invoke_;
  std::map<int64_t, uint64_t> seq_;
  std::map<std::pair<int64_t, std::string>, Arm> data_arms_, child_arms_;
  RichHistory out_;
};

inline RichHistory rich_history(const RichSpec& spec) { return RichGenerator(spec).run(); }

}  // namespace faaskeeper::check::testing
