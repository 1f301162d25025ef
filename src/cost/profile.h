// A cost profile: what one FaaSKeeper read and one write consume, and how long its functions run.
//
// Loaded from data/cost/profiles/<name>.json (schema "faaskeeper-cost-profile/1"; docs/cost.md
// documents every field). "paper" holds the original FaaSKeeper's measured figures; "cpp" holds
// this project's own, and says so in `provisional` until they are measured.
#pragma once

#include "faaskeeper/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faaskeeper::cost {

// Where a node's object lives in the user store.
enum class UserStoreKind { S3, DynamoDB };
std::string_view user_store_name(UserStoreKind kind);  // "s3" / "dynamodb"

// How long one invocation runs. Either a measured billed duration (`billed_ms`, used as is), or a
// model: `handler_ms` (the handler's own time measured on one full core, which Lambda stretches
// when the function has less than one vCPU) plus `cloud_io_ms` (time waiting on cloud services).
struct DurationSpec {
  std::optional<double> billed_ms;
  double handler_ms = 0;
  double cloud_io_ms = 0;
};

// The duration of one invocation for values of `value_bytes` bytes.
struct DurationPoint {
  uint64_t value_bytes = 0;
  DurationSpec duration;
};

// One function on the write path.
struct FunctionProfile {
  std::string name;
  double memory_mb = 0;
  std::string arch;  // a key of PriceTable::lambda
  // Invocations per client write (1 = one invocation per write; 0.1 = batches of ten). The
  // duration points describe one invocation.
  double invocations_per_write = 1;
  // Duration points by the user store that write goes to, sorted by value_bytes, each non-empty
  // list usable for any value size (see CostModel docs for interpolation).
  std::vector<DurationPoint> s3_points;
  std::vector<DurationPoint> dynamodb_points;
  std::string source;

  const std::vector<DurationPoint>& points(UserStoreKind kind) const {
    return kind == UserStoreKind::S3 ? s3_points : dynamodb_points;
  }
};

// The scheduled heartbeat: the idle cost, paid whether or not anyone sends requests.
struct HeartbeatProfile {
  double period_s = 0;  // 0 = no heartbeat (no idle cost)
  double memory_mb = 128;
  std::string arch = "x86_64";
  DurationSpec duration;        // per invocation, without sessions
  double per_session_ms = 0;    // added per registered session pinged
  double system_store_read_units = 0;  // read request units per invocation (session table scan)
  std::string source;
};

struct CostProfile {
  std::string origin;  // file it came from, for messages
  std::string name;
  std::string source;
  bool provisional = false;

  // hybrid storage keeps a node in DynamoDB when value + overhead <= this, in S3 otherwise.
  uint64_t hybrid_threshold_bytes = 4096;
  // Bytes a node object and a queue message carry besides the value (stat, path, framing).
  uint64_t object_overhead_bytes = 0;

  // Per client write.
  double queue_messages = 2;            // FIFO messages, each billed per payload chunk
  double system_store_write_units = 3;  // write request units
  double system_store_read_units = 1;   // strongly consistent read request units
  double user_store_writes = 1;         // whole-object writes
  // Per client read.
  double user_store_reads = 1;          // whole-object reads, strongly consistent

  std::vector<FunctionProfile> functions;
  HeartbeatProfile heartbeat;
};

// Parses a profile's text; `origin` names it in messages. BadArguments on a missing, mistyped or
// out-of-range field, naming its dotted path.
Result<CostProfile> parse_cost_profile(std::string_view json_text, const std::string& origin);

// Reads and parses the profile file at `path`; SystemError "cannot open profile '<path>': ..."
// when it cannot be read.
Result<CostProfile> load_cost_profile(const std::string& path);

}  // namespace faaskeeper::cost
