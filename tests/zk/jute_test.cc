// Jute primitives: exact big-endian layouts and the bounded reader's failure modes.
#include <gtest/gtest.h>

#include "samples.h"
#include "zk/jute.h"

namespace faaskeeper::zk {
namespace {
using testing::hex;
using testing::unhex;

TEST(JuteWriter, PrimitivesAreBigEndian) {
  JuteWriter w;
  w.int32(0x01020304);
  w.int32(-1);
  w.int64(0x0102030405060708);
  w.int64(-2);
  w.boolean(true);
  w.boolean(false);
  EXPECT_EQ(hex(std::move(w).finish()),
            "01020304ffffffff0102030405060708fffffffffffffffe0100");
}

TEST(JuteWriter, BuffersStringsAndVectors) {
  JuteWriter w;
  w.buffer(Data{});                     // null → -1
  w.buffer(Data{std::string()});        // empty → 0
  w.buffer(std::string("ab"));
  w.ustring("/z");
  w.ustrings({"a", "bc"});
  EXPECT_EQ(hex(std::move(w).finish()),
            "ffffffff" "00000000" "000000026162" "000000022f7a"
            "00000002" "0000000161" "000000026263");
}

TEST(JuteWriter, FramedWriterPatchesLength) {
  JuteWriter w(/*framed=*/true);
  w.int32(7);
  w.ustring("abc");
  EXPECT_EQ(hex(std::move(w).finish()), "0000000b" "00000007" "00000003616263");
}

TEST(JuteReader, ReadsWhatTheWriterWrote) {
  JuteWriter w;
  w.int32(-123456);
  w.int64(INT64_MIN);
  w.boolean(true);
  w.buffer(Data{});
  w.buffer(Data{std::string("\0x", 2)});
  w.ustring("/path");
  w.ustrings({"", "q"});
  const std::string bytes = std::move(w).finish();

  JuteReader r(bytes);
  int32_t i = 0;
  int64_t l = 0;
  bool b = false;
  Data d1 = std::string("junk"), d2;
  std::string s;
  std::vector<std::string> v;
  r.int32(i);
  r.int64(l);
  r.boolean(b);
  r.buffer(d1);
  r.buffer(d2);
  r.ustring(s);
  r.ustrings(v);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(i, -123456);
  EXPECT_EQ(l, INT64_MIN);
  EXPECT_TRUE(b);
  EXPECT_EQ(d1, std::nullopt);
  EXPECT_EQ(d2, std::string("\0x", 2));
  EXPECT_EQ(s, "/path");
  EXPECT_EQ(v, (std::vector<std::string>{"", "q"}));
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(JuteReader, AnyNonZeroByteIsTrue) {
  std::string bytes = unhex("00 01 7f ff");
  JuteReader r(bytes);
  bool a = true, b = false, c = false, d = false;
  r.boolean(a);
  r.boolean(b);
  r.boolean(c);
  r.boolean(d);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(a);
  EXPECT_TRUE(b);
  EXPECT_TRUE(c);
  EXPECT_TRUE(d);
}

TEST(JuteReader, NullUstringAndVectorReadAsEmpty) {
  std::string bytes = unhex("ffffffff ffffffff");
  JuteReader r(bytes);
  std::string s = "x";
  std::vector<std::string> v{"y"};
  r.ustring(s);
  r.ustrings(v);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(s, "");
  EXPECT_TRUE(v.empty());
}

TEST(JuteReader, TruncatedIntFails) {
  std::string bytes = unhex("00 00 01");
  JuteReader r(bytes);
  int32_t v = 0;
  r.int32(v);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Error::MarshallingError);
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();
}

TEST(JuteReader, TruncatedBufferFails) {
  std::string bytes = unhex("00000005 616263");  // says 5, has 3
  JuteReader r(bytes);
  Data d;
  r.buffer(d);
  EXPECT_EQ(r.status().code(), Error::MarshallingError);
}

TEST(JuteReader, NegativeLengthsOtherThanMinusOneFail) {
  for (const char* len : {"fffffffe", "80000000"}) {
    std::string bytes = unhex(len);
    JuteReader r(bytes);
    std::string s;
    r.ustring(s);
    EXPECT_EQ(r.status().code(), Error::MarshallingError) << len;
    EXPECT_NE(r.status().message().find("negative"), std::string::npos);
  }
}

TEST(JuteReader, LengthAboveMaxBufferFailsWithoutAllocating) {
  // 0x7fffffff and jute.maxbuffer + 1 both exceed the field limit.
  for (const char* len : {"7fffffff", "00100000"}) {
    std::string bytes = unhex(len) + "abc";
    JuteReader r(bytes);
    Data d;
    r.buffer(d);
    EXPECT_EQ(r.status().code(), Error::MarshallingError) << len;
    EXPECT_NE(r.status().message().find("exceeds"), std::string::npos) << r.status().message();
  }
}

TEST(JuteReader, VectorCountLargerThanTheBytesLeftFails) {
  // 1000 ustrings need at least 4000 bytes; only 8 follow.
  std::string bytes = unhex("000003e8 00000000 00000000");
  JuteReader r(bytes);
  std::vector<std::string> v;
  r.ustrings(v);
  EXPECT_EQ(r.status().code(), Error::MarshallingError);
  EXPECT_NE(r.status().message().find("overruns"), std::string::npos) << r.status().message();
}

TEST(JuteReader, FailureIsStickyAndKeepsFirstReason) {
  std::string bytes = unhex("00");
  JuteReader r(bytes);
  int32_t a = 5;
  r.int32(a);
  const std::string first = r.status().message();
  int64_t b = 9;
  r.int64(b);
  r.fail("second reason");
  EXPECT_EQ(r.status().message(), first);
  EXPECT_EQ(b, 9);  // untouched after failure
  EXPECT_EQ(r.offset(), 0u);
}

TEST(JuteReader, StatIsSixtyEightBytesInJuteOrder) {
  const Stat s = testing::distinct_stat();
  JuteWriter w;
  w.stat(s);
  const std::string bytes = std::move(w).finish();
  ASSERT_EQ(bytes.size(), kStatBytes);
  EXPECT_EQ(hex(bytes),
            "0102030405060708"    // czxid
            "1112131415161718"    // mzxid
            "0000018bcfe56801"    // ctime
            "0000018bcfe56802"    // mtime
            "00000003"            // version
            "fffffffc"            // cversion
            "00000005"            // aversion
            "7fffffffffff0006"    // ephemeralOwner
            "00000007"            // dataLength
            "00000008"            // numChildren
            "2122232425262728");  // pzxid
  JuteReader r(bytes);
  Stat back;
  r.stat(back);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(back, s);
  JuteReader short_reader(std::string_view(bytes).substr(0, 67));
  short_reader.stat(back);
  EXPECT_FALSE(short_reader.ok());
}

}  // namespace
}  // namespace faaskeeper::zk
