#include "check/model.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace faaskeeper::check::detail {

namespace {

// The reported name of a sequential create differs from the one the counter gives.
constexpr Error kNameMismatch = static_cast<Error>(-10001);

std::string error_text(Error e) {
  return e == kNameMismatch ? "a different sequential name" : error_name(e);
}

void add(std::vector<uint32_t>& v, uint32_t key) {
  if (key != kNone) v.push_back(key);
}

// Whether a reported stat includes fields that live in kids(P).
bool stat_reads_kids(const ObservedStat* s) {
  return s && (s->fields & (kStatNumChildren | kStatCversion | kStatPzxid)) != 0;
}

}  // namespace

// ---- which keys an operation touches --------------------------------------------------------

Touch touches(const Universe& u, const POp& op) {
  Touch t;
  auto node = [&](uint32_t p) { return u.node_key(p); };
  auto kids = [&](uint32_t p) { return u.kids_key(p); };
  // A child change updates the parent's count, counter and pzxid commutatively (pzxid is the
  // largest child-change zxid: see Ctx::raise_pzxid).
  auto parent_update = [&](uint32_t parent, bool counter) {
    if (parent == kNone) return;
    t.cmod.push_back(kids(parent));
    if (counter) t.counter_cmod.push_back(kids(parent));
  };
  // A node's own kids(P), reset when it is created or removed.
  auto reset_kids = [&](uint32_t p) {
    t.mod.push_back(kids(p));
    t.counter_mod.push_back(kids(p));
  };
  auto stat_kids = [&](const Step& s) {
    if (!stat_reads_kids(s.stat)) return;
    t.obs.push_back(kids(s.path));
    t.counter_obs.push_back(kids(s.path));  // cversion, and pzxid = czxid while it is 0
  };

  if (op.kind == PKind::SessionEnd) {
    add(t.obs, u.session_key(op.session));
    add(t.mod, u.session_key(op.session));
    for (uint32_t e : u.ephemerals_of(op.session)) {
      t.obs.push_back(node(e));
      t.mod.push_back(node(e));
      reset_kids(e);
      parent_update(u.parent(e), false);
    }
    for (uint32_t ph : u.phantom_keys_of(op.session)) {
      t.obs.push_back(ph);
      t.mod.push_back(ph);
      parent_update(u.keys()[ph].path, false);
    }
    return t;
  }

  for (const Step& s : op.steps) {
    switch (s.type) {
      case OpType::Create: {
        std::vector<uint32_t> targets;
        if (!s.sequential) targets.push_back(s.path);
        if (s.created != kNone) targets.push_back(s.created);
        if (s.sequential && !s.created_reported)
          targets.insert(targets.end(), s.candidates.begin(), s.candidates.end());
        t.obs.push_back(node(s.parent));
        for (uint32_t x : targets) t.obs.push_back(node(x));
        if (s.ephemeral) add(t.obs, u.session_key(op.session));
        if (s.stat)
          for (uint32_t x : targets) t.obs.push_back(kids(x));
        for (uint32_t x : targets) {
          t.mod.push_back(node(x));
          reset_kids(x);
        }
        if (s.sequential) {  // the name comes from the parent's counter
          t.counter_obs.push_back(kids(s.parent));
          t.counter_mod.push_back(kids(s.parent));
          parent_update(s.parent, false);
        } else {
          parent_update(s.parent, true);
        }
        if (s.sequential && !s.created_reported && s.ephemeral)
          add(t.mod, u.phantom_key(s.parent, op.session));
        break;
      }
      case OpType::Delete:
        t.obs.push_back(node(s.path));
        t.obs.push_back(kids(s.path));  // not empty?
        t.mod.push_back(node(s.path));
        reset_kids(s.path);
        parent_update(s.parent, false);
        break;
      case OpType::SetData:
        t.obs.push_back(node(s.path));
        stat_kids(s);
        t.mod.push_back(node(s.path));
        break;
      case OpType::Check:
        t.obs.push_back(node(s.path));
        break;
      case OpType::GetData:
      case OpType::Exists:
        t.obs.push_back(node(s.path));
        stat_kids(s);
        break;
      case OpType::GetChildren:
        t.obs.push_back(node(s.path));
        if (s.has_children) t.obs.push_back(kids(s.path));
        stat_kids(s);
        if (s.has_children)
          for (uint32_t c : u.children(s.path)) t.obs.push_back(node(c));
        break;
      case OpType::Multi:
        break;
    }
  }
  return t;
}

