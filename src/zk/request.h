// Client → server frames after the handshake: RequestHeader{xid, type} + the request record.
//
// Gateway flow per frame payload (from FrameDecoder):
//   auto env = split_request(payload);          // MarshallingError → close (ZooKeeper does)
//   auto req = decode_request(env->header, env->body);
//   Unimplemented     → reply ReplyHeader{xid, zxid, -6}. (ZooKeeper 3.8.0 replies
//                       {xid, -1, -6} and then closes the session; issue 5 asks the gateway
//                       to keep the connection.)
//   MarshallingError  → reply ReplyHeader{xid, zxid, -5}, keep the connection (ZooKeeper's
//                       request processors answer a body they cannot parse this way)
//   otherwise         → std::visit over the Request variant
// Observed on ZooKeeper 3.8.0 (tests/zk/real_server_test.cc pins these): a standalone check
// (13) gets no reply at all; reconfig gets RECONFIGDISABLED (-123); sasl gets an empty
// SetSASLResponse (null token) with zxid 0; a multi containing an op of the wrong family
// (getData in multi, create in multiRead, any other type) gets MARSHALLINGERROR.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "faaskeeper/error.h"
#include "zk/multi.h"
#include "zk/records.h"

namespace faaskeeper::zk {

// Every request a client may send, one alternative per opcode (each has a kOp).
using Request =
    std::variant<CreateRequest, Create2Request, CreateContainerRequest, CreateTTLRequest,
                 DeleteRequest, ExistsRequest, GetDataRequest, SetDataRequest, GetACLRequest,
                 SetACLRequest, GetChildrenRequest, GetChildren2Request, SyncRequest,
                 PingRequest, CheckVersionRequest, MultiRequest, MultiReadRequest,
                 ReconfigRequest, CheckWatchesRequest, RemoveWatchesRequest, AuthPacket,
                 SaslRequest, SetWatchesRequest, SetWatches2Request, GetEphemeralsRequest,
                 GetAllChildrenNumberRequest, AddWatchRequest, WhoAmIRequest,
                 CloseSessionRequest>;

// A request frame split into its header and the undecoded body.
struct RequestEnvelope {
  RequestHeader header;
  std::string_view body;  // points into the payload passed to split_request
};

// Splits a frame payload (length prefix already removed). MarshallingError when the payload is
// shorter than the 8-byte header (ZooKeeper closes the connection in that case).
Result<RequestEnvelope> split_request(std::string_view payload);

// Decodes the body of a request of type `header.type`.
//  - Unimplemented for opcodes no client may send: unknown values, notification (0),
//    deleteContainer (20), createSession (-10), error (-1).
//  - MarshallingError when the body is truncated or holds an invalid length/count/multi op.
// Bytes after a complete record are ignored, as ZooKeeper ignores them.
Result<Request> decode_request(const RequestHeader& header, std::string_view body);

// The opcode of a decoded request.
OpCode request_opcode(const Request& req);

// The complete frame (length prefix, RequestHeader{xid, opcode}, body) of a request, as a
// client sends it. Used by tests, fuzz seeds and client-side tools.
std::string encode_request(int32_t xid, const Request& req);

}  // namespace faaskeeper::zk
