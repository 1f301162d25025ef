// Internal: the checks that do not need a search -- the per-session rules (FIFO, read-your-
// writes, monotonic reads, watch-before-data) and the global zxid order. Each reads the prepared
// history and adds anomalies to a sink. docs/checker.md states each rule precisely.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "check/report.h"
#include "check/universe.h"

namespace faaskeeper::check::detail {

// Collects anomalies, keeping at most `cap` of each kind and counting the rest.
class AnomalySink {
 public:
  explicit AnomalySink(size_t cap) : cap_(cap) {}
  void add(AnomalyKind kind, std::string path, std::vector<uint64_t> ops, std::string why);
  std::vector<Anomaly>& anomalies() { return anomalies_; }
  size_t suppressed() const { return suppressed_; }

 private:
  size_t cap_;
  std::array<size_t, 8> count_{};
  std::vector<Anomaly> anomalies_;
  size_t suppressed_ = 0;
};

// What a determinate read showed about its path.
struct ReadView {
  uint32_t path = kNone;
  bool exists = false;
  const ObservedStat* stat = nullptr;  // may be null (no stat reported, or absent)
  const Step* step = nullptr;
};
// The view of op if it is an answered read (Ok, or NoNode), else nullopt.
std::optional<ReadView> read_view(const POp& op);

// The largest zxid an answered operation revealed to its session (its own zxid, any stat zxid,
// the reply-header zxid), or -1.
int64_t revealed_zxid(const Universe& u, const POp& op);

// FIFO client order, read-your-writes and monotonic reads (incl. the global single system image).
void check_session_order(const Universe& u, AnomalySink& out);
// Watch-before-data for standard data, exists and child watches.
void check_watches(const Universe& u, AnomalySink& out);
// Zxids of acknowledged writes: real-time order, uniqueness, one zxid per multi.
void check_zxid_order(const Universe& u, AnomalySink& out);

}  // namespace faaskeeper::check::detail
