// The zxids of acknowledged writes (docs/checker.md, "Zxid order"): writes are linearizable in
// zxid order, so a write that completed before another was invoked has the smaller zxid, no two
// writes share one, and all sub-operations of a multi share one.
#include <algorithm>
#include <map>

#include "check/rules.h"

namespace faaskeeper::check::detail {

void check_zxid_order(const Universe& u, AnomalySink& out) {
  const auto& ops = u.ops();
  auto text = [&](uint32_t i) { return describe(u.history().ops[ops[i].history_index]); };
  auto path = [&](uint32_t i) { return u.history().ops[ops[i].history_index].request.path; };
  std::vector<uint32_t> writes;
  for (uint32_t i = 0; i < ops.size(); ++i) {
    const POp& p = ops[i];
    if (p.kind == PKind::SessionEnd || p.outcome != OutcomeKind::Ok || p.read || p.pure || p.zxid < 0 ||
        p.confirmed)
      continue;
    writes.push_back(i);
    if (p.kind != PKind::Multi) continue;
    for (size_t k = 0; k < p.steps.size(); ++k) {
      const Step& s = p.steps[k];
      if (!s.stat) continue;
      int64_t z = s.type == OpType::Create && s.stat->has(kStatCzxid) ? s.stat->stat.czxid
                  : s.stat->has(kStatMzxid)                            ? s.stat->stat.mzxid
                                                                       : -1;
      if (z >= 0 && z != p.zxid) {
        out.add(AnomalyKind::ZxidOrder, path(i), {p.id},
                "multi #" + std::to_string(p.id) + " reports zxid " + std::to_string(z) + " for sub-op " +
                    std::to_string(k) + " and " + std::to_string(p.zxid) + " for an earlier one: " + text(i));
        break;
      }
    }
  }

  std::map<int64_t, uint32_t> by_zxid;
  for (uint32_t i : writes) {
    auto [it, fresh] = by_zxid.emplace(ops[i].zxid, i);
    if (!fresh)
      out.add(AnomalyKind::ZxidOrder, path(i), {ops[it->second].id, ops[i].id},
              "two different writes report zxid " + std::to_string(ops[i].zxid) + ": " + text(it->second) +
                  " / " + text(i));
  }

  std::vector<uint32_t> by_complete = writes, by_invoke = writes;
  std::sort(by_complete.begin(), by_complete.end(), [&](uint32_t a, uint32_t b) { return ops[a].complete < ops[b].complete; });
  std::sort(by_invoke.begin(), by_invoke.end(), [&](uint32_t a, uint32_t b) { return ops[a].invoke < ops[b].invoke; });
  size_t k = 0;
  int64_t max_z = -1;
  uint32_t max_op = kNone;
  for (uint32_t b : by_invoke) {
    while (k < by_complete.size() && ops[by_complete[k]].complete < ops[b].invoke) {
      uint32_t a = by_complete[k++];
      if (ops[a].zxid > max_z) {
        max_z = ops[a].zxid;
        max_op = a;
      }
    }
    if (max_z > ops[b].zxid)
      out.add(AnomalyKind::ZxidOrder, path(b), {ops[max_op].id, ops[b].id},
              "write #" + std::to_string(ops[b].id) + " was invoked after write #" + std::to_string(ops[max_op].id) +
                  " completed, but has the smaller zxid (" + std::to_string(ops[b].zxid) + " < " +
                  std::to_string(max_z) + "): " + text(max_op) + " / " + text(b));
  }
}

}  // namespace faaskeeper::check::detail
