// Byte layouts of what the local provider stores in LMDB. All integers little-endian.
//
// Keys. LMDB keys are at most 511 bytes; system-store keys and znode paths are not bounded.
// A key of up to kDirectKeyBytes bytes is stored as itself. A longer key is stored as its first
// kDirectKeyBytes bytes, a 0xFF byte and a 16-byte hash of the whole key, and the whole key is
// kept in the record (see below) so reads verify it and scans recover it. Long keys sharing
// their first kDirectKeyBytes bytes are contiguous in LMDB order, so a prefix scan finds them
// all; scan() re-sorts them by the full key.
//
// Records (every stored value): one tag byte, then
//   tag 0: payload                                  (direct key)
//   tag 1: u32 key length, the full key, payload    (long key)
//
// Item payload (system store): u32 attribute count, then per attribute in name order:
//   u32 name length, name, u8 kind, value
//   kind 0 number: i64 | 1 bytes: u32 len, bytes | 2 string set / 3 list: u32 n, n x (u32 len, bytes)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "faaskeeper/error.h"
#include "providers/system_store.h"

namespace faaskeeper::local_codec {

inline constexpr size_t kDirectKeyBytes = 400;

// The LMDB key under which `key` is stored.
std::string store_key(std::string_view key);
// Whether `key` is stored under a hashed (long) LMDB key.
inline bool is_long_key(std::string_view key) { return key.size() > kDirectKeyBytes; }

// A record for `key` holding `payload`.
std::string make_record(std::string_view key, std::string_view payload);

// Splits a stored record found under LMDB key `stored_key`. Sets *key to the full key and
// *payload to the payload (views into `record`). DataInconsistency when malformed.
Status split_record(std::string_view stored_key, std::string_view record, std::string_view* key,
                    std::string_view* payload);

std::string encode_item(const Item& item);
Result<Item> decode_item(std::string_view bytes);

// Fixed-width helpers (also used by the queue's records).
void put_u32(std::string& out, uint32_t v);
void put_u64(std::string& out, uint64_t v);
// Big-endian, so byte order = numeric order (for sequence-number keys).
std::string be64(uint64_t v);
uint64_t read_be64(std::string_view b);

// A bounds-checked reader over a byte string.
class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool u8(uint8_t* v);
  bool u32(uint32_t* v);
  bool u64(uint64_t* v);
  bool bytes(std::string* v);  // u32 length + bytes
  bool done() const { return pos_ == b_.size(); }
  size_t pos() const { return pos_; }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

}  // namespace faaskeeper::local_codec
