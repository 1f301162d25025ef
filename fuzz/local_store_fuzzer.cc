// libFuzzer target: what the local provider reads back from LMDB (src/providers/local/codec.h):
// records (tag, long-key header) and system-store items. The first byte selects the layout
// (even: item payload, odd: record, with the stored LMDB key taken from the record's own key).
// Properties: no crash/UB/leak; corruption is DataInconsistency; an item that decodes with
// re-encodes to a fixed point no longer than the input; a record splits into views inside the input.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "fuzz_require.h"
#include "providers/local/codec.h"

using namespace faaskeeper;
using faaskeeper::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto item = local_codec::decode_item(bytes);
    if (!item.ok()) {
      require(item.code() == Error::DataInconsistency, "item error is DataInconsistency");
      return 0;
    }
    const std::string again = local_codec::encode_item(*item);
    auto item2 = local_codec::decode_item(again);
    require(item2.ok() && *item2 == *item, "item round trip");
    // Names are written in name order, once each: the re-encoding is a fixed point and never
    // longer than the input (duplicates and order are all a corrupt input can add).
    require(local_codec::encode_item(*item2) == again, "re-encoding is a fixed point");
    require(again.size() <= bytes.size(), "re-encoding is no longer than the input");
    return 0;
  }
  // A record stored under the LMDB key its own long-key header names (or a short key "k").
  std::string_view key, payload;
  std::string stored = "k";
  if (bytes.size() >= 5 && bytes[0] == '\1') {
    uint32_t n = uint8_t(bytes[1]) | uint32_t(uint8_t(bytes[2])) << 8 | uint32_t(uint8_t(bytes[3])) << 16 |
                 uint32_t(uint8_t(bytes[4])) << 24;
    if (n <= bytes.size() - 5) stored = local_codec::store_key(bytes.substr(5, n));
  }
  Status s = local_codec::split_record(stored, bytes, &key, &payload);
  if (!s.ok()) {
    require(s.code() == Error::DataInconsistency, "record error is DataInconsistency");
    return 0;
  }
  auto inside = [&](std::string_view v) {
    return v.empty() || (v.data() >= bytes.data() && v.data() + v.size() <= bytes.data() + bytes.size());
  };
  require(inside(payload), "payload is a view into the record");
  require(inside(key) || key == stored, "key is the stored key or a view into the record");
  require(local_codec::make_record(key, payload) == bytes || bytes[0] == '\1',
          "a short-key record re-makes to itself");
  if (bytes[0] == '\1' && local_codec::is_long_key(key))
    require(local_codec::make_record(key, payload) == bytes, "a long-key record re-makes to itself");
  return 0;
}
