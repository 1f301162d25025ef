#include "check/checker.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>

#include "check/model.h"
#include "check/partition.h"
#include "check/rules.h"
#include "check/search.h"
#include "check/universe.h"
#include "check/validate.h"

namespace faaskeeper::check {

namespace {

using detail::PKind;
using detail::POp;

std::string describe_pop(const detail::Universe& u, const POp& p) {
  if (p.kind != PKind::SessionEnd)
    return describe(u.history().ops[p.history_index]) +
           (p.confirmed ? " (but read #" + std::to_string(p.confirmed_by) + " shows it took effect" +
                              (p.zxid >= 0 ? ", at zxid " + std::to_string(p.zxid) : "") + ")"
                        : "");
  const SessionEnd& e = u.history().session_ends[p.end_index];
  return "end of session " + std::to_string(e.session) + " (deletes its ephemerals) in [" +
         std::to_string(e.invoke) + ", " + (e.complete == kNever ? "never" : std::to_string(e.complete)) + "]";
}

// Runs the model on a partition's operations, indexed as the search sees them.
class SearchAdapter : public detail::SearchModel {
 public:
  SearchAdapter(const detail::Universe& u, const detail::Model& m, const std::vector<uint32_t>& local)
      : u_(u), m_(m), local_(local) {}
  bool step(uint32_t op, std::vector<int64_t>& state) const override {
    return m_.apply(u_.ops()[local_[op]], state);
  }
  bool dead(uint32_t op, const std::vector<int64_t>& state) const override {
    return m_.dead(u_.ops()[local_[op]], state);
  }

