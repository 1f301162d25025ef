#include <algorithm>

#include "check/rules.h"

namespace faaskeeper::check::detail {

void AnomalySink::add(AnomalyKind kind, std::string path, std::vector<uint64_t> ops,
                      std::string why) {
  size_t& n = count_[static_cast<size_t>(kind)];
  if (n >= cap_) {
    ++suppressed_;
    return;
  }
  ++n;
  anomalies_.push_back(Anomaly{kind, std::move(path), std::move(ops), std::move(why)});
}

std::optional<ReadView> read_view(const POp& op) {
  if (op.kind != PKind::Single || !op.read || op.rejected) return std::nullopt;
  const Step& s = op.steps[0];
  ReadView v;
  v.path = s.path;
  v.step = &s;
  if (op.outcome == OutcomeKind::Ok) {
    v.exists = s.type != OpType::Exists || s.stat != nullptr;
    v.stat = s.stat;
    return v;
  }
  if (op.outcome == OutcomeKind::Failed && op.error == Error::NoNode) return v;
  return std::nullopt;
}

int64_t revealed_zxid(const Universe& u, const POp& op) {
  if (op.kind == PKind::SessionEnd || op.outcome == OutcomeKind::Unknown || op.rejected || op.confirmed)
    return -1;
  int64_t z = op.zxid;
  for (const Step& s : op.steps) {
    if (!s.stat) continue;
    if (s.stat->has(kStatCzxid)) z = std::max(z, s.stat->stat.czxid);
    if (s.stat->has(kStatMzxid)) z = std::max(z, s.stat->stat.mzxid);
    if (s.stat->has(kStatPzxid)) z = std::max(z, s.stat->stat.pzxid);
  }
  return std::max(z, u.history().ops[op.history_index].outcome.zxid);
}

}  // namespace faaskeeper::check::detail
