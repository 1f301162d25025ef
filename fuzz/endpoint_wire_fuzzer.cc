// libFuzzer target: the local deployment's TCP frames (src/endpoint/wire.h), both directions:
// the endpoint decodes client frames with decode_body, the client transports decode the
// endpoint's. The input is one frame body; the same bytes are also parsed as a "host:port"
// address (the endpoint file).
// Properties: no crash/UB/leak; errors are MarshallingError / BadArguments; a decoded frame,
// re-built with the frame constructors, gives back exactly the header for the body length and
// the input body (the format is canonical); parsed ports are 1..65535.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "endpoint/wire.h"
#include "fuzz_require.h"

using namespace faaskeeper;
using faaskeeper::fuzz::require;

namespace {

// The frame rebuilt with the constructor of its kind; nullopt for kinds this target does not know.
std::optional<std::string> rebuild(const wire::Frame& f) {
  switch (f.kind) {
    case wire::Kind::Attach: return wire::attach_frame(f.id, f.session);
    case wire::Kind::Detach: return wire::detach_frame(f.id, f.session);
    case wire::Kind::Submit: return wire::submit_frame(f.id, f.payload);
    case wire::Kind::Read: return wire::read_frame(f.id, f.path);
    case wire::Kind::Result: return wire::result_frame(f.id, Status(f.err, f.message));
    case wire::Kind::ReadResult:
      return wire::read_result_frame(f.id, Status(f.err, f.message),
                                     f.present ? std::optional<std::string>(f.payload) : std::nullopt);
    case wire::Kind::Push: return wire::push_frame(f.session, f.payload);
    default: return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto f = wire::decode_body(body);
  if (!f.ok()) {
    require(f.code() == Error::MarshallingError, "decode error is MarshallingError");
  } else if (const auto frame = rebuild(*f)) {
    require(frame->size() == wire::kHeaderBytes + body.size(), "rebuilt frame length");
    require(wire::body_length(frame->data()) == body.size(), "header announces the body length");
    require(std::string_view(*frame).substr(wire::kHeaderBytes) == body, "canonical frame body");
  }
  auto a = wire::parse_address(body);
  if (a.ok()) {
    require(a->port >= 1, "port in 1..65535");
    auto b = wire::parse_address(a->to_string());
    // An IPv6 host loses its brackets in to_string(); re-parsing still finds the same port.
    require(b.ok() && b->port == a->port, "address round trip keeps the port");
  } else {
    require(a.code() == Error::BadArguments, "address error is BadArguments");
  }
  return 0;
}
