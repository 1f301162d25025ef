// The local deployment's client wire protocol: length-prefixed frames over TCP between a client
// transport (src/client/tcp_transport.h) and the endpoint (src/endpoint/endpoint.h).
//
// Frame:  u32 body length (little-endian) | body
// Body:   u8 kind | fields (core/bytes.h encoding: little-endian integers, u32-length strings)
//
//   client -> endpoint
//     Attach  (1): u64 id, i64 session        deliver the session's server messages here
//     Detach  (2): u64 id, i64 session        stop delivering them here
//     Submit  (3): u64 id, rest = ClientRequest bytes (protocol/messages.h), queued for the writer
//     Read    (4): u64 id, str path           read a node object from the user store
//     Pong    (5): (no fields)                answer to a pushed Ping: the client process is alive
//   endpoint -> client
//     Result     (0x81): u64 id, i32 error, str message               answer to Attach/Detach/Submit
//     ReadResult (0x82): u64 id, i32 error, str message, u8 present, rest = node object bytes
//     Push       (0x83): i64 session, rest = ServerMessage bytes      reply / watch / ping / close
//
// Every request carries an id chosen by the client; its answer carries the same id. Answers may
// come in any order; pushes for one session come in the order the functions sent them.
// A body larger than the receiver's limit (kMaxRequestBody towards the endpoint: ZooKeeper's
// 1 MiB data limit plus headroom), a body that does not decode, or an unknown kind makes the
// receiver close the connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "faaskeeper/error.h"

namespace faaskeeper::wire {

inline constexpr size_t kHeaderBytes = 4;
// Largest frame body the endpoint accepts: a 1 MiB node plus room for the path and the header.
inline constexpr size_t kMaxRequestBody = (size_t(1) << 20) + (size_t(64) << 10);
// Largest frame body a client accepts (a node object with a very large child list).
inline constexpr size_t kMaxResponseBody = size_t(256) << 20;

enum class Kind : uint8_t {
  Attach = 1,
  Detach = 2,
  Submit = 3,
  Read = 4,
  Pong = 5,
  Result = 0x81,
  ReadResult = 0x82,
  Push = 0x83,
};

// A decoded frame body. Which fields are meaningful depends on `kind` (see the table above).
struct Frame {
  Kind kind = Kind::Result;
  uint64_t id = 0;
  int64_t session = 0;      // Attach, Detach, Push
  std::string path;         // Read
  std::string payload;      // Submit: request; ReadResult: object (when present); Push: message
  Error err = Error::Ok;    // Result, ReadResult
  std::string message;      // Result, ReadResult
  bool present = false;     // ReadResult
};

// Whole frames (header + body), ready to write.
std::string attach_frame(uint64_t id, int64_t session);
std::string detach_frame(uint64_t id, int64_t session);
std::string submit_frame(uint64_t id, std::string_view request);
std::string read_frame(uint64_t id, std::string_view path);
std::string pong_frame();
std::string result_frame(uint64_t id, const Status& status);
std::string read_result_frame(uint64_t id, const Status& status, const std::optional<std::string>& object);
std::string push_frame(int64_t session, std::string_view message);

// The body length announced by a 4-byte header.
uint32_t body_length(const char header[kHeaderBytes]);

// Decodes a frame body. MarshallingError (with the reason) for an unknown kind, a truncated
// body, trailing bytes, or an error code that is not a ZooKeeper code.
Result<Frame> decode_body(std::string_view body);

// Whether `kind` travels client -> endpoint.
inline bool is_request(Kind kind) { return static_cast<uint8_t>(kind) < 0x80; }

// ---- where a deployment listens ----------------------------------------------------------------

struct Address {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};

// Parses "host:port" (port 1..65535). BadArguments with the reason otherwise.
Result<Address> parse_address(std::string_view text);

}  // namespace faaskeeper::wire
