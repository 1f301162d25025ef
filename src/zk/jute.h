// Jute primitives: ZooKeeper's big-endian binary record encoding (BinaryInput/OutputArchive).
//
//   int     4 bytes, big-endian two's complement
//   long    8 bytes, big-endian two's complement
//   bool    1 byte; writers emit 0/1, readers treat any non-zero byte as true (DataInput)
//   buffer  int length + bytes; length -1 = null
//   ustring int byte-length + UTF-8 bytes; length -1 = null
//   vector  int count + elements; count -1 = null
//   record  its fields in schema order, no tags or padding
//
// Records describe their layout once, in a static member template
//     template <class Ar, class Self> static void fields(Ar& ar, Self& s);
// that calls ar.int32(s.x), ar.ustring(s.path), ... in jute order. The same function drives
// JuteReader (Self non-const) and JuteWriter (Self const), so encode and decode cannot drift.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "faaskeeper/error.h"
#include "faaskeeper/types.h"
#include "zk/limits.h"

namespace faaskeeper::zk {

// A bounded, fail-stop reader over one byte range.
//
// Invariants: it never reads outside [data, data+size); the first malformed or truncated field
// puts it into the failed state, after which every read leaves its output untouched-or-default
// and returns immediately, so a record decode can run straight through and check ok() once.
// Lengths below -1, above kMaxFieldBytes, or above the bytes that remain are errors (so a
// hostile length can never trigger a large allocation); so is a vector count larger than the
// remaining bytes could hold.
class JuteReader {
 public:
  explicit JuteReader(std::string_view in) : in_(in) {}

  void int32(int32_t& v);
  void int64(int64_t& v);
  void boolean(bool& v);
  // A buffer that may be null (length -1 → std::nullopt).
  void buffer(Data& v);
  // A buffer whose null form is read as empty (for fields where null carries no meaning).
  void buffer(std::string& v);
  // A ustring; null (-1) is read as "" (ZooKeeper clients never send null paths on purpose).
  // Bytes are passed through unvalidated, as UTF-8 validation is not a framing concern.
  void ustring(std::string& v);
  // vector<ustring>; a null vector (-1) is read as empty.
  void ustrings(std::vector<std::string>& v);
  void stat(Stat& s);
  template <class R>
  void record(R& r) {
    if (ok_) R::fields(*this, r);
  }
  // vector<R>; R::kMinWireBytes bounds the count against the remaining bytes.
  template <class R>
  void records(std::vector<R>& v);

  // Marks the reader failed with `why` (for hand-written codecs); keeps the first reason.
  void fail(std::string why);

  bool ok() const { return ok_; }
  // OK, or MarshallingError carrying the first failure reason.
  Status status() const;
  size_t offset() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }
  std::string_view rest() const { return in_.substr(pos_); }

 private:
  bool need(size_t n);
  // Reads a length/count prefix; returns false (and fails) on < -1 or > limit; sets null on -1.
  bool length(int32_t& len, bool& is_null, size_t unit, int32_t limit, const char* what);

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
  std::string error_;
};

// An appending writer. With `framed`, it reserves the 4-byte length prefix and finish()
// fills it in, producing a complete wire frame.
class JuteWriter {
 public:
  explicit JuteWriter(bool framed = false);

  void int32(const int32_t& v);
  void int64(const int64_t& v);
  void boolean(const bool& v);
  void buffer(const Data& v);          // nullopt → length -1
  void buffer(const std::string& v);   // never null
  void ustring(const std::string& v);  // never null
  void ustrings(const std::vector<std::string>& v);
  void stat(const Stat& s);
  template <class R>
  void record(const R& r) {
    R::fields(*this, r);
  }
  template <class R>
  void records(const std::vector<R>& v) {
    int32(static_cast<int32_t>(v.size()));
    for (const auto& r : v) R::fields(*this, r);
  }
  void raw(std::string_view bytes) { out_.append(bytes); }

  size_t size() const { return out_.size(); }
  // The bytes written; for a framed writer, with the length prefix patched to size()-4.
  std::string finish() &&;

 private:
  bool framed_;
  std::string out_;
};

template <class R>
void JuteReader::records(std::vector<R>& v) {
  v.clear();
  int32_t n = 0;
  bool is_null = false;
  if (!length(n, is_null, R::kMinWireBytes, kMaxFieldBytes, "vector")) return;
  if (is_null) return;
  v.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n && ok_; ++i) {
    v.emplace_back();
    R::fields(*this, v.back());
  }
}

// Encodes one record without a frame prefix.
template <class R>
std::string encode_record(const R& r) {
  JuteWriter w;
  w.record(r);
  return std::move(w).finish();
}

// Decodes one record from the start of `in`. Trailing bytes are ignored, as ZooKeeper's
// deserializers ignore them; `consumed` (if given) receives the bytes used.
template <class R>
Result<R> decode_record(std::string_view in, size_t* consumed = nullptr) {
  JuteReader r(in);
  R rec{};
  r.record(rec);
  if (!r.ok()) return r.status();
  if (consumed) *consumed = r.offset();
  return rec;
}

}  // namespace faaskeeper::zk
