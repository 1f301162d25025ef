#include "check/report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace faaskeeper::check {

const char* anomaly_kind_name(AnomalyKind k) {
  switch (k) {
    case AnomalyKind::InvalidHistory: return "InvalidHistory";
    case AnomalyKind::NotLinearizable: return "NotLinearizable";
    case AnomalyKind::ZxidOrder: return "ZxidOrder";
    case AnomalyKind::FifoOrder: return "FifoOrder";
    case AnomalyKind::ReadYourWrites: return "ReadYourWrites";
    case AnomalyKind::MonotonicReads: return "MonotonicReads";
    case AnomalyKind::WatchBeforeData: return "WatchBeforeData";
  }
  return "?";
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Ok: return "OK";
    case Verdict::Anomalies: return "ANOMALIES";
    case Verdict::Unknown: return "UNKNOWN (budget exhausted)";
  }
  return "?";
}

bool Report::has(AnomalyKind k) const {
  return std::any_of(anomalies.begin(), anomalies.end(), [k](const Anomaly& a) { return a.kind == k; });
}

std::vector<AnomalyKind> Report::kinds() const {
  std::vector<AnomalyKind> out;
  for (const auto& a : anomalies) out.push_back(a.kind);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string Report::to_string() const {
  std::ostringstream o;
  o << "verdict: " << verdict_name(verdict);
  if (verdict == Verdict::Anomalies) o << " (" << anomalies.size() + anomalies_suppressed << ")";
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", seconds);
  o << "\nchecked " << ops_checked << " operations (" << ops_skipped << " constrain nothing) in "
    << partitions << " partitions (largest " << largest_partition << "), " << search_steps
    << " search steps, " << secs << " s\n";
  if (!undecided.empty()) {
    o << "undecided partitions (" << undecided.size() << "):\n";
    for (const auto& u : undecided) o << "  - " << u << "\n";
  }
  for (const auto& n : notes) o << "note: " << n << "\n";
  for (size_t i = 0; i < anomalies.size(); ++i) {
    const Anomaly& a = anomalies[i];
    o << i + 1 << ". [" << anomaly_kind_name(a.kind) << "]";
    if (!a.path.empty()) o << " " << a.path;
    o << "\n    " << a.explanation << "\n";
    if (!a.ops.empty()) {
      o << "    ops:";
      for (uint64_t id : a.ops) o << " #" << id;
      o << "\n";
    }
  }
  if (anomalies_suppressed) o << "(" << anomalies_suppressed << " more anomalies not listed)\n";
  return o.str();
}

}  // namespace faaskeeper::check
