#include "endpoint/wire.h"

#include <charconv>

#include "core/bytes.h"

namespace faaskeeper::wire {

namespace {

// Reserves the header, lets `fill` write the body, then patches the body length in.
template <class F>
std::string frame(Kind kind, F fill) {
  ByteWriter w;
  w.u32(0);
  w.u8(static_cast<uint8_t>(kind));
  fill(w);
  std::string out = w.take();
  uint32_t n = static_cast<uint32_t>(out.size() - kHeaderBytes);
  for (size_t i = 0; i < kHeaderBytes; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return out;
}

Status bad(std::string why) { return Status(Error::MarshallingError, "malformed frame: " + std::move(why)); }

}  // namespace

std::string attach_frame(uint64_t id, int64_t session) {
  return frame(Kind::Attach, [&](ByteWriter& w) { w.u64(id); w.i64(session); });
}
std::string detach_frame(uint64_t id, int64_t session) {
  return frame(Kind::Detach, [&](ByteWriter& w) { w.u64(id); w.i64(session); });
}
std::string submit_frame(uint64_t id, std::string_view request) {
  return frame(Kind::Submit, [&](ByteWriter& w) { w.u64(id); w.bytes(request); });
}
std::string pong_frame() {
  return frame(Kind::Pong, [](ByteWriter&) {});
}
std::string read_frame(uint64_t id, std::string_view path) {
  return frame(Kind::Read, [&](ByteWriter& w) { w.u64(id); w.str(path); });
}
std::string result_frame(uint64_t id, const Status& status) {
  return frame(Kind::Result, [&](ByteWriter& w) {
    w.u64(id);
    w.i32(static_cast<int32_t>(status.code()));
    w.str(status.message());
  });
}
std::string read_result_frame(uint64_t id, const Status& status, const std::optional<std::string>& object) {
  return frame(Kind::ReadResult, [&](ByteWriter& w) {
    w.u64(id);
    w.i32(static_cast<int32_t>(status.code()));
    w.str(status.message());
    w.u8(object ? 1 : 0);
    if (object) w.bytes(*object);
  });
}
std::string push_frame(int64_t session, std::string_view message) {
  return frame(Kind::Push, [&](ByteWriter& w) { w.i64(session); w.bytes(message); });
}

uint32_t body_length(const char header[kHeaderBytes]) {
  uint32_t n = 0;
  for (size_t i = 0; i < kHeaderBytes; ++i) n |= static_cast<uint32_t>(static_cast<uint8_t>(header[i])) << (8 * i);
  return n;
}

Result<Frame> decode_body(std::string_view body) {
  ByteReader r(body);
  Frame f;
  uint8_t kind = r.u8();
  if (!r.ok()) return bad("empty body");
  f.kind = static_cast<Kind>(kind);
  auto rest = [&] { return std::string(r.take(r.remaining())); };
  auto error_code = [&]() -> bool {
    int32_t code = r.i32();
    if (!r.ok()) return false;
    if (!is_known_error(code)) return false;
    f.err = static_cast<Error>(code);
    return true;
  };
  switch (f.kind) {
    case Kind::Attach:
    case Kind::Detach:
      f.id = r.u64();
      f.session = r.i64();
      break;
    case Kind::Submit:
      f.id = r.u64();
      f.payload = rest();
      break;
    case Kind::Read:
      f.id = r.u64();
      f.path = r.str();
      break;
    case Kind::Pong:
      break;
    case Kind::Result:
      f.id = r.u64();
      if (!error_code()) return bad("result with an unknown error code");
      f.message = r.str();
      break;
    case Kind::ReadResult:
      f.id = r.u64();
      if (!error_code()) return bad("read result with an unknown error code");
      f.message = r.str();
      f.present = r.boolean();
      if (r.ok() && f.present) f.payload = rest();
      break;
    case Kind::Push:
      f.session = r.i64();
      f.payload = rest();
      break;
    default:
      return bad("unknown frame kind " + std::to_string(kind));
  }
  if (!r.ok()) return bad("truncated body of frame kind " + std::to_string(kind));
  if (!r.at_end()) return bad(std::to_string(r.remaining()) + " trailing bytes in frame kind " + std::to_string(kind));
  return f;
}

Result<Address> parse_address(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return Status(Error::BadArguments, "address \"" + std::string(text) + "\" is not host:port");
  std::string_view port_text = text.substr(colon + 1);
  while (!port_text.empty() && (port_text.back() == '\n' || port_text.back() == '\r' || port_text.back() == ' '))
    port_text.remove_suffix(1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return Status(Error::BadArguments, "address \"" + std::string(text) + "\" has no valid port (1..65535)");
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host.find_first_of("[]") != std::string::npos)
    return Status(Error::BadArguments, "address \"" + std::string(text) + "\" has an empty or malformed host");
  return Address{host, static_cast<uint16_t>(port)};
}

}  // namespace faaskeeper::wire
