// The session handshake: the first frame in each direction, sent without a request/reply header.
//
// ConnectRequest  = int protocolVersion, long lastZxidSeen, int timeOut, long sessionId,
//                   buffer passwd, [bool readOnly]      → 45 bytes (44 without readOnly)
// ConnectResponse = int protocolVersion, int timeOut, long sessionId, buffer passwd,
//                   [bool readOnly]                     → 37 bytes (36 without readOnly)
// (sizes for the usual 16-byte password). Clients older than 3.4 and some third-party clients
// omit readOnly; ZooKeeper then omits it from the response as well, and such clients reject a
// 37-byte answer. The decoder records which form arrived so the encoder can mirror it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "faaskeeper/error.h"

namespace faaskeeper::zk {

inline constexpr size_t kSessionPasswordBytes = 16;

struct ConnectRequest {
  int32_t protocol_version = 0;
  int64_t last_zxid_seen = 0;
  int32_t timeout_ms = 0;
  int64_t session_id = 0;     // 0 = new session
  std::string password;       // 16 zero bytes for a new session (null reads as empty)
  bool read_only = false;
  // Whether the readOnly byte was present (45-byte form). Drives ConnectResponse::has_read_only.
  bool has_read_only = true;
  bool operator==(const ConnectRequest&) const = default;
};

struct ConnectResponse {
  int32_t protocol_version = 0;
  int32_t timeout_ms = 0;     // negotiated; 0 together with session_id 0 means "expired"
  int64_t session_id = 0;
  std::string password;
  bool read_only = false;
  // Whether to write the readOnly byte; set it from ConnectRequest::has_read_only.
  bool has_read_only = true;
  bool operator==(const ConnectResponse&) const = default;
};

// Decodes the payload of a client's first frame (without the length prefix).
// readOnly is present iff at least one byte follows the password; any further trailing bytes
// are ignored (as ZooKeeper ignores them). MarshallingError if a field before readOnly is
// truncated or a length is invalid.
Result<ConnectRequest> decode_connect_request(std::string_view payload);

// The complete frame (length prefix included) of a ConnectRequest; readOnly is written iff
// has_read_only.
std::string encode_connect_request(const ConnectRequest& req);

// The complete frame (length prefix included) of a ConnectResponse; readOnly is written iff
// has_read_only, so a 44-byte request (16-byte password) gets a 36-byte reply, a 45-byte one 37.
std::string encode_connect_response(const ConnectResponse& rsp);

// Decodes a ConnectResponse payload; has_read_only reports whether the readOnly byte was there.
Result<ConnectResponse> decode_connect_response(std::string_view payload);

// The response ZooKeeper sends for an unknown, expired or wrongly-authenticated session:
// timeOut 0, sessionId 0, 16 zero password bytes, mirroring the request's form.
ConnectResponse expired_session_response(const ConnectRequest& req);

}  // namespace faaskeeper::zk
