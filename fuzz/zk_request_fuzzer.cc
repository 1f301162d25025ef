// libFuzzer target: one frame payload (RequestHeader + body, no length prefix) through
// split_request/decode_request; the same bytes also go through the ConnectRequest decoder and,
// reading the header's type as the opcode, the client-side reply decoder for the body.
// Properties: no crash/UB/leak; error codes are MarshallingError/Unimplemented only; decoded
// values round-trip.
#include <cstddef>
#include <cstdint>

#include "fuzz_checks.h"

using namespace faaskeeper::zk;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  fuzz::check_request_payload(payload);
  fuzz::check_connect_payload(payload);
  if (auto env = split_request(payload); env.ok())
    fuzz::check_response_body(static_cast<OpCode>(env->header.type), env->body);
  return 0;
}
