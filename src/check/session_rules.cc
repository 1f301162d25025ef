// FIFO client order, read-your-writes and monotonic reads (docs/checker.md, "Session rules").
#include <algorithm>
#include <limits>
#include <map>

#include "check/rules.h"

namespace faaskeeper::check::detail {

namespace {

enum class ChangeKind : uint8_t { Write, Delete, Seen };

// A change of a path known to exist with its zxid: an acknowledged write that reported its
// zxid, or a zxid some read reported (a read showing mzxid M proves a change at M).
struct Change {
  int64_t zxid;
  uint32_t op;  // POp index
  ChangeKind kind;
};

// A create or delete that may have happened (acknowledged or unanswered) and its interval.
struct Event {
  Nanos invoke, complete;
  int64_t zxid;  // -1 if unknown
};

// The session's latest completed write step on a path: issue order, then step order in a multi.
struct OwnWrite {
  uint32_t op;
  uint64_t seq;
  size_t step;
  bool is_delete;
};

class SessionOrder {
 public:
  SessionOrder(const Universe& u, AnomalySink& out) : u_(u), out_(out) { index(); }

  void run() {
    std::map<int64_t, std::vector<uint32_t>> by_session;
    for (uint32_t i = 0; i < u_.ops().size(); ++i) {
      const POp& p = u_.ops()[i];
      if (p.kind != PKind::SessionEnd && !p.rejected) by_session[p.session].push_back(i);
    }
    for (auto& [session, ops] : by_session) {
      fifo(ops);
      reads(ops);
    }
  }

 private:
  const Operation& hop(uint32_t i) const { return u_.history().ops[u_.ops()[i].history_index]; }
  uint64_t id(uint32_t i) const { return u_.ops()[i].id; }
  // Whether the client saw the answer (a confirmed write's answer was never seen).
  static bool answered(const POp& p) { return p.outcome != OutcomeKind::Unknown && !p.confirmed; }
  static bool may_happen(const POp& p) { return !p.rejected && p.outcome != OutcomeKind::Failed; }

  // The path a create step made, if the history tells.
  static uint32_t created_path(const Step& s) {
    if (s.created != kNone) return s.created;
    return s.sequential ? kNone : s.path;
  }

  void index() {
    const auto& ops = u_.ops();
    for (uint32_t i = 0; i < ops.size(); ++i) {
      const POp& p = ops[i];
      if (p.kind == PKind::SessionEnd) {
        for (uint32_t e : u_.ephemerals_of(p.session))
          deletes_[e].push_back({p.invoke, p.complete, -1});
        continue;
      }
      if (!may_happen(p)) continue;
      const int64_t z = p.outcome == OutcomeKind::Ok ? p.zxid : -1;
      if (auto v = read_view(p); v && v->stat) {
        if (v->stat->has(kStatMzxid)) data_[v->path].push_back({v->stat->stat.mzxid, i, ChangeKind::Seen});
        if (v->stat->has(kStatPzxid)) kids_[v->path].push_back({v->stat->stat.pzxid, i, ChangeKind::Seen});
      }
      for (const Step& s : p.steps) {
        switch (s.type) {
          case OpType::Create: {
            uint32_t t = created_path(s);
            std::vector<uint32_t> targets = t != kNone ? std::vector<uint32_t>{t} : s.candidates;
            for (uint32_t c : targets) creates_[c].push_back({p.invoke, p.complete, z});
            if (z >= 0 && t != kNone) {
              data_[t].push_back({z, i, ChangeKind::Write});
              kids_[s.parent].push_back({z, i, ChangeKind::Write});
            }
            break;
          }
          case OpType::SetData:
            if (z >= 0) data_[s.path].push_back({z, i, ChangeKind::Write});
            break;
          case OpType::Delete:
            deletes_[s.path].push_back({p.invoke, p.complete, z});
            if (z >= 0) {
              data_[s.path].push_back({z, i, ChangeKind::Delete});
              if (s.parent != kNone) kids_[s.parent].push_back({z, i, ChangeKind::Write});
            }
            break;
          default:
            break;
        }
      }
    }
    // Stable: changes with one zxid (a multi) keep their step order, so the last is the newest.
    for (auto* m : {&data_, &kids_})
      for (auto& [path, v] : *m)
        std::stable_sort(v.begin(), v.end(), [](const Change& a, const Change& b) { return a.zxid < b.zxid; });
  }

  // Whether some create/delete event on `path` may lie between `after` and `before` (real time)
  // with a zxid above `min_zxid`.
  static bool may_lie_between(const std::map<uint32_t, std::vector<Event>>& events, uint32_t path,
                              Nanos after, Nanos before, int64_t min_zxid) {
    auto it = events.find(path);
    if (it == events.end()) return false;
    for (const Event& e : it->second)
      if (e.invoke < before && e.complete > after && (e.zxid < 0 || e.zxid > min_zxid)) return true;
    return false;
  }