 private:
  const detail::Universe& u_;
  const detail::Model& m_;
  const std::vector<uint32_t>& local_;
};

// The zxid floors of a partition's floating operations (those that never complete): the largest
// known zxid of a write that completed before they were invoked, which does not depend on where
// they are linearized; and, per key, the smallest floor of a floating operation that may change
// it. Both vectors are indexed globally; only this partition's entries are written.
void float_floors(const detail::Universe& u, const detail::Partition& part,
                  std::vector<int64_t>& by_op, std::vector<int64_t>& by_key) {
  std::vector<std::pair<Nanos, int64_t>> done;  // (complete, running max zxid)
  for (uint32_t i : part.ops) {
    const POp& p = u.ops()[i];
    if (p.outcome == OutcomeKind::Ok && !p.pure && p.zxid >= 0) done.push_back({p.complete, p.zxid});
  }
  std::sort(done.begin(), done.end());
  for (size_t k = 1; k < done.size(); ++k) done[k].second = std::max(done[k].second, done[k - 1].second);
  for (uint32_t i : part.ops) {
    const POp& p = u.ops()[i];
    if (p.complete != kNever) continue;
    auto it = std::lower_bound(done.begin(), done.end(), std::make_pair(p.invoke, int64_t{-1}));
    by_op[i] = std::max(u.initial_zmax(), it == done.begin() ? int64_t{0} : (it - 1)->second);
    detail::Touch t = detail::touches(u, p);
    for (const auto* keys : {&t.mod, &t.cmod, &t.counter_mod, &t.counter_cmod})
      for (uint32_t key : *keys) by_key[key] = std::min(by_key[key], by_op[i]);
  }
}

// The operations as the search sees them: intervals (reads start at -infinity when they may be
// stale) and conflict keys. A kids key's counter is a conflict key of its own (2k + 1).
// Operations that never complete and would have exactly the same effect (same steps with the
// same arguments, the same zxid floor, the same session where it matters) share a class.
uint32_t symmetry_class(const POp& p, int64_t floor,
                        std::map<std::vector<int64_t>, uint32_t>& classes) {
  if (p.kind == PKind::SessionEnd) return 0xffffffffu;  // sessions differ
  std::vector<int64_t> sig{static_cast<int64_t>(p.kind), floor};
  bool ephemeral = false;
  for (const detail::Step& s : p.steps) {
    sig.insert(sig.end(), {static_cast<int64_t>(s.type), s.path, s.parent, s.sequential, s.ephemeral,
                           static_cast<int64_t>(s.created), s.data, s.version,
                           static_cast<int64_t>(s.candidates.size())});
    sig.insert(sig.end(), s.candidates.begin(), s.candidates.end());
    for (char c : s.seq_prefix) sig.push_back(c);
    ephemeral |= s.ephemeral;
  }
  if (ephemeral) sig.push_back(p.session);
  return classes.emplace(std::move(sig), static_cast<uint32_t>(classes.size())).first->second;
}

std::vector<detail::SearchOp> search_ops(const detail::Universe& u, const detail::Partitioning& parts,
                                         uint32_t pi, const std::vector<uint32_t>& local,
                                         bool linearizable_reads, const std::vector<int64_t>& floor_by_op) {
  std::map<std::vector<int64_t>, uint32_t> classes;
  std::map<uint32_t, uint32_t> key_index;
  for (uint32_t key : parts.parts[pi].keys) key_index.emplace(key, static_cast<uint32_t>(key_index.size()));
  std::vector<detail::SearchOp> out;
  out.reserve(local.size());
  for (uint32_t i : local) {
    const POp& p = u.ops()[i];
    detail::SearchOp so{!linearizable_reads && p.read ? std::numeric_limits<Nanos>::min() : p.invoke,
                        p.complete, p.pure, {}, {}, {}};
    detail::Touch t = detail::touches(u, p);
    // Keys outside the partition are constants or unobserved: no conflicts through them.
    auto local_keys = [&](const std::vector<uint32_t>& keys, bool counter, std::vector<uint32_t>& to) {
      for (uint32_t key : keys)
        if (parts.layout.partition[key] == pi) to.push_back(2 * key_index.at(key) + (counter ? 1 : 0));
    };
    local_keys(t.obs, false, so.obs);
    local_keys(t.counter_obs, true, so.obs);
    if (!p.pure && p.outcome != OutcomeKind::Failed) {  // only these can change anything
      local_keys(t.mod, false, so.mod);
      local_keys(t.counter_mod, true, so.mod);
      local_keys(t.cmod, false, so.cmod);
      local_keys(t.counter_cmod, true, so.cmod);
    }
    so.symmetry = p.complete == kNever ? symmetry_class(p, floor_by_op[i], classes) : 0xffffffffu;
    out.push_back(std::move(so));
  }
  return out;
}

// The path an anomaly about `p` is filed under: its target (a multi's first sub-op's).
std::string path_of(const detail::Universe& u, const POp& p) {
  if (p.kind == PKind::SessionEnd) return "";
  const Request& r = u.history().ops[p.history_index].request;
  return r.type == OpType::Multi && !r.ops.empty() ? r.ops[0].path : r.path;
}

void report_not_linearizable(const detail::Universe& u, const detail::Model& model,
                             const detail::Partition& part, const std::vector<uint32_t>& local,
                             const detail::SearchResult& res, detail::AnomalySink& sink) {
  const POp& stuck = u.ops()[local[res.stuck]];
  std::string why;
  std::vector<int64_t> probe = res.stuck_state;
  const bool fits = model.apply(stuck, probe, &why);
  std::vector<uint64_t> ids;
  if (stuck.kind != PKind::SessionEnd) ids.push_back(stuck.id);
  std::string placed;
  for (size_t k = res.prefix.size() > 5 ? res.prefix.size() - 5 : 0; k < res.prefix.size(); ++k) {
    const POp& p = u.ops()[local[res.prefix[k]]];
    if (p.kind != PKind::SessionEnd) ids.push_back(p.id);
    placed += "\n      " + describe_pop(u, p);
  }
  sink.add(AnomalyKind::NotLinearizable, path_of(u, stuck), std::move(ids),
           "no order of the " + std::to_string(part.ops.size()) + " operations on " + part.name +
               " agrees with the model and with real time. The deepest attempt placed " +
               std::to_string(res.prefix.size()) + " of them, then could not place\n      " +
               describe_pop(u, stuck) + "\n    before it returned: " +
               (fits ? std::string("it fits the state there, but no continuation does") : why) +
               ".\n    State there: " + model.describe_state(part.keys, res.stuck_state) +
               (placed.empty() ? "" : "\n    Last operations placed:" + placed));
}

void search_partitions(const detail::Universe& u, const CheckOptions& opt,
                       std::chrono::steady_clock::time_point deadline, Report& rep,
                       detail::AnomalySink& sink) {
  const detail::Partitioning parts = detail::make_partitions(u);
  rep.partitions = parts.parts.size();
  rep.ops_skipped = parts.skipped_ops;

  // Small partitions first, so one huge partition cannot starve the others of time.
  std::vector<uint32_t> order(parts.parts.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return parts.parts[a].ops.size() < parts.parts[b].ops.size();
  });

