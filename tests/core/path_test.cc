// ZooKeeper path rules (PathUtils.validatePath, reference §1.6) and path arithmetic.
#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "core/path.h"

using namespace faaskeeper;

namespace {

// A byte string that may hold NULs and arbitrary bytes.
std::string bytes(const char* s, size_t n) { return std::string(s, n); }

void expect_valid(const std::string& p) {
  Status s = validate_path(p);
  EXPECT_TRUE(s.ok()) << "\"" << p << "\" should be valid: " << s.to_string();
}

void expect_invalid(const std::string& p, const std::string& why) {
  Status s = validate_path(p);
  EXPECT_EQ(s.code(), Error::BadArguments) << why << ": \"" << p << "\" should be rejected";
}

}  // namespace

TEST(ValidatePath, AcceptsOrdinaryPaths) {
  for (const char* p : {"/", "/a", "/a/b", "/a/b/c", "/zookeeper", "/zookeeper/quota", "/a b",
                        "/~", "/a-0000000001", "/node_1.2", "/" "\xC3\xA9"})
    expect_valid(p);
}

TEST(ValidatePath, DotsAreOnlyForbiddenAsWholeComponents) {
  for (const char* p : {"/.a", "/a.", "/...", "/a/..b", "/a/b..", "/.hidden/x", "/a/.b/c"})
    expect_valid(p);
}

TEST(ValidatePath, RejectsEmptyAndRelative) {
  expect_invalid("", "empty");
  expect_invalid("a", "no leading slash");
  expect_invalid("a/b", "no leading slash");
  expect_invalid(" /a", "leading space");
}

TEST(ValidatePath, RejectsTrailingSlashExceptRoot) {
  expect_valid("/");
  expect_invalid("/a/", "trailing slash");
  expect_invalid("/a/b/", "trailing slash");
}

TEST(ValidatePath, RejectsEmptyComponents) {
  expect_invalid("//", "empty component");
  expect_invalid("//a", "empty component");
  expect_invalid("/a//b", "empty component");
  expect_invalid("/a///b", "empty component");
}

TEST(ValidatePath, RejectsDotAndDotDotComponents) {
  for (const char* p : {"/.", "/..", "/a/.", "/a/..", "/a/./b", "/a/../b", "/./a", "/../a"})
    expect_invalid(p, "relative component");
}

TEST(ValidatePath, RejectsNulAndControlCharacters) {
  expect_invalid(bytes("/\0", 2), "U+0000");
  expect_invalid(bytes("/a\0b", 4), "U+0000 inside");
  expect_invalid(bytes("/a/\0", 4), "U+0000 as a component");
  for (int c = 0x01; c <= 0x1F; ++c) expect_invalid("/a" + std::string(1, static_cast<char>(c)), "C0 control");
  expect_invalid("/b\x1e", "U+001E (kazoo test_create_invalid_path)");
}

TEST(ValidatePath, RejectsDeleteAndC1Controls) {
  expect_invalid("/\x7F", "U+007F");
  expect_invalid("/\xC2\x80", "U+0080");
  expect_invalid("/\xC2\x85", "U+0085");
  expect_invalid("/\xC2\x9F", "U+009F");
  expect_valid("/\x7E");         // U+007E '~': just below the range
  expect_valid("/\xC2\xA0");     // U+00A0: just above the range
}

TEST(ValidatePath, RejectsSurrogateAndPrivateUseRange) {
  expect_invalid("/\xED\xA0\x80", "U+D800");
  expect_invalid("/\xED\xBF\xBF", "U+DFFF");
  expect_invalid("/\xEE\x80\x80", "U+E000");
  expect_invalid("/\xEF\xA3\xBF", "U+F8FF");
  expect_valid("/\xED\x9F\xBF");  // U+D7FF: just below the range
  expect_valid("/\xEF\xA4\x80");  // U+F900: just above the range
}

TEST(ValidatePath, RejectsSpecialsRange) {
  expect_invalid("/\xEF\xBF\xB0", "U+FFF0");
  expect_invalid("/\xEF\xBF\xBD", "U+FFFD");
  expect_invalid("/\xEF\xBF\xBF", "U+FFFF");
  expect_valid("/\xEF\xBF\xAF");  // U+FFEF: just below the range
}

// ZooKeeper checks Java chars, i.e. UTF-16 code units: a code point above U+FFFF is a surrogate
// pair (U+D800..U+DFFF), which the U+D800-U+F8FF rule rejects. So "/😀" is BADARGUMENTS there.
TEST(ValidatePath, RejectsSupplementaryCodePointsLikeJava) {
  expect_invalid("/\xF0\x90\x80\x80", "U+10000 (surrogate pair in Java)");
  expect_invalid("/\xF0\x9F\x98\x80", "U+1F600 (surrogate pair in Java)");
}

