#include "zk/multi.h"

namespace faaskeeper::zk {

namespace {
constexpr MultiHeader kTerminator{-1, true, -1};

template <class Rec, class V>
void read_into(JuteReader& r, std::vector<V>& out) {
  Rec rec{};
  r.record(rec);
  if (r.ok()) out.emplace_back(std::move(rec));
}
}  // namespace

OpCode multi_op_code(const MultiOp& op) {
  return std::visit([](const auto& o) { return std::decay_t<decltype(o)>::kOp; }, op);
}

int32_t multi_result_type(const MultiResult& r) {
  struct V {
    int32_t operator()(const CreateResponse&) const { return int32_t(OpCode::Create); }
    int32_t operator()(const Create2Response&) const { return int32_t(OpCode::Create2); }
    int32_t operator()(const DeleteResult&) const { return int32_t(OpCode::Delete); }
    int32_t operator()(const SetDataResponse&) const { return int32_t(OpCode::SetData); }
    int32_t operator()(const CheckResult&) const { return int32_t(OpCode::Check); }
    int32_t operator()(const GetDataResponse&) const { return int32_t(OpCode::GetData); }
    int32_t operator()(const GetChildrenResponse&) const { return int32_t(OpCode::GetChildren); }
    int32_t operator()(const ErrorResponse&) const { return int32_t(OpCode::Error); }
  };
  return std::visit(V{}, r);
}

Result<std::vector<MultiOp>> decode_multi_ops(std::string_view body) {
  JuteReader r(body);
  std::vector<MultiOp> ops;
  while (true) {
    MultiHeader h;
    r.record(h);
    if (!r.ok()) break;
    if (h.done) break;  // ZooKeeper stops at done=true whatever type/err say
    switch (static_cast<OpCode>(h.type)) {
      case OpCode::Create: read_into<CreateRequest>(r, ops); break;
      case OpCode::Create2: read_into<Create2Request>(r, ops); break;
      case OpCode::CreateContainer: read_into<CreateContainerRequest>(r, ops); break;
      case OpCode::CreateTTL: read_into<CreateTTLRequest>(r, ops); break;
      case OpCode::Delete: read_into<DeleteRequest>(r, ops); break;
      case OpCode::SetData: read_into<SetDataRequest>(r, ops); break;
      case OpCode::Check: read_into<CheckVersionRequest>(r, ops); break;
      case OpCode::GetData: read_into<GetDataRequest>(r, ops); break;
      case OpCode::GetChildren: read_into<GetChildrenRequest>(r, ops); break;
      default:
        r.fail("invalid multi op type " + std::to_string(h.type) + " at byte " +
               std::to_string(r.offset() - kMultiHeaderBytes));
    }
  }
  if (!r.ok()) return r.status();
  return ops;
}

void write_multi_ops(JuteWriter& w, const std::vector<MultiOp>& ops) {
  for (const auto& op : ops) {
    std::visit(
        [&w](const auto& o) {
          using T = std::decay_t<decltype(o)>;
          w.record(MultiHeader{static_cast<int32_t>(T::kOp), false, -1});
          w.record(o);
        },
        op);
  }
  w.record(kTerminator);
}

Result<MultiResponse> decode_multi_response(std::string_view body) {
  JuteReader r(body);
  MultiResponse rsp;
  auto& out = rsp.results;
  while (true) {
    MultiHeader h;
    r.record(h);
    if (!r.ok() || h.done) break;
    switch (static_cast<OpCode>(h.type)) {
      case OpCode::Create: read_into<CreateResponse>(r, out); break;
      case OpCode::Create2: read_into<Create2Response>(r, out); break;
      case OpCode::Delete: out.emplace_back(DeleteResult{}); break;
      case OpCode::SetData: read_into<SetDataResponse>(r, out); break;
      case OpCode::Check: out.emplace_back(CheckResult{}); break;
      case OpCode::GetData: read_into<GetDataResponse>(r, out); break;
      case OpCode::GetChildren: read_into<GetChildrenResponse>(r, out); break;
      case OpCode::Error: read_into<ErrorResponse>(r, out); break;  // body err is authoritative
      default:
        r.fail("invalid multi result type " + std::to_string(h.type) + " at byte " +
               std::to_string(r.offset() - kMultiHeaderBytes));
    }
  }
  if (!r.ok()) return r.status();
  return rsp;
}

void write_multi_response(JuteWriter& w, const MultiResponse& rsp) {
  for (const auto& res : rsp.results) {
    const int32_t type = multi_result_type(res);
    const auto* e = std::get_if<ErrorResponse>(&res);
    w.record(MultiHeader{type, false, e ? e->err : 0});
    std::visit(
        [&w](const auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (!std::is_same_v<T, DeleteResult> && !std::is_same_v<T, CheckResult>)
            w.record(body);
        },
        res);
  }
  w.record(kTerminator);
}

MultiResponse failed_multi_response(size_t op_count, size_t failed_index, Error code) {
  MultiResponse rsp;
  rsp.results.reserve(op_count);
  for (size_t i = 0; i < op_count; ++i) {
    int32_t err = 0;
    if (i == failed_index) err = static_cast<int32_t>(code);
    if (i > failed_index) err = static_cast<int32_t>(Error::RuntimeInconsistency);
    rsp.results.emplace_back(ErrorResponse{err});
  }
  return rsp;
}

}  // namespace faaskeeper::zk