  // The newest known change of `path` at or below `zxid`.
  static const Change* newest_at_most(const std::map<uint32_t, std::vector<Change>>& changes,
                                      uint32_t path, int64_t zxid) {
    auto it = changes.find(path);
    if (it == changes.end()) return nullptr;
    const auto& v = it->second;
    auto pos = std::upper_bound(v.begin(), v.end(), zxid,
                                [](int64_t z, const Change& c) { return z < c.zxid; });
    return pos == v.begin() ? nullptr : &*(pos - 1);
  }

  // FIFO: an acknowledged write with zxid Z must come after everything its session's earlier
  // requests revealed.
  void fifo(const std::vector<uint32_t>& ops) {
    std::vector<uint32_t> by_seq = ops;
    std::sort(by_seq.begin(), by_seq.end(), [&](uint32_t a, uint32_t b) { return hop(a).seq < hop(b).seq; });
    int64_t max_seen = -1;
    uint32_t witness = kNone;
    for (uint32_t i : by_seq) {
      const POp& p = u_.ops()[i];
      if (p.outcome == OutcomeKind::Ok && !p.read && !p.pure && p.zxid >= 0 && p.zxid < max_seen) {
        const Operation& w = hop(witness);
        out_.add(AnomalyKind::FifoOrder, hop(i).request.path, {id(witness), id(i)},
                 "session " + std::to_string(p.session) + " issued #" + std::to_string(id(i)) +
                     " (seq " + std::to_string(hop(i).seq) + ") after #" + std::to_string(w.id) +
                     " (seq " + std::to_string(w.seq) + "), but it took effect at zxid " +
                     std::to_string(p.zxid) + ", before zxid " + std::to_string(max_seen) +
                     " which the earlier request " +
                     (u_.ops()[witness].read ? "observed" : "took effect at") + ": " +
                     describe(w) + " / " + describe(hop(i)));
      }
      int64_t z = revealed_zxid(u_, p);
      if (z > max_seen) {
        max_seen = z;
        witness = i;
      }
    }
  }

  // Read-your-writes and monotonic reads for every answered read of the session.
  void reads(const std::vector<uint32_t>& ops) {
    std::vector<uint32_t> done = ops, rd;
    std::erase_if(done, [&](uint32_t i) { return !answered(u_.ops()[i]); });
    std::sort(done.begin(), done.end(), [&](uint32_t a, uint32_t b) { return u_.ops()[a].complete < u_.ops()[b].complete; });
    for (uint32_t i : ops)
      if (read_view(u_.ops()[i])) rd.push_back(i);
    std::sort(rd.begin(), rd.end(), [&](uint32_t a, uint32_t b) { return u_.ops()[a].invoke < u_.ops()[b].invoke; });

    size_t next_done = 0;
    int64_t seen = -1;
    uint32_t seen_by = kNone;
    std::map<uint32_t, OwnWrite> own;                // path -> latest completed own write
    std::map<uint32_t, uint32_t> last_read;          // path -> latest completed read of it
    for (uint32_t r : rd) {
      const POp& rp = u_.ops()[r];
      // Everything of this session that completed before the read was invoked.
      while (next_done < done.size() && u_.ops()[done[next_done]].complete < rp.invoke) {
        uint32_t d = done[next_done++];
        const POp& dp = u_.ops()[d];
        int64_t z = revealed_zxid(u_, dp);
        if (z > seen) {
          seen = z;
          seen_by = d;
        }
        if (dp.outcome == OutcomeKind::Ok && !dp.read) {
          const uint64_t seq = hop(d).seq;
          for (size_t k = 0; k < dp.steps.size(); ++k) {
            const Step& s = dp.steps[k];
            uint32_t path = s.type == OpType::Create ? created_path(s)
                            : s.type == OpType::SetData || s.type == OpType::Delete ? s.path
                                                                                    : kNone;
            if (path == kNone) continue;
            auto it = own.find(path);
            if (it == own.end() || it->second.seq < seq || (it->second.seq == seq && it->second.step < k))
              own[path] = OwnWrite{d, seq, k, s.type == OpType::Delete};
          }
        }
        if (auto v = read_view(dp)) last_read[v->path] = d;
      }
      const ReadView v = *read_view(rp);
      auto mine = own.find(v.path);
      if (mine == own.end() || !read_your_writes(r, v, mine->second)) monotonic(r, v, seen, seen_by, last_read);
    }
  }

