// Little-endian binary encoding helpers for FaaSKeeper's own formats (node objects, messages).
// The reader is bounds-checked: any read past the end, or a length over what remains, sets a
// sticky failure instead of reading out of bounds, so decoders of untrusted input stay safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faaskeeper {

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) { raw(&v, 4); }
  void i32(int32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void i64(int64_t v) { raw(&v, 8); }
  void str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  // Optional bytes: a presence byte, then the string.
  void opt_str(const std::optional<std::string>& s) {
    u8(s ? 1 : 0);
    if (s) str(*s);
  }
  void strs(const std::vector<std::string>& v) {
    u32(static_cast<uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  void bytes(std::string_view s) { out_.append(s.data(), s.size()); }
  std::string take() { return std::move(out_); }
  const std::string& view() const { return out_; }

 private:
  void raw(const void* p, size_t n) {
    // The project only targets little-endian machines (x86-64, arm64 in LE mode).
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
    out_.append(static_cast<const char*>(p), n);
  }
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }
  size_t remaining() const { return in_.size() - pos_; }

  uint8_t u8() { uint8_t v = 0; raw(&v, 1); return v; }
  uint32_t u32() { uint32_t v = 0; raw(&v, 4); return v; }
  int32_t i32() { int32_t v = 0; raw(&v, 4); return v; }
  uint64_t u64() { uint64_t v = 0; raw(&v, 8); return v; }
  int64_t i64() { int64_t v = 0; raw(&v, 8); return v; }
  bool boolean() {
    uint8_t b = u8();
    if (b > 1) ok_ = false;
    return b == 1;
  }
  std::string str() {
    uint32_t n = u32();
    if (!ok_ || n > remaining()) {
      ok_ = false;
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::optional<std::string> opt_str() {
    if (!boolean()) return std::nullopt;
    return str();
  }
  std::vector<std::string> strs() {
    uint32_t n = u32();
    std::vector<std::string> v;
    // Each element needs at least its 4-byte length: reject counts the input cannot hold.
    if (!ok_ || n > remaining() / 4) {
      ok_ = false;
      return v;
    }
    v.reserve(n);
    for (uint32_t i = 0; i < n && ok_; ++i) v.push_back(str());
    return v;
  }
  // The next `n` bytes as a view; fails if fewer remain.
  std::string_view take(size_t n) {
    if (!ok_ || n > remaining()) {
      ok_ = false;
      return {};
    }
    auto v = in_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  void fail() { ok_ = false; }

 private:
  void raw(void* p, size_t n) {
    if (!ok_ || n > remaining()) {
      ok_ = false;
      return;
    }
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace faaskeeper
