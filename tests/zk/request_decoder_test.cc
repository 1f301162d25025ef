// decode_request's contract: Unimplemented for opcodes no client may send, MarshallingError for
// malformed bodies, trailing bytes ignored.
#include <gtest/gtest.h>

#include "samples.h"
#include "zk/codec.h"

namespace faaskeeper::zk {
namespace {
using testing::unhex;

TEST(SplitRequest, NeedsTheEightByteHeader) {
  for (size_t n : {0u, 4u, 7u}) {
    auto env = split_request(std::string(n, '\0'));
    ASSERT_FALSE(env.ok()) << n;
    EXPECT_EQ(env.code(), Error::MarshallingError);
  }
  const std::string payload = unhex("0000002a 00000004 616263");
  auto env = split_request(payload);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->header, (RequestHeader{42, 4}));
  EXPECT_EQ(env->body, "abc");
}

TEST(DecodeRequest, UnknownAndInternalOpcodesAreUnimplemented) {
  for (int32_t op : {999, 10, 23, 99, 108, -3, -12, 0, 20, -10, -1, INT32_MIN, INT32_MAX}) {
    auto r = decode_request(RequestHeader{17, op}, "");
    ASSERT_FALSE(r.ok()) << op;
    EXPECT_EQ(r.code(), Error::Unimplemented) << op;
    EXPECT_NE(r.status().message().find("xid 17"), std::string::npos);
  }
}

TEST(DecodeRequest, EveryKnownOpcodeRejectsATruncatedBody) {
  // For each sample, every strict prefix of its body must fail with MarshallingError
  // (except empty-body requests, which have no strict prefix).
  for (const Request& req : testing::sample_requests()) {
    const std::string frame = encode_request(1, req);
    const std::string_view body = std::string_view(frame).substr(4 + kRequestHeaderBytes);
    const RequestHeader h{1, static_cast<int32_t>(request_opcode(req))};
    for (size_t cut = 0; cut < body.size(); ++cut) {
      auto r = decode_request(h, body.substr(0, cut));
      ASSERT_FALSE(r.ok()) << opcode_name(h.type) << " cut " << cut;
      EXPECT_EQ(r.code(), Error::MarshallingError) << opcode_name(h.type) << " cut " << cut;
    }
  }
}

TEST(DecodeRequest, TrailingBytesAreIgnoredLikeZooKeeper) {
  auto r = decode_request(RequestHeader{1, 4}, unhex("000000012f 00 deadbeef"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<GetDataRequest>(*r), (GetDataRequest{"/", false}));
}

TEST(DecodeRequest, NegativeAndHugeLengthsInsideBodies) {
  struct Case {
    int32_t op;
    const char* body;
  };
  for (const Case& c : {
           Case{1, "fffffffe"},                              // create: path length -2
           Case{1, "000000012f 7fffffff"},                   // create: data length 2^31-1
           Case{1, "000000012f ffffffff 00100000"},          // create: 1M ACLs in 4 bytes
           Case{5, "000000012f 00100000 00"},                // setData: data over jute.maxbuffer
           Case{101, "0000000000000000 7fffffff"},           // setWatches: huge vector
           Case{14, "00000001 00 ffffffff 80000000"},        // multi create: path len INT_MIN
       }) {
    auto r = decode_request(RequestHeader{1, c.op}, unhex(c.body));
    ASSERT_FALSE(r.ok()) << c.op << " " << c.body;
    EXPECT_EQ(r.code(), Error::MarshallingError) << c.op << " " << c.body;
  }
}

TEST(DecodeRequest, NullPathReadsAsEmpty) {
  auto r = decode_request(RequestHeader{1, 103}, unhex("ffffffff"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<GetEphemeralsRequest>(*r).path, "");
}

TEST(DecodeRequest, OpcodeNamesForLogs) {
  EXPECT_EQ(opcode_name(12), "getChildren2");
  EXPECT_EQ(opcode_name(-11), "closeSession");
  EXPECT_EQ(opcode_name(4242), "unknown(4242)");
}

}  // namespace
}  // namespace faaskeeper::zk
