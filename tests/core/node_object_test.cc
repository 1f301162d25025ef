// The node object (user store layout v1, src/core/node_object.h): round trips, exact byte
// offsets, and rejection of anything malformed.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "core/node_object.h"

using namespace faaskeeper;

namespace {

NodeObject sample() {
  NodeObject n;
  n.stat.czxid = 0x0102030405060708;
  n.stat.mzxid = 0x1112131415161718;
  n.stat.ctime = 1'700'000'000'123;
  n.stat.mtime = 1'700'000'000'456;
  n.stat.version = 7;
  n.stat.cversion = -1;
  n.stat.aversion = 3;
  n.stat.ephemeral_owner = 0x7EADBEEFCAFEF00D;
  n.stat.data_length = 5;
  n.stat.num_children = 2;
  n.stat.pzxid = 0x2122232425262728;
  n.data = std::string("hello");
  n.children = {"alpha", "b"};
  n.epochs = {41, 42, 43};
  return n;
}

int64_t i64_at(const std::string& b, size_t off) {
  int64_t v;
  std::memcpy(&v, b.data() + off, 8);
  return v;
}
int32_t i32_at(const std::string& b, size_t off) {
  int32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}
uint32_t u32_at(const std::string& b, size_t off) { return static_cast<uint32_t>(i32_at(b, off)); }
void put_u32(std::string& b, size_t off, uint32_t v) { std::memcpy(b.data() + off, &v, 4); }

// Offsets after the fixed header for sample(): 3 epochs.
constexpr size_t kEpochCount = 76;
constexpr size_t kChildCount = 80 + 3 * 8;                              // 104
constexpr size_t kFirstChildLen = kChildCount + 4;                      // 108
constexpr size_t kDataLen = kFirstChildLen + (4 + 5) + (4 + 1);         // 122

}  // namespace

TEST(NodeObject, RoundTripsEveryField) {
  NodeObject n = sample();
  auto back = decode_node_object(encode_node_object(n));
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, n);
}

TEST(NodeObject, NullAndEmptyDataStayDistinct) {
  NodeObject null_data = sample();
  null_data.data = std::nullopt;
  null_data.stat.data_length = 0;
  NodeObject empty_data = null_data;
  empty_data.data = std::string();

  std::string a = encode_node_object(null_data), b = encode_node_object(empty_data);
  EXPECT_NE(a, b);
  auto da = decode_node_object(a), db = decode_node_object(b);
  ASSERT_TRUE(da.ok() && db.ok());
  EXPECT_EQ(da->data, std::nullopt);
  ASSERT_TRUE(db->data.has_value());
  EXPECT_EQ(*db->data, "");
}

TEST(NodeObject, BinaryDataWithNulsRoundTrips) {
  NodeObject n = sample();
  n.data = std::string("\0\xFF\0x", 4);
  n.stat.data_length = 4;
  auto back = decode_node_object(encode_node_object(n));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->data, n.data);
}

TEST(NodeObject, EmptyCollectionsRoundTrip) {
  NodeObject n;
  n.data = std::string();
  auto back = decode_node_object(encode_node_object(n));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, n);
  EXPECT_EQ(encode_node_object(n).size(), 80u + 4 + 4);  // header, no epochs, 0 children, 0 data
}

TEST(NodeObject, ByteLayoutMatchesTheDocumentedOffsets) {
  NodeObject n = sample();
  std::string b = encode_node_object(n);
  ASSERT_EQ(b.size(), kDataLen + 4 + 5);
  EXPECT_EQ(b.substr(0, 4), "FKN1");
  EXPECT_EQ(u32_at(b, 4), 0u);  // flags: data present
  EXPECT_EQ(i64_at(b, 8), n.stat.czxid);
  EXPECT_EQ(i64_at(b, 16), n.stat.mzxid);
  EXPECT_EQ(i64_at(b, 24), n.stat.ctime);
  EXPECT_EQ(i64_at(b, 32), n.stat.mtime);
  EXPECT_EQ(i32_at(b, 40), n.stat.version);
  EXPECT_EQ(i32_at(b, 44), n.stat.cversion);
  EXPECT_EQ(i32_at(b, 48), n.stat.aversion);
  EXPECT_EQ(i64_at(b, 52), n.stat.ephemeral_owner);
  EXPECT_EQ(i32_at(b, 60), n.stat.data_length);
  EXPECT_EQ(i32_at(b, 64), n.stat.num_children);
  EXPECT_EQ(i64_at(b, 68), n.stat.pzxid);
  EXPECT_EQ(u32_at(b, kEpochCount), 3u);
  EXPECT_EQ(i64_at(b, 80), 41);
  EXPECT_EQ(i64_at(b, 96), 43);
  EXPECT_EQ(u32_at(b, kChildCount), 2u);
  EXPECT_EQ(u32_at(b, kFirstChildLen), 5u);
  EXPECT_EQ(b.substr(kFirstChildLen + 4, 5), "alpha");
  EXPECT_EQ(u32_at(b, kDataLen), 5u);
  EXPECT_EQ(b.substr(kDataLen + 4), "hello");
  // Little-endian: the lowest byte of czxid comes first.
  EXPECT_EQ(static_cast<unsigned char>(b[8]), 0x08);
}