// ---- applying an operation ------------------------------------------------------------------

class Model::Ctx {
 public:
  // `unknown_floor`: the lower bound for zxids this op sets without knowing them; -1 means zmax.
  Ctx(const Model& m, std::vector<int64_t>& w, std::string* why, int64_t unknown_floor = -1)
      : m_(m), w_(w), why_(why), unknown_floor_(unknown_floor) {}

  int64_t get(uint32_t key, int field) const {
    const Layout& l = m_.layout_;
    if (l.partition[key] == m_.partition_) return w_[l.offset[key] + field];
    if (l.live[key]) internal_error(key);
    return m_.u_.keys()[key].initial[field];
  }
  void set(uint32_t key, int field, int64_t v) {
    const Layout& l = m_.layout_;
    if (l.partition[key] == m_.partition_) w_[l.offset[key] + field] = v;
    else if (l.live[key]) internal_error(key);
  }
  int64_t& zmax() { return w_[0]; }

  uint32_t node(uint32_t p) const { return m_.u_.node_key(p); }
  uint32_t kids(uint32_t p) const { return m_.u_.kids_key(p); }
  bool exists(uint32_t p) const { return (get(node(p), kFlags) & kExists) != 0; }

  // Sets a zxid field: the known value z, or unknown above a lower bound: the zxids this op
  // must exceed (zmax, or its position-independent floor) and the field's previous value. The
  // bound is a max, so such updates commute.
  void set_zxid(uint32_t key, int value_word, int floor_word, int64_t z) {
    if (z >= 0) {
      set(key, value_word, z);
      set(key, floor_word, 0);
      return;
    }
    int64_t prev = get(key, value_word);
    int64_t floor = std::max(unknown_floor_ >= 0 ? unknown_floor_ : zmax(), prev >= 0 ? prev : get(key, floor_word));
    set(key, value_word, kUnknownZxid);
    set(key, floor_word, floor);
  }

  // Checks a reported zxid against a field, binding the field if it was unknown.
  bool observe_zxid(uint32_t key, int value_word, int floor_word, int64_t seen) {
    int64_t v = get(key, value_word);
    if (v >= 0) return v == seen;
    if (seen <= get(key, floor_word)) return false;
    set(key, value_word, seen);
    set(key, floor_word, 0);
    zmax() = std::max(zmax(), seen);
    return true;
  }

  // A child of `parent_kids` changed at zxid z (-1: unknown). pzxid is the largest child-change
  // zxid, so it becomes a max; with an unknown side it is kept as a lower bound ("unknown, above
  // floor"). Written this way, child changes commute even when an indeterminate one is placed
  // out of zxid order (search.h), at the price of losing the exact value after unknown changes.
  void raise_pzxid(uint32_t parent_kids, int64_t z) {
    const int64_t v = get(parent_kids, kPzxid), f = get(parent_kids, kPzxidFloor);
    if (z >= 0 && v >= 0) {
      set(parent_kids, kPzxid, std::max(v, z));
      return;
    }
    const int64_t at_least = v >= 0 ? v - 1 : f;  // "> at_least" keeps the old value possible
    const int64_t base = z >= 0 ? z - 1 : unknown_floor_ >= 0 ? unknown_floor_ : zmax();
    set(parent_kids, kPzxid, kUnknownZxid);
    set(parent_kids, kPzxidFloor, std::max(at_least, base));
  }

  void remove_node(uint32_t p, int64_t z) {
    for (int f = 0; f < kNodeWords; ++f) set(node(p), f, 0);
    for (int f = 0; f < kKidsWords; ++f) set(kids(p), f, 0);
    uint32_t q = m_.u_.parent(p);
    if (q == kNone) return;
    set(kids(q), kNumChildren, get(kids(q), kNumChildren) - 1);
    raise_pzxid(kids(q), z);
  }

