// The history checker: linearizability of the ZooKeeper tree (writes and, by default, reads)
// plus the per-session rules of DESIGN.md §3. docs/checker.md is the specification.
//
//   History h = recorder.snapshot();              // or load_history(path)
//   Report r = check_history(h);
//   if (r.verdict != Verdict::Ok) std::cerr << r.to_string();
#pragma once

#include <chrono>
#include <cstdint>

#include "check/history.h"
#include "check/report.h"

namespace faaskeeper::check {

struct CheckOptions {
  // true: every read must be linearizable (must see the latest completed write). false:
  // ZooKeeper's own guarantee, where a read may return any state that existed before it
  // completed; the session rules still apply (read-your-writes, monotonic reads).
  bool linearizable_reads = true;
  bool check_linearizability = true;
  bool check_sessions = true;  // FIFO, read-your-writes, monotonic reads, watch-before-data, zxids

  // Budget of the linearizability search. A partition that exceeds max_steps_per_partition,
  // or is still unfinished when time_budget (for all partitions together) runs out, is reported
  // as undecided and the verdict becomes Unknown -- never a pass. A step is one candidate tried
  // by the search; memory grows with steps (at most ~50 bytes each).
  uint64_t max_steps_per_partition = 5'000'000;
  std::chrono::milliseconds time_budget{60'000};

  size_t max_anomalies_per_kind = 50;
};

// Checks `h`. Never throws; a malformed history yields InvalidHistory anomalies.
Report check_history(const History& h, const CheckOptions& options = {});

}  // namespace faaskeeper::check
