#include "providers/local/codec.h"

#include <cstring>

namespace faaskeeper::local_codec {

namespace {

// 64-bit hash of `s` (a multiply-xorshift over 8-byte words, seeded): stable across builds.
uint64_t hash64(std::string_view s, uint64_t seed) {
  const uint64_t m = 0x9E3779B97F4A7C15ull;
  uint64_t h = seed ^ (s.size() * m);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * m;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail ^ (s.size() - i)) * m;
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

void put_raw(std::string& out, std::string_view v) {
  put_u32(out, static_cast<uint32_t>(v.size()));
  out.append(v.data(), v.size());
}

}  // namespace

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
std::string be64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(v >> (8 * (7 - i)));
  return out;
}
uint64_t read_be64(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < b.size(); ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}

bool Reader::u8(uint8_t* v) {
  if (b_.size() - pos_ < 1) return false;
  *v = static_cast<uint8_t>(b_[pos_++]);
  return true;
}
bool Reader::u32(uint32_t* v) {
  if (b_.size() - pos_ < 4) return false;
  *v = 0;
  for (int i = 0; i < 4; ++i) *v |= static_cast<uint32_t>(static_cast<uint8_t>(b_[pos_ + i])) << (8 * i);
  pos_ += 4;
  return true;
}
bool Reader::u64(uint64_t* v) {
  if (b_.size() - pos_ < 8) return false;
  *v = 0;
  for (int i = 0; i < 8; ++i) *v |= static_cast<uint64_t>(static_cast<uint8_t>(b_[pos_ + i])) << (8 * i);
  pos_ += 8;
  return true;
}
bool Reader::bytes(std::string* v) {
  uint32_t n;
  if (!u32(&n) || b_.size() - pos_ < n) return false;
  v->assign(b_.data() + pos_, n);
  pos_ += n;
  return true;
}

std::string store_key(std::string_view key) {
  if (!is_long_key(key)) return std::string(key);
  std::string out(key.substr(0, kDirectKeyBytes));
  out.push_back('\xff');
  put_u64(out, hash64(key, 0x243F6A8885A308D3ull));
  put_u64(out, hash64(key, 0x13198A2E03707344ull));
  return out;
}

std::string make_record(std::string_view key, std::string_view payload) {
  std::string out;
  if (!is_long_key(key)) {
    out.reserve(1 + payload.size());
    out.push_back('\0');
  } else {
    out.reserve(5 + key.size() + payload.size());
    out.push_back('\1');
    put_raw(out, key);
  }
  out.append(payload.data(), payload.size());
  return out;
}

Status split_record(std::string_view stored_key, std::string_view record, std::string_view* key,
                    std::string_view* payload) {
  auto bad = [&](const char* why) {
    return Status(Error::DataInconsistency, std::string("corrupted record: ") + why);
  };
  if (record.empty()) return bad("empty");
  if (record[0] == '\0') {
    *key = stored_key;
    *payload = record.substr(1);
    return Status::OK();
  }
  if (record[0] != '\1') return bad("unknown tag");
  Reader r(record.substr(1));
  uint32_t n;
  if (!r.u32(&n) || record.size() - 5 < n) return bad("truncated key");
  *key = record.substr(5, n);
  *payload = record.substr(5 + n);
  if (store_key(*key) != stored_key) return bad("key does not match its hash (hash collision or damage)");
  return Status::OK();
}

std::string encode_item(const Item& item) {
  std::string out;
  put_u32(out, static_cast<uint32_t>(item.size()));
  for (const auto& [name, value] : item) {
    put_raw(out, name);
    out.push_back(static_cast<char>(value.index()));
    if (auto* n = std::get_if<int64_t>(&value)) {
      put_u64(out, static_cast<uint64_t>(*n));
    } else if (auto* b = std::get_if<std::string>(&value)) {
      put_raw(out, *b);
    } else {
      const auto& list = value.index() == 2 ? std::get<StringSet>(value).items
                                            : std::get<std::vector<std::string>>(value);
      put_u32(out, static_cast<uint32_t>(list.size()));
      for (const auto& s : list) put_raw(out, s);
    }
  }
  return out;
}

Result<Item> decode_item(std::string_view bytes) {
  auto bad = [] { return Status(Error::DataInconsistency, "corrupted system-store item"); };
  Reader r(bytes);
  uint32_t count;
  if (!r.u32(&count)) return bad();
  Item item;
  for (uint32_t i = 0; i < count; ++i) {
    std::string name;
    uint8_t kind;
    if (!r.bytes(&name) || !r.u8(&kind)) return bad();
    switch (kind) {
      case 0: {
        uint64_t v;
        if (!r.u64(&v)) return bad();
        item.emplace(std::move(name), static_cast<int64_t>(v));
        break;
      }
      case 1: {
        std::string v;
        if (!r.bytes(&v)) return bad();
        item.emplace(std::move(name), std::move(v));
        break;
      }
      case 2:
      case 3: {
        uint32_t n;
        if (!r.u32(&n)) return bad();
        std::vector<std::string> list;
        for (uint32_t j = 0; j < n; ++j) {
          std::string s;
          if (!r.bytes(&s)) return bad();
          list.push_back(std::move(s));
        }
        if (kind == 2)
          item.emplace(std::move(name), StringSet{std::move(list)});
        else
          item.emplace(std::move(name), std::move(list));
        break;
      }
      default:
        return bad();
    }
  }
  if (!r.done()) return bad();
  return item;
}

}  // namespace faaskeeper::local_codec