  Error exec(const Step& s, int64_t session, int64_t z, uint32_t& target) {
    const Universe& u = m_.u_;
    switch (s.type) {
      case OpType::Create: {
        const uint32_t q = s.parent;
        if (!exists(q)) return Error::NoNode;
        uint32_t t = s.path;
        if (s.sequential)
          t = u.path_id(s.seq_prefix + sequence_suffix(get(kids(q), kCounter)));
        if (s.created_reported && t != s.created) return kNameMismatch;
        if (t != kNone && exists(t)) return Error::NodeExists;
        if (get(node(q), kFlags) & kEphemeral) return Error::NoChildrenForEphemerals;
        if (s.ephemeral) {
          uint32_t sk = u.session_key(session);
          if (sk != kNone && get(sk, 0)) return Error::SessionExpired;
        }
        if (t != kNone) {
          uint32_t n = node(t), k = kids(t);
          set(n, kFlags, kExists | (s.ephemeral ? kEphemeral : 0));
          set(n, kOwner, s.ephemeral ? session : 0);
          set(n, kData, s.data);
          set(n, kVersion, 0);
          set_zxid(n, kCzxid, kCzxidFloor, z);
          set_zxid(n, kMzxid, kMzxidFloor, z);
          set(k, kCounter, 0);
          set(k, kNumChildren, 0);
          set_zxid(k, kPzxid, kPzxidFloor, z);
        } else if (s.ephemeral) {
          uint32_t ph = u.phantom_key(q, session);
          if (ph != kNone) set(ph, 0, get(ph, 0) + 1);
        }
        uint32_t kq = kids(q);
        set(kq, kCounter, get(kq, kCounter) + 1);
        set(kq, kNumChildren, get(kq, kNumChildren) + 1);
        raise_pzxid(kq, z);
        target = t;
        return Error::Ok;
      }
      case OpType::Delete:
        if (!exists(s.path)) return Error::NoNode;
        if (s.version != -1 && get(node(s.path), kVersion) != s.version) return Error::BadVersion;
        if (get(kids(s.path), kNumChildren) != 0) return Error::NotEmpty;
        remove_node(s.path, z);
        return Error::Ok;
      case OpType::SetData: {
        if (!exists(s.path)) return Error::NoNode;
        uint32_t n = node(s.path);
        if (s.version != -1 && get(n, kVersion) != s.version) return Error::BadVersion;
        set(n, kData, s.data);
        set(n, kVersion, get(n, kVersion) + 1);
        set_zxid(n, kMzxid, kMzxidFloor, z);
        target = s.path;
        return Error::Ok;
      }
      case OpType::Check:
        if (!exists(s.path)) return Error::NoNode;
        if (s.version != -1 && get(node(s.path), kVersion) != s.version) return Error::BadVersion;
        return Error::Ok;
      case OpType::GetData:
      case OpType::GetChildren:
        if (!exists(s.path)) return Error::NoNode;
        target = s.path;
        return Error::Ok;
      case OpType::Exists:
        target = s.path;
        return Error::Ok;
      case OpType::Multi:
        break;
    }
    return Error::Unimplemented;
  }

  // Compares what an Ok step reported with the state right after it.
  bool check_result(const Step& s, uint32_t t) {
    const Universe& u = m_.u_;
    switch (s.type) {
      case OpType::Create:
      case OpType::SetData:
        return !s.stat || t == kNone || match_stat(t, *s.stat);
      case OpType::GetData: {
        int32_t have = static_cast<int32_t>(get(node(t), kData));
        if (have != s.read_data)
          return fail("it returned data " + data_text(s.read_data) + " but the node holds " +
                      data_text(have));
        return !s.stat || match_stat(t, *s.stat);
      }
      case OpType::Exists:
        if (exists(t) != (s.stat != nullptr))
          return fail(std::string("it reported the node ") + (s.stat ? "present" : "absent") +
                      " but it is " + (exists(t) ? "present" : "absent"));
        return !s.stat || match_stat(t, *s.stat);
      case OpType::GetChildren: {
        if (s.has_children) {
          std::vector<uint32_t> have, seen = s.read_children;
          for (uint32_t c : u.children(t))
            if (exists(c)) have.push_back(c);
          std::sort(have.begin(), have.end());
          std::sort(seen.begin(), seen.end());
          if (have != seen) return fail("it listed " + names(seen) + " but the children are " + names(have));
          int64_t n = get(kids(t), kNumChildren);
          if (n != static_cast<int64_t>(seen.size()))
            return fail("it listed " + std::to_string(seen.size()) + " children but the node has " +
                        std::to_string(n) + " (some with names the history never shows)");
        }
        return !s.stat || match_stat(t, *s.stat);
      }
      default:
        return true;
    }
  }

