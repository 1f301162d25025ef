// multi (14) and multiRead (22): a sequence of MultiHeader-prefixed records ended by the
// terminator MultiHeader{-1, done=true, -1}.
//
// Request:  per op  MultiHeader{op type, false, -1} + the op's request record
// Response: per op  MultiHeader{result type, false, err} + the result body, where
//           err is the error code for type -1 (error) results and 0 otherwise.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "faaskeeper/error.h"
#include "zk/jute.h"
#include "zk/records.h"

namespace faaskeeper::zk {

// Op types ZooKeeper's MultiOperationRecord accepts. Which ones are legal in multi versus
// multiRead (writes+check vs getData/getChildren) is the server's decision, not the codec's.
using MultiOp = std::variant<CreateRequest, Create2Request, CreateContainerRequest,
                             CreateTTLRequest, DeleteRequest, SetDataRequest, CheckVersionRequest,
                             GetDataRequest, GetChildrenRequest>;

struct MultiRequest {
  static constexpr OpCode kOp = OpCode::Multi;
  std::vector<MultiOp> ops;
  bool operator==(const MultiRequest&) const = default;
};
struct MultiReadRequest {
  static constexpr OpCode kOp = OpCode::MultiRead;
  std::vector<MultiOp> ops;
  bool operator==(const MultiReadRequest&) const = default;
};

// Results with an empty body.
template <OpCode Op>
struct EmptyResult {
  bool operator==(const EmptyResult&) const = default;
};
using DeleteResult = EmptyResult<OpCode::Delete>;
using CheckResult = EmptyResult<OpCode::Check>;

// One per-op result. Result type on the wire: CreateResponse 1, Create2Response 15 (also for
// createContainer/createTTL ops, as ZooKeeper answers them), DeleteResult 2, SetDataResponse 5,
// CheckResult 13, GetDataResponse 4 and GetChildrenResponse 8 (multiRead), ErrorResponse -1.
// For a failed multi every result is an ErrorResponse: 0 before the failing op, its code at it,
// RUNTIMEINCONSISTENCY (-2) after it.
using MultiResult = std::variant<CreateResponse, Create2Response, DeleteResult, SetDataResponse,
                                 CheckResult, GetDataResponse, GetChildrenResponse, ErrorResponse>;

struct MultiResponse {
  std::vector<MultiResult> results;
  bool operator==(const MultiResponse&) const = default;
};

// The opcode of one op / the wire type of one result.
OpCode multi_op_code(const MultiOp& op);
int32_t multi_result_type(const MultiResult& r);

// Decode the body of a multi/multiRead request (the bytes after the RequestHeader).
// MarshallingError on truncation, a missing terminator, or an op type outside MultiOp.
Result<std::vector<MultiOp>> decode_multi_ops(std::string_view body);
// Appends the body of a multi/multiRead request (ops + terminator).
void write_multi_ops(JuteWriter& w, const std::vector<MultiOp>& ops);

Result<MultiResponse> decode_multi_response(std::string_view body);
void write_multi_response(JuteWriter& w, const MultiResponse& rsp);

// The result list ZooKeeper returns for a multi whose op `failed_index` failed with `code`
// (ops before: ErrorResponse{0}, the failed op: code, ops after: RUNTIMEINCONSISTENCY).
MultiResponse failed_multi_response(size_t op_count, size_t failed_index, Error code);

}  // namespace faaskeeper::zk
