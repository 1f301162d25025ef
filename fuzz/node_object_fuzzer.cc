// libFuzzer target: the node object layout (src/core/node_object.h, docs/node-object-format.md)
// that every client parses from the user store.
// Properties: no crash/UB/leak; errors are MarshallingError; a decoded object re-encodes to the
// input except for flag bits this version does not define (readers must accept them), and the
// re-encoding decodes to the same object; the magic is checked.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/node_object.h"
#include "fuzz_require.h"

using namespace faaskeeper;
using faaskeeper::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto node = decode_node_object(bytes);
  if (!node.ok()) {
    require(node.code() == Error::MarshallingError, "decode error is MarshallingError");
    return 0;
  }
  require(bytes.substr(0, 4) == kNodeObjectMagic, "accepted only with the FKN1 magic");
  const std::string again = encode_node_object(*node);
  // The encoder writes flags 0 or 1 (null data); unknown bits of the input are dropped.
  require(again.size() == bytes.size(), "re-encoding has the input's size");
  std::string expected(bytes);
  uint32_t flags = 0;
  std::memcpy(&flags, expected.data() + 4, 4);  // little-endian host (x86-64, arm64)
  flags &= 1u;
  std::memcpy(expected.data() + 4, &flags, 4);
  require(again == expected, "re-encoding equals the input but for unknown flag bits");
  auto node2 = decode_node_object(again);
  require(node2.ok() && *node2 == *node, "node object round trip");
  return 0;
}