  bool match_stat(uint32_t p, const ObservedStat& o) {
    const uint32_t n = node(p), k = kids(p);
    const Stat& s = o.stat;
    const int64_t version = get(n, kVersion);
    // kids(P) is only in the partition when the stat reports one of its fields.
    const bool kids_seen = stat_reads_kids(&o);
    const int64_t counter = kids_seen ? get(k, kCounter) : -1;
    const int64_t num = kids_seen ? get(k, kNumChildren) : -1;
    auto mismatch = [&](const char* field, int64_t seen, int64_t have) {
      return fail(std::string("it reported ") + field + " " + std::to_string(seen) + " where the state has " +
                  (have < 0 ? std::string("an unknown zxid above ") + std::to_string(-have - 1)
                            : std::to_string(have)));
    };
    if (o.has(kStatVersion) && s.version != version) return mismatch("version", s.version, version);
    if (o.has(kStatDataLength)) {
      int64_t data = get(n, kData);
      int64_t len = m_.u_.data_is_null(static_cast<int32_t>(data)) ? 0 : m_.u_.data(static_cast<int32_t>(data)).size();
      if (s.data_length != len) return mismatch("dataLength", s.data_length, len);
    }
    if (o.has(kStatEphemeralOwner) &&
        (s.ephemeral_owner != 0) != ((get(n, kFlags) & kEphemeral) != 0))
      return fail(std::string("it reported the node as ") + (s.ephemeral_owner ? "ephemeral" : "persistent") +
                  " but it is not");
    if (o.has(kStatNumChildren) && s.num_children != num) return mismatch("numChildren", s.num_children, num);
    if (o.has(kStatCversion) && s.cversion != 2 * counter - num)
      return mismatch("cversion", s.cversion, 2 * counter - num);
    auto zxid = [&](uint32_t key, int vw, int fw, int64_t seen, const char* field) {
      if (observe_zxid(key, vw, fw, seen)) return true;
      int64_t v = get(key, vw);
      return mismatch(field, seen, v >= 0 ? v : -get(key, fw) - 1);
    };
    // Invariants that tie fields together: version 0 means no setData since the create
    // (mzxid == czxid); a zero child counter means no child ever came or went (pzxid == czxid).
    if (o.has(kStatCzxid)) {
      if (!zxid(n, kCzxid, kCzxidFloor, s.czxid, "czxid")) return false;
      if (version == 0 && !zxid(n, kMzxid, kMzxidFloor, s.czxid, "mzxid (= czxid at version 0)")) return false;
      if (counter == 0 && o.has(kStatPzxid) &&
          !zxid(k, kPzxid, kPzxidFloor, s.czxid, "pzxid (= czxid without children)"))
        return false;
    }
    if (o.has(kStatMzxid)) {
      if (!zxid(n, kMzxid, kMzxidFloor, s.mzxid, "mzxid")) return false;
      if (version == 0 && !zxid(n, kCzxid, kCzxidFloor, s.mzxid, "czxid (= mzxid at version 0)")) return false;
    }
    if (o.has(kStatPzxid)) {
      if (!zxid(k, kPzxid, kPzxidFloor, s.pzxid, "pzxid")) return false;
      if (counter == 0 && !zxid(n, kCzxid, kCzxidFloor, s.pzxid, "czxid (= pzxid without children)")) return false;
    }
    return true;
  }

  void end_session(int64_t session) {
    const Universe& u = m_.u_;
    uint32_t sk = u.session_key(session);
    if (sk != kNone) set(sk, 0, 1);
    for (uint32_t e : u.ephemerals_of(session)) {
      int64_t f = get(node(e), kFlags);
      if ((f & kExists) && (f & kEphemeral) && get(node(e), kOwner) == session)
        remove_node(e, kUnknownZxid);
    }
    for (uint32_t ph : u.phantom_keys_of(session)) {
      int64_t c = get(ph, 0);
      if (c == 0) continue;
      uint32_t kq = kids(u.keys()[ph].path);
      set(kq, kNumChildren, get(kq, kNumChildren) - c);
      raise_pzxid(kq, kUnknownZxid);
      set(ph, 0, 0);
    }
  }

  bool fail(const std::string& msg) {
    if (why_) *why_ = msg;
    return false;
  }

