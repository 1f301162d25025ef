// libFuzzer target: the client–function messages of src/protocol/messages.h. The first byte
// selects the decoder (mod 4): ClientRequest, ServerMessage, DistributorMessage, WatchBatch; the
// rest is the message.
// Properties: no crash/UB/leak; a decode error is MarshallingError; the encoding is canonical
// (whatever decodes re-encodes to exactly the input bytes, so two different byte strings never
// mean the same message and the writer's dedup ids and hashes are stable); request_id of a
// decoded request is "<session>:<seq>".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_require.h"
#include "protocol/messages.h"

using namespace faaskeeper;
using faaskeeper::fuzz::require;

namespace {

template <class T>
void check(const Result<T>& decoded, std::string_view input, const char* what) {
  if (!decoded.ok()) {
    require(decoded.code() == Error::MarshallingError, "decode error is MarshallingError");
    return;
  }
  const std::string again = encode(*decoded);
  if (again != input) {
    std::fprintf(stderr, "%s: %zu input bytes re-encode to %zu different bytes\n", what, input.size(), again.size());
    require(false, "canonical encoding (decode then encode gives the input back)");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view msg(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto r = decode_client_request(msg);
      check(r, msg, "ClientRequest");
      if (r.ok()) {
        const std::string id = request_id(r->session_id, r->seq);
        require(id == std::to_string(r->session_id) + ":" + std::to_string(r->seq), "request_id format");
      }
      break;
    }
    case 1:
      check(decode_server_message(msg), msg, "ServerMessage");
      break;
    case 2:
      check(decode_distributor_message(msg), msg, "DistributorMessage");
      break;
    case 3:
      check(decode_watch_batch(msg), msg, "WatchBatch");
      break;
  }
  return 0;
}