  std::vector<int64_t> floor_by_op(u.ops().size(), -1);
  std::vector<int64_t> floor_by_key(u.keys().size(), std::numeric_limits<int64_t>::max());
  for (uint32_t pi : order) {
    const detail::Partition& part = parts.parts[pi];
    rep.largest_partition = std::max(rep.largest_partition, part.ops.size());
    if (std::chrono::steady_clock::now() > deadline) {
      rep.undecided.push_back(part.name + " (" + std::to_string(part.ops.size()) +
                              " ops): not searched, the time budget was spent");
      continue;
    }
    float_floors(u, part, floor_by_op, floor_by_key);
    detail::Model model(u, parts.layout, pi, &floor_by_op, &floor_by_key);

    // Operations that fit no reachable state condemn the partition without a search.
    bool condemned = false;
    for (uint32_t i : part.ops) {
      if (auto why = model.impossible(u.ops()[i])) {
        condemned = true;
        sink.add(AnomalyKind::NotLinearizable, path_of(u, u.ops()[i]), {u.ops()[i].id},
                 describe_pop(u, u.ops()[i]) + "\n    fits no state of " + part.name + ": " + *why + ".");
      }
    }
    if (condemned) continue;

    // Search in invocation order, which keeps the memo's compressed sets short.
    std::vector<uint32_t> local = part.ops;
    auto start = [&](uint32_t i) {
      return !opt.linearizable_reads && u.ops()[i].read ? std::numeric_limits<Nanos>::min() : u.ops()[i].invoke;
    };
    std::stable_sort(local.begin(), local.end(), [&](uint32_t a, uint32_t b) { return start(a) < start(b); });
    const SearchAdapter adapter(u, model, local);
    const detail::SearchResult res =
        detail::linearize(search_ops(u, parts, pi, local, opt.linearizable_reads, floor_by_op),
                          model.initial_state(part.keys),
                          adapter, detail::SearchBudget{opt.max_steps_per_partition, deadline});
    rep.search_steps += res.steps;
    if (res.verdict == detail::SearchVerdict::BudgetExhausted)
      rep.undecided.push_back(part.name + " (" + std::to_string(part.ops.size()) +
                              " ops): budget exhausted after " + std::to_string(res.steps) + " steps");
    else if (res.verdict == detail::SearchVerdict::NotLinearizable)
      report_not_linearizable(u, model, part, local, res, sink);
  }
}

}  // namespace

Report check_history(const History& h, const CheckOptions& opt) {
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + opt.time_budget;
  Report rep;
  rep.ops_checked = h.ops.size() + h.session_ends.size();
  detail::AnomalySink sink(opt.max_anomalies_per_kind);

  std::vector<std::string> problems;
  detail::validate_history(h, problems);
  std::optional<detail::Universe> u;
  if (problems.empty()) u.emplace(h, problems, rep.notes);
  if (!problems.empty()) {
    for (auto& p : problems) sink.add(AnomalyKind::InvalidHistory, "", {}, std::move(p));
  } else {
    if (opt.check_sessions) {
      detail::check_zxid_order(*u, sink);
      detail::check_session_order(*u, sink);
      detail::check_watches(*u, sink);
    }
    if (opt.check_linearizability) search_partitions(*u, opt, deadline, rep, sink);
  }

  rep.anomalies = std::move(sink.anomalies());
  std::stable_sort(rep.anomalies.begin(), rep.anomalies.end(),
                   [](const Anomaly& a, const Anomaly& b) { return a.kind < b.kind; });
  rep.anomalies_suppressed = sink.suppressed();
  rep.verdict = !rep.anomalies.empty() ? Verdict::Anomalies
                : !rep.undecided.empty() ? Verdict::Unknown
                                         : Verdict::Ok;
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return rep;
}

}  // namespace faaskeeper::check
