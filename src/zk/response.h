// Server → client frames after the handshake: ReplyHeader{xid, zxid, err} + the response record
// (only when err == 0), and watch notifications ReplyHeader{-1, zxid, 0} + WatcherEvent.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "faaskeeper/error.h"
#include "zk/jute.h"
#include "zk/multi.h"
#include "zk/records.h"

namespace faaskeeper::zk {

// Every response body; which one answers an opcode is fixed (see decode_response).
using Response =
    std::variant<EmptyResponse, CreateResponse, Create2Response, ExistsResponse, GetDataResponse,
                 SetDataResponse, GetACLResponse, SetACLResponse, GetChildrenResponse,
                 GetChildren2Response, SyncResponse, MultiResponse, GetEphemeralsResponse,
                 GetAllChildrenNumberResponse, ErrorResponse, WhoAmIResponse, SaslResponse>;

// Appends a response body. Overloads exist for every record type, MultiResponse and Response.
template <class Body>
void write_response_body(JuteWriter& w, const Body& body) {
  w.record(body);
}
inline void write_response_body(JuteWriter& w, const MultiResponse& body) {
  write_multi_response(w, body);
}
void write_response_body(JuteWriter& w, const Response& body);

// The complete frame of a header-only reply (errors, and ops whose reply has no body).
std::string encode_reply(const ReplyHeader& header);

// The complete frame of a reply. The body is written only when header.err == 0: ZooKeeper
// sends a bare header for every error, and clients read a body only on success.
template <class Body>
std::string encode_reply(const ReplyHeader& header, const Body& body) {
  JuteWriter w(/*framed=*/true);
  w.record(header);
  if (header.err == 0) write_response_body(w, body);
  return std::move(w).finish();
}

// The complete frame of a watch notification: ReplyHeader{-1, zxid, 0} + WatcherEvent.
// ZooKeeper 3.8 sends zxid -1 here; 3.9+ sends the triggering txn's zxid.
std::string encode_notification(int64_t zxid, const WatcherEvent& event);

// ---- client side (tests, differential tools) ---------------------------------------------

struct ReplyEnvelope {
  ReplyHeader header;
  std::string_view body;  // points into the payload passed to split_reply
};

// Splits a reply payload; MarshallingError if it is shorter than the 16-byte header.
Result<ReplyEnvelope> split_reply(std::string_view payload);

// Decodes the body of a successful (err == 0) reply to a request of opcode `op`.
// Unimplemented for opcodes without a defined reply, MarshallingError for a malformed body.
Result<Response> decode_response(OpCode op, std::string_view body);

}  // namespace faaskeeper::zk
