#include "zk/handshake.h"

#include "zk/jute.h"

namespace faaskeeper::zk {

Result<ConnectRequest> decode_connect_request(std::string_view payload) {
  JuteReader r(payload);
  ConnectRequest req;
  r.int32(req.protocol_version);
  r.int64(req.last_zxid_seen);
  r.int32(req.timeout_ms);
  r.int64(req.session_id);
  r.buffer(req.password);
  if (!r.ok()) return r.status();
  req.has_read_only = r.remaining() > 0;
  if (req.has_read_only) r.boolean(req.read_only);
  return req;
}

std::string encode_connect_request(const ConnectRequest& req) {
  JuteWriter w(/*framed=*/true);
  w.int32(req.protocol_version);
  w.int64(req.last_zxid_seen);
  w.int32(req.timeout_ms);
  w.int64(req.session_id);
  w.buffer(req.password);
  if (req.has_read_only) w.boolean(req.read_only);
  return std::move(w).finish();
}

std::string encode_connect_response(const ConnectResponse& rsp) {
  JuteWriter w(/*framed=*/true);
  w.int32(rsp.protocol_version);
  w.int32(rsp.timeout_ms);
  w.int64(rsp.session_id);
  w.buffer(rsp.password);
  if (rsp.has_read_only) w.boolean(rsp.read_only);
  return std::move(w).finish();
}

Result<ConnectResponse> decode_connect_response(std::string_view payload) {
  JuteReader r(payload);
  ConnectResponse rsp;
  r.int32(rsp.protocol_version);
  r.int32(rsp.timeout_ms);
  r.int64(rsp.session_id);
  r.buffer(rsp.password);
  if (!r.ok()) return r.status();
  rsp.has_read_only = r.remaining() > 0;
  if (rsp.has_read_only) r.boolean(rsp.read_only);
  return rsp;
}

ConnectResponse expired_session_response(const ConnectRequest& req) {
  ConnectResponse rsp;
  rsp.protocol_version = 0;
  rsp.timeout_ms = 0;
  rsp.session_id = 0;
  rsp.password.assign(kSessionPasswordBytes, '\0');
  rsp.read_only = false;
  rsp.has_read_only = req.has_read_only;
  return rsp;
}

}  // namespace faaskeeper::zk
