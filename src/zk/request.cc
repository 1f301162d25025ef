#include "zk/request.h"

namespace faaskeeper::zk {

namespace {
template <class T>
Result<Request> decode_as(std::string_view body) {
  auto r = decode_record<T>(body);
  if (!r.ok()) return r.status();
  return Request(std::move(r).value());
}

template <class T>
Result<Request> decode_multi_as(std::string_view body) {
  auto ops = decode_multi_ops(body);
  if (!ops.ok()) return ops.status();
  T req;
  req.ops = std::move(ops).value();
  return Request(std::move(req));
}
}  // namespace

Result<RequestEnvelope> split_request(std::string_view payload) {
  auto h = decode_record<RequestHeader>(payload);
  if (!h.ok()) return h.status();
  return RequestEnvelope{*h, payload.substr(kRequestHeaderBytes)};
}

Result<Request> decode_request(const RequestHeader& header, std::string_view body) {
  switch (static_cast<OpCode>(header.type)) {
    case OpCode::Create: return decode_as<CreateRequest>(body);
    case OpCode::Create2: return decode_as<Create2Request>(body);
    case OpCode::CreateContainer: return decode_as<CreateContainerRequest>(body);
    case OpCode::CreateTTL: return decode_as<CreateTTLRequest>(body);
    case OpCode::Delete: return decode_as<DeleteRequest>(body);
    case OpCode::Exists: return decode_as<ExistsRequest>(body);
    case OpCode::GetData: return decode_as<GetDataRequest>(body);
    case OpCode::SetData: return decode_as<SetDataRequest>(body);
    case OpCode::GetACL: return decode_as<GetACLRequest>(body);
    case OpCode::SetACL: return decode_as<SetACLRequest>(body);
    case OpCode::GetChildren: return decode_as<GetChildrenRequest>(body);
    case OpCode::GetChildren2: return decode_as<GetChildren2Request>(body);
    case OpCode::Sync: return decode_as<SyncRequest>(body);
    case OpCode::Ping: return decode_as<PingRequest>(body);
    case OpCode::Check: return decode_as<CheckVersionRequest>(body);
    case OpCode::Multi: return decode_multi_as<MultiRequest>(body);
    case OpCode::MultiRead: return decode_multi_as<MultiReadRequest>(body);
    case OpCode::Reconfig: return decode_as<ReconfigRequest>(body);
    case OpCode::CheckWatches: return decode_as<CheckWatchesRequest>(body);
    case OpCode::RemoveWatches: return decode_as<RemoveWatchesRequest>(body);
    case OpCode::Auth: return decode_as<AuthPacket>(body);
    case OpCode::Sasl: return decode_as<SaslRequest>(body);
    case OpCode::SetWatches: return decode_as<SetWatchesRequest>(body);
    case OpCode::SetWatches2: return decode_as<SetWatches2Request>(body);
    case OpCode::GetEphemerals: return decode_as<GetEphemeralsRequest>(body);
    case OpCode::GetAllChildrenNumber: return decode_as<GetAllChildrenNumberRequest>(body);
    case OpCode::AddWatch: return decode_as<AddWatchRequest>(body);
    case OpCode::WhoAmI: return decode_as<WhoAmIRequest>(body);
    case OpCode::CloseSession: return decode_as<CloseSessionRequest>(body);
    case OpCode::Notification:
    case OpCode::DeleteContainer:
    case OpCode::CreateSession:
    case OpCode::Error:
      break;
  }
  return Status(Error::Unimplemented,
                "unsupported opcode " + opcode_name(header.type) + " (xid " +
                    std::to_string(header.xid) + ")");
}

OpCode request_opcode(const Request& req) {
  return std::visit([](const auto& r) { return std::decay_t<decltype(r)>::kOp; }, req);
}

std::string encode_request(int32_t xid, const Request& req) {
  JuteWriter w(/*framed=*/true);
  w.record(RequestHeader{xid, static_cast<int32_t>(request_opcode(req))});
  std::visit(
      [&w](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, MultiRequest> || std::is_same_v<T, MultiReadRequest>)
          write_multi_ops(w, r.ops);
        else
          w.record(r);
      },
      req);
  return std::move(w).finish();
}

}  // namespace faaskeeper::zk
