#include "zk/response.h"

namespace faaskeeper::zk {

namespace {
template <class T>
Result<Response> decode_as(std::string_view body) {
  auto r = decode_record<T>(body);
  if (!r.ok()) return r.status();
  return Response(std::move(r).value());
}
}  // namespace

void write_response_body(JuteWriter& w, const Response& body) {
  std::visit([&w](const auto& b) { write_response_body(w, b); }, body);
}

std::string encode_reply(const ReplyHeader& header) {
  JuteWriter w(/*framed=*/true);
  w.record(header);
  return std::move(w).finish();
}

std::string encode_notification(int64_t zxid, const WatcherEvent& event) {
  JuteWriter w(/*framed=*/true);
  w.record(ReplyHeader{kNotificationXid, zxid, 0});
  w.record(event);
  return std::move(w).finish();
}

Result<ReplyEnvelope> split_reply(std::string_view payload) {
  auto h = decode_record<ReplyHeader>(payload);
  if (!h.ok()) return h.status();
  return ReplyEnvelope{*h, payload.substr(kReplyHeaderBytes)};
}

Result<Response> decode_response(OpCode op, std::string_view body) {
  switch (op) {
    case OpCode::Create: return decode_as<CreateResponse>(body);
    case OpCode::Create2:
    case OpCode::CreateContainer:
    case OpCode::CreateTTL: return decode_as<Create2Response>(body);
    case OpCode::Exists: return decode_as<ExistsResponse>(body);
    case OpCode::GetData:
    case OpCode::Reconfig: return decode_as<GetDataResponse>(body);
    case OpCode::SetData: return decode_as<SetDataResponse>(body);
    case OpCode::GetACL: return decode_as<GetACLResponse>(body);
    case OpCode::SetACL: return decode_as<SetACLResponse>(body);
    case OpCode::GetChildren: return decode_as<GetChildrenResponse>(body);
    case OpCode::GetChildren2: return decode_as<GetChildren2Response>(body);
    case OpCode::Sync: return decode_as<SyncResponse>(body);
    case OpCode::GetEphemerals: return decode_as<GetEphemeralsResponse>(body);
    case OpCode::GetAllChildrenNumber: return decode_as<GetAllChildrenNumberResponse>(body);
    case OpCode::AddWatch: return decode_as<ErrorResponse>(body);
    case OpCode::WhoAmI: return decode_as<WhoAmIResponse>(body);
    case OpCode::Sasl: return decode_as<SaslResponse>(body);
    case OpCode::Multi:
    case OpCode::MultiRead: {
      auto m = decode_multi_response(body);
      if (!m.ok()) return m.status();
      return Response(std::move(m).value());
    }
    case OpCode::Delete:
    case OpCode::Ping:
    case OpCode::Check:
    case OpCode::CheckWatches:
    case OpCode::RemoveWatches:
    case OpCode::Auth:
    case OpCode::SetWatches:
    case OpCode::SetWatches2:
    case OpCode::CloseSession: return Response(EmptyResponse{});
    case OpCode::Notification:
    case OpCode::DeleteContainer:
    case OpCode::CreateSession:
    case OpCode::Error: break;
  }
  return Status(Error::Unimplemented, "no reply defined for opcode " +
                                          opcode_name(static_cast<int32_t>(op)));
}

}  // namespace faaskeeper::zk
