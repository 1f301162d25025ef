// The checker's findings: a list of anomalies plus what was checked and how long it took.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace faaskeeper::check {

enum class AnomalyKind : uint8_t {
  InvalidHistory,   // the history itself is malformed or incomplete (nothing else is checked)
  NotLinearizable,  // no linearization of a partition agrees with the model and real time
  ZxidOrder,        // zxids disagree with real time, or two distinct writes share a zxid
  FifoOrder,        // a session's writes took effect out of issue order
  ReadYourWrites,   // a read missed an earlier completed write of its own session
  MonotonicReads,   // a read showed state older than the session had already seen
  WatchBeforeData,  // a read showed a change before the session got the watch notification
};

// "InvalidHistory", "NotLinearizable", ...
const char* anomaly_kind_name(AnomalyKind k);

struct Anomaly {
  AnomalyKind kind = AnomalyKind::InvalidHistory;
  std::string path;           // the path concerned (NotLinearizable: the stuck operation's)
  std::vector<uint64_t> ops;  // Operation::id of the operations involved
  std::string explanation;    // human-readable: what was expected and what was seen
};

enum class Verdict : uint8_t {
  Ok,         // no anomaly and every partition was decided
  Anomalies,  // at least one anomaly
  Unknown,    // no anomaly found, but some partition ran out of budget: NOT a pass
};
const char* verdict_name(Verdict v);

struct Report {
  Verdict verdict = Verdict::Ok;
  std::vector<Anomaly> anomalies;
  size_t anomalies_suppressed = 0;     // found beyond CheckOptions::max_anomalies_per_kind
  std::vector<std::string> undecided;  // partitions whose search ran out of budget
  std::vector<std::string> notes;      // likely recording mistakes behind some anomalies
  size_t ops_checked = 0;              // operations in the history (incl. session ends)
  size_t ops_skipped = 0;              // constrain nothing: rejected requests, unanswered reads
  size_t partitions = 0;
  size_t largest_partition = 0;        // operations in the largest partition
  uint64_t search_steps = 0;
  double seconds = 0;

  bool has(AnomalyKind k) const;
  // The distinct kinds found, in enum order.
  std::vector<AnomalyKind> kinds() const;
  // Multi-line text for humans (the CLI prints it).
  std::string to_string() const;
};

}  // namespace faaskeeper::check