  // Checks the read against the session's latest completed write of its path; returns whether
  // it reported an anomaly.
  bool read_your_writes(uint32_t r, const ReadView& v, const OwnWrite& w) {
    const POp& rp = u_.ops()[r];
    const POp& wp = u_.ops()[w.op];
    const int64_t z = wp.zxid;
    const bool has_m = v.stat && v.stat->has(kStatMzxid);
    const bool has_c = v.stat && v.stat->has(kStatCzxid);
    std::string why;
    if (!w.is_delete) {
      if (v.exists && has_m && z >= 0 && v.stat->stat.mzxid < z)
        why = "it shows mzxid " + std::to_string(v.stat->stat.mzxid) +
              ", older than the session's own write at zxid " + std::to_string(z);
      else if (!v.exists && !may_lie_between(deletes_, v.path, wp.invoke, rp.complete, z))
        why = "it shows the node absent, yet the session wrote it and no delete can have happened since";
    } else {
      if (v.exists && z >= 0 && ((has_m && v.stat->stat.mzxid < z) || (has_c && v.stat->stat.czxid < z)))
        why = "it shows the node as it was before the session's own delete at zxid " + std::to_string(z);
      else if (v.exists && !may_lie_between(creates_, v.path, wp.invoke, rp.complete, -1))
        why = "it shows the node present, yet the session deleted it and no create can have happened since";
    }
    if (why.empty()) return false;
    out_.add(AnomalyKind::ReadYourWrites, u_.path(v.path), {id(w.op), id(r)},
             "read #" + std::to_string(id(r)) + " by session " + std::to_string(rp.session) +
                 " was invoked after its write #" + std::to_string(id(w.op)) + " completed, but " + why + ": " +
                 describe(hop(w.op)) + " / " + describe(hop(r)));
    return true;
  }

  void monotonic(uint32_t r, const ReadView& v, int64_t seen, uint32_t seen_by,
                 const std::map<uint32_t, uint32_t>& last_read) {
    const POp& rp = u_.ops()[r];
    const Operation& rh = hop(r);
    auto report = [&](uint32_t witness, std::vector<uint64_t> ops, const std::string& why) {
      (void)witness;
      out_.add(AnomalyKind::MonotonicReads, u_.path(v.path), std::move(ops),
               "read #" + std::to_string(id(r)) + " by session " + std::to_string(rp.session) + " " + why +
                   ": " + describe(rh));
    };
    const std::string seen_text = seen_by == kNone ? "" : "the session had already seen zxid " + std::to_string(seen) +
                                                           " (#" + std::to_string(id(seen_by)) + ")";
    if (seen >= 0 && rh.outcome.zxid >= 0 && rh.outcome.zxid < seen) {
      report(seen_by, {id(seen_by), id(r)},
             "was answered from a view at zxid " + std::to_string(rh.outcome.zxid) + ", but " + seen_text);
      return;
    }
    if (seen >= 0) {
      if (const Change* c = newest_at_most(data_, v.path, seen)) {
        const bool has_m = v.stat && v.stat->has(kStatMzxid);
        std::string why;
        if (v.exists && has_m && v.stat->stat.mzxid < c->zxid)
          why = "shows mzxid " + std::to_string(v.stat->stat.mzxid) + ", older than the change at zxid " +
                std::to_string(c->zxid) + " (#" + std::to_string(id(c->op)) + ")";
        else if (!v.exists && c->kind != ChangeKind::Delete &&
                 !may_lie_between(deletes_, v.path, std::numeric_limits<Nanos>::min(), rp.complete, c->zxid))
          why = "shows the node absent, but it existed at zxid " + std::to_string(c->zxid) + " (#" +
                std::to_string(id(c->op)) + ") and no delete can have followed";
        if (!why.empty()) {
          report(c->op, {id(seen_by), id(c->op), id(r)}, why + ", and " + seen_text);
          return;
        }
      }
      if (v.exists && v.stat && v.stat->has(kStatPzxid)) {
        if (const Change* c = newest_at_most(kids_, v.path, seen); c && v.stat->stat.pzxid < c->zxid) {
          report(c->op, {id(seen_by), id(c->op), id(r)},
                 "shows pzxid " + std::to_string(v.stat->stat.pzxid) + ", older than the change of its children at zxid " +
                     std::to_string(c->zxid) + " (#" + std::to_string(id(c->op)) + "), and " + seen_text);
          return;
        }
      }
    }
    // Without zxids: the same incarnation's version must not go back.
    auto prev = last_read.find(v.path);
    if (prev == last_read.end() || !v.exists || !v.stat) return;
    auto pv = read_view(u_.ops()[prev->second]);
    const ObservedStat* ps = pv->stat;
    if (!pv->exists || !ps || !ps->has(kStatCzxid | kStatVersion) || !v.stat->has(kStatCzxid | kStatVersion)) return;
    if (ps->stat.czxid == v.stat->stat.czxid && v.stat->stat.version < ps->stat.version)
      report(prev->second, {id(prev->second), id(r)},
             "shows version " + std::to_string(v.stat->stat.version) + " after the session's read #" +
                 std::to_string(id(prev->second)) + " had shown version " + std::to_string(ps->stat.version));
  }

  const Universe& u_;
  AnomalySink& out_;
  std::map<uint32_t, std::vector<Change>> data_, kids_;
  std::map<uint32_t, std::vector<Event>> creates_, deletes_;
};

}  // namespace

void check_session_order(const Universe& u, AnomalySink& out) { SessionOrder(u, out).run(); }

}  // namespace faaskeeper::check::detail