 private:
  std::string data_text(int64_t id) const { return m_.data_text(static_cast<int32_t>(id)); }
  std::string names(const std::vector<uint32_t>& ids) const {
    std::string out = "[";
    for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + m_.u_.path(ids[i]);
    return out + "]";
  }
  [[noreturn]] void internal_error(uint32_t key) const {
    std::fprintf(stderr, "fk_check: internal error: %s touched outside its partition\n",
                 m_.u_.describe_key(key).c_str());
    std::abort();
  }

  const Model& m_;
  std::vector<int64_t>& w_;
  std::string* why_;
  int64_t unknown_floor_;
};

bool Model::apply(const POp& op, std::vector<int64_t>& words, std::string* why) const {
  const int64_t floor = float_floor_ ? (*float_floor_)[&op - u_.ops().data()] : -1;
  if (op.kind == PKind::SessionEnd) {
    Ctx(*this, words, nullptr, floor).end_session(op.session);
    return true;
  }
  const bool ok = op.outcome == OutcomeKind::Ok;
  const int64_t z = ok && !op.pure ? op.zxid : -1;
  if (z >= 0 && z <= words[0]) {
    if (why)
      *why = "its zxid " + std::to_string(z) + " is not above zxid " + std::to_string(words[0]) +
             ", already taken by an earlier change here";
    return false;
  }
  std::vector<int64_t> next = words;
  Ctx c(*this, next, why, floor);
  for (size_t i = 0; i < op.steps.size(); ++i) {
    const Step& s = op.steps[i];
    uint32_t target = kNone;
    Error e = c.exec(s, op.session, z, target);
    std::string where = op.kind == PKind::Multi ? "sub-op " + std::to_string(i) + ": " : "";
    if (e != Error::Ok) {
      if (op.outcome == OutcomeKind::Unknown) return true;  // it did nothing
      bool fits = op.outcome == OutcomeKind::Failed && e == op.error &&
                  (op.failing_step < 0 || op.failing_step == static_cast<int>(i));
      if (!fits && why)
        *why = where + "the specification gives " + error_text(e) + " here, the client saw " +
               (ok ? std::string("success") : error_name(op.error) +
                         (op.failing_step >= 0 ? " at sub-op " + std::to_string(op.failing_step) : ""));
      return fits;
    }
    if (ok && !c.check_result(s, target)) {
      if (why) *why = where + *why;
      return false;
    }
  }
  if (op.outcome == OutcomeKind::Failed) {
    if (why) *why = "the specification gives success here, the client saw " + error_name(op.error);
    return false;
  }
  if (z >= 0) next[0] = std::max(next[0], z);
  words.swap(next);
  return true;
}

bool Model::dead(const POp& op, const std::vector<int64_t>& words) const {
  if (op.kind == PKind::SessionEnd || op.outcome != OutcomeKind::Ok) return false;
  const int64_t zmax = words[0];
  if (!op.pure && op.zxid >= 0 && op.zxid <= zmax) return true;
  if (!op.read || !op.steps[0].stat) return false;
  const Step& s = op.steps[0];
  const ObservedStat& o = *s.stat;
  // Ctx needs a mutable vector but only get() is used here.
  Ctx c(*this, const_cast<std::vector<int64_t>&>(words), nullptr);
  // Every later change of a zxid field takes a zxid above zmax. So a field can still come to
  // show `seen` only if it shows it now, or if `seen` is above zmax, or (unknown field) above
  // its lower bound.
  // The zxids later changes of `key` are certain to exceed.
  auto future = [&](uint32_t key) {
    return key_float_floor_ ? std::min(zmax, (*key_float_floor_)[key]) : zmax;
  };
  // A change never lowers a zxid field (unknown ones get the previous value as lower bound).
  auto unreachable = [&](uint32_t key, int vw, int fw, int64_t seen) {
    int64_t v = c.get(key, vw);
    if (v >= 0) return v != seen && (v > seen || seen <= future(key));
    return seen <= c.get(key, fw);
  };
  const uint32_t n = u_.node_key(s.path);
  if (!c.exists(s.path))  // a later create takes a zxid above future()
    return (o.has(kStatCzxid) && o.stat.czxid <= future(n)) || (o.has(kStatMzxid) && o.stat.mzxid <= future(n));
  if (o.has(kStatMzxid) && unreachable(n, kMzxid, kMzxidFloor, o.stat.mzxid)) return true;
  if (o.has(kStatCzxid) && unreachable(n, kCzxid, kCzxidFloor, o.stat.czxid)) return true;
  if (o.has(kStatPzxid) && unreachable(u_.kids_key(s.path), kPzxid, kPzxidFloor, o.stat.pzxid)) return true;
  // Versions only grow while the node lives; if nothing can delete it, it lives forever.
  return o.has(kStatVersion) && !u_.deletable(s.path) && c.get(n, kVersion) > o.stat.version;
}