TEST(NodeObject, NullDataSetsFlagBitZero) {
  NodeObject n = sample();
  n.data = std::nullopt;
  std::string b = encode_node_object(n);
  EXPECT_EQ(u32_at(b, 4), 1u);
  EXPECT_EQ(u32_at(b, b.size() - 4), 0u);  // data_len 0
}

TEST(NodeObject, RejectsBadMagic) {
  std::string b = encode_node_object(sample());
  for (const char* magic : {"FKN2", "fkn1", "\0KN1", "XXXX"}) {
    std::string bad = b;
    std::memcpy(bad.data(), magic, 4);
    auto r = decode_node_object(bad);
    EXPECT_EQ(r.code(), Error::MarshallingError) << magic;
  }
}

TEST(NodeObject, RejectsEveryTruncation) {
  for (bool null_data : {false, true}) {
    NodeObject n = sample();
    if (null_data) n.data = std::nullopt;
    std::string b = encode_node_object(n);
    for (size_t len = 0; len < b.size(); ++len) {
      auto r = decode_node_object(std::string_view(b).substr(0, len));
      EXPECT_EQ(r.code(), Error::MarshallingError) << "prefix of " << len << " of " << b.size() << " bytes";
    }
  }
}

TEST(NodeObject, RejectsTrailingBytes) {
  std::string b = encode_node_object(sample());
  EXPECT_EQ(decode_node_object(b + std::string(1, '\0')).code(), Error::MarshallingError);
  EXPECT_EQ(decode_node_object(b + "junk").code(), Error::MarshallingError);
}

TEST(NodeObject, RejectsAbsurdCounts) {
  const std::string b = encode_node_object(sample());
  struct Case {
    size_t offset;
    uint32_t value;
    const char* what;
  };
  for (const Case& c : {Case{kEpochCount, 0xFFFFFFFFu, "epoch count"},
                        Case{kEpochCount, 4u, "epoch count one too many"},
                        Case{kChildCount, 0xFFFFFFFFu, "child count"},
                        Case{kChildCount, 3u, "child count one too many"},
                        Case{kFirstChildLen, 0xFFFFFFFFu, "child name length"},
                        Case{kDataLen, 0xFFFFFFFFu, "data length"},
                        Case{kDataLen, 6u, "data length one too many"}}) {
    std::string bad = b;
    put_u32(bad, c.offset, c.value);
    EXPECT_EQ(decode_node_object(bad).code(), Error::MarshallingError) << c.what;
  }
}

TEST(NodeObject, RejectsNullFlagWithDataBytes) {
  std::string b = encode_node_object(sample());  // has 5 data bytes
  put_u32(b, 4, 1);
  EXPECT_EQ(decode_node_object(b).code(), Error::MarshallingError);
}

TEST(NodeObject, AcceptsUnknownFlagBits) {
  std::string b = encode_node_object(sample());
  put_u32(b, 4, 0x80000002u);  // bits this reader does not know; bit 0 clear
  auto r = decode_node_object(b);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(*r, sample());
}

TEST(NodeObject, AnyWordSetToAllOnesIsHandled) {
  const std::string good = encode_node_object(sample());
  for (size_t at = 0; at + 4 <= good.size(); ++at) {
    std::string bad = good;
    put_u32(bad, at, 0xFFFFFFFFu);
    Error c = decode_node_object(bad).code();
    ASSERT_TRUE(c == Error::Ok || c == Error::MarshallingError) << "offset " << at;
  }
}