TEST(ValidatePath, RejectsMalformedUtf8) {
  expect_invalid("/\x80", "lone continuation byte");
  expect_invalid("/\xC3", "truncated 2-byte sequence");
  expect_invalid("/\xE2\x82", "truncated 3-byte sequence");
  expect_invalid("/\xF0\x9F\x98", "truncated 4-byte sequence");
  expect_invalid("/\xC3\x28", "bad continuation byte");
  expect_invalid("/\xFF", "invalid lead byte");
  expect_invalid("/\xF8\x88\x80\x80\x80", "5-byte form");
  // Overlong encodings are malformed (Java decodes them to U+FFFD, which is then rejected):
  // an overlong '/' must not smuggle a separator-like character into a name.
  expect_invalid("/\xC0\xAF", "overlong U+002F");
  expect_invalid("/\xE0\x80\xAF", "overlong U+002F (3 bytes)");
  expect_invalid("/\xC1\xA1", "overlong 'a'");
  expect_invalid("/\xF4\x90\x80\x80", "above U+10FFFF");
}

TEST(ValidatePath, MessageNamesThePath) {
  Status s = validate_path("/a//b");
  ASSERT_EQ(s.code(), Error::BadArguments);
  EXPECT_NE(s.message().find("/a//b"), std::string::npos) << s.message();
}

TEST(ValidateSequentialPrefix, AllowsTrailingSlashOnly) {
  EXPECT_TRUE(validate_sequential_prefix("/folder/").ok());
  EXPECT_TRUE(validate_sequential_prefix("/folder/a-").ok());
  EXPECT_TRUE(validate_sequential_prefix("/").ok());
  EXPECT_EQ(validate_sequential_prefix("//").code(), Error::BadArguments);
  EXPECT_EQ(validate_sequential_prefix("/a/./").code(), Error::BadArguments);
  EXPECT_EQ(validate_sequential_prefix("/a//").code(), Error::BadArguments);
  EXPECT_EQ(validate_sequential_prefix("folder/").code(), Error::BadArguments);
}

TEST(PathArithmetic, ParentOf) {
  EXPECT_EQ(parent_of("/a/b"), "/a");
  EXPECT_EQ(parent_of("/a/b/c"), "/a/b");
  EXPECT_EQ(parent_of("/a"), "/");
  EXPECT_EQ(parent_of("/"), "");
}

TEST(PathArithmetic, BasenameOf) {
  EXPECT_EQ(basename_of("/a/b"), "b");
  EXPECT_EQ(basename_of("/a"), "a");
  EXPECT_EQ(basename_of("/a/b-0000000003"), "b-0000000003");
  EXPECT_EQ(basename_of("/"), "");
}

TEST(PathArithmetic, JoinPath) {
  EXPECT_EQ(join_path("/a", "b"), "/a/b");
  EXPECT_EQ(join_path("/", "b"), "/b");
  EXPECT_EQ(join_path("/a/b", "c"), "/a/b/c");
}

TEST(PathArithmetic, JoinInvertsParentAndBasename) {
  for (const char* p : {"/a", "/a/b", "/x/y/z", "/zookeeper/quota"})
    EXPECT_EQ(join_path(parent_of(p), basename_of(p)), p);
}

TEST(SequentialSuffix, TenDigitsZeroPadded) {
  EXPECT_EQ(sequential_suffix(0), "0000000000");
  EXPECT_EQ(sequential_suffix(1), "0000000001");
  EXPECT_EQ(sequential_suffix(42), "0000000042");
  EXPECT_EQ(sequential_suffix(1234567890), "1234567890");
  EXPECT_EQ(sequential_suffix(2147483647), "2147483647");
}

TEST(SequentialSuffix, NegativeAfterOverflowLikeJavaFormat) {
  // String.format("%010d", Integer.MIN_VALUE): 11 characters (ZOOKEEPER-2944).
  EXPECT_EQ(sequential_suffix(INT32_MIN), "-2147483648");
  EXPECT_EQ(sequential_suffix(INT32_MIN + 1), "-2147483647");
  EXPECT_EQ(sequential_suffix(-1), "-000000001");
}

TEST(ProtectedPaths, ExactlyTheSystemNodes) {
  for (const char* p : {"/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"})
    EXPECT_TRUE(is_protected_path(p)) << p;
  for (const char* p : {"/a", "/zookeeper/x", "/zookeeperx", "/zookeeper/quota/a", ""})
    EXPECT_FALSE(is_protected_path(p)) << p;
}