std::string Model::data_text(int32_t id) const {
  if (u_.data_is_null(id)) return "null";
  if (u_.data_is_stand_in(id)) return "(data no read returned, " + std::to_string(u_.data(id).size()) + " bytes)";
  return describe_data(u_.data(id));
}

std::optional<std::string> Model::impossible(const POp& op) const {
  if (op.kind == PKind::SessionEnd || op.outcome != OutcomeKind::Ok) return std::nullopt;
  for (const Step& s : op.steps) {
    const uint32_t p = s.type == OpType::Create ? s.created : s.path;
    if (p == kNone) continue;
    const std::string& path = u_.path(p);
    const bool shows_node = op.read ? (s.type != OpType::Exists || s.stat) : s.stat != nullptr;
    if (op.read && shows_node && !u_.can_exist(p))
      return "it shows " + path + " present, but it did not exist initially and no operation can have created it";
    if (s.type == OpType::GetData && !u_.can_hold(p, s.read_data))
      return "it returned data " + data_text(s.read_data) + ", which " + path + " never held initially and no operation wrote to it";
    if (shows_node && s.stat && s.stat->has(kStatVersion) && s.stat->stat.version > u_.max_version(p))
      return "it shows version " + std::to_string(s.stat->stat.version) + " of " + path +
             ", but its initial version and the setData operations that can have taken effect on it "
             "allow at most version " + std::to_string(u_.max_version(p));
    for (uint32_t c : s.read_children)
      if (!u_.can_exist(c))
        return "it lists " + u_.path(c) + ", which did not exist initially and no operation can have created";
  }
  return std::nullopt;
}

std::vector<int64_t> Model::initial_state(const std::vector<uint32_t>& keys) const {
  size_t size = 1;
  for (uint32_t k : keys) size = std::max(size, layout_.offset[k] + u_.keys()[k].initial.size());
  std::vector<int64_t> w(size, 0);
  w[0] = u_.initial_zmax();
  for (uint32_t k : keys)
    std::copy(u_.keys()[k].initial.begin(), u_.keys()[k].initial.end(), w.begin() + layout_.offset[k]);
  return w;
}

std::string Model::describe_state(const std::vector<uint32_t>& keys,
                                  const std::vector<int64_t>& w) const {
  std::ostringstream o;
  auto zx = [&](int64_t v, int64_t floor) {
    return v >= 0 ? std::to_string(v) : "?(>" + std::to_string(floor) + ")";
  };
  size_t shown = 0;
  for (uint32_t k : keys) {
    if (shown++ == 12) {
      o << "; ...";
      break;
    }
    const KeyInfo& info = u_.keys()[k];
    const int64_t* s = &w[layout_.offset[k]];
    if (shown > 1) o << "; ";
    switch (info.kind) {
      case KeyKind::Node:
        o << u_.path(info.path) << ": ";
        if (!(s[kFlags] & kExists)) {
          o << "absent";
          break;
        }
        o << data_text(static_cast<int32_t>(s[kData]))
          << " version=" << s[kVersion] << " czxid=" << zx(s[kCzxid], s[kCzxidFloor])
          << " mzxid=" << zx(s[kMzxid], s[kMzxidFloor]);
        if (s[kFlags] & kEphemeral) o << " ephemeral(s" << s[kOwner] << ")";
        break;
      case KeyKind::Kids:
        o << "children of " << u_.path(info.path) << ": count=" << s[kNumChildren]
          << " created=" << s[kCounter] << " pzxid=" << zx(s[kPzxid], s[kPzxidFloor]);
        break;
      case KeyKind::Session:
        o << "session " << info.session << (s[0] ? " ended" : " open");
        break;
      case KeyKind::Phantom:
        o << u_.describe_key(k) << ": " << s[0];
        break;
    }
  }
  return o.str();
}

}  // namespace faaskeeper::check::detail
