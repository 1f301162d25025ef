// Write operations and their results, shared by the client API and the wire messages.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "faaskeeper/error.h"
#include "faaskeeper/types.h"

namespace faaskeeper {

struct CreateRequest {
  std::string path;
  Data data;
  CreateMode mode = CreateMode::Persistent;
  int64_t ttl_ms = -1;  // only for TTL modes
};
struct DeleteRequest {
  std::string path;
  int32_t version = -1;  // -1: any version
};
struct SetDataRequest {
  std::string path;
  Data data;
  int32_t version = -1;  // -1: any version
};
struct CheckRequest {  // only inside multi: fails unless the node has this version
  std::string path;
  int32_t version = -1;
};
using MultiOp = std::variant<CreateRequest, DeleteRequest, SetDataRequest, CheckRequest>;

// Outcome of one operation. In a failed multi: Ok for ops before the failing one (rolled
// back), the failing op's code, then RuntimeInconsistency for the ops after it.
struct OpResult {
  Error err = Error::Ok;
  std::string path;  // the created path (create; with the sequential suffix)
  Stat stat;         // the node's stat after create or setData
  bool operator==(const OpResult&) const = default;
};

}  // namespace faaskeeper
