// multi / multiRead framing: MultiHeader per op, the {-1, true, -1} terminator, error results.
#include <gtest/gtest.h>

#include "samples.h"
#include "zk/codec.h"

namespace faaskeeper::zk {
namespace {
using testing::hex;
using testing::unhex;

TEST(MultiRequest, LayoutByteForByte) {
  JuteWriter w;
  write_multi_ops(w, {DeleteRequest{"/a", -1}, CheckVersionRequest{"/b", 2}});
  EXPECT_EQ(hex(std::move(w).finish()),
            "00000002" "00" "ffffffff" "000000022f61" "ffffffff"   // delete /a v-1
            "0000000d" "00" "ffffffff" "000000022f62" "00000002"   // check /b v2
            "ffffffff" "01" "ffffffff");                           // terminator
}

TEST(MultiRequest, EmptyMultiIsJustTheTerminator) {
  auto ops = decode_multi_ops(unhex("ffffffff 01 ffffffff"));
  ASSERT_TRUE(ops.ok());
  EXPECT_TRUE(ops->empty());
}

TEST(MultiRequest, DoneFlagEndsTheListWhateverTypeAndErrSay) {
  auto ops = decode_multi_ops(unhex("00000002 00 ffffffff 000000022f61 ffffffff"
                                    "00000001 01 00000000"));
  ASSERT_TRUE(ops.ok()) << ops.status().to_string();
  ASSERT_EQ(ops->size(), 1u);
  EXPECT_EQ(std::get<DeleteRequest>((*ops)[0]).path, "/a");
}

TEST(MultiRequest, MissingTerminatorFails) {
  auto ops = decode_multi_ops(unhex("00000002 00 ffffffff 000000022f61 ffffffff"));
  ASSERT_FALSE(ops.ok());
  EXPECT_EQ(ops.code(), Error::MarshallingError);
}

TEST(MultiRequest, OpTypeOutsideTheMultiSetFails) {
  // sync (9) is not a multi op; ZooKeeper answers such a multi with MARSHALLINGERROR.
  auto ops = decode_multi_ops(unhex("00000009 00 ffffffff 000000022f61 ffffffff 01 ffffffff"));
  ASSERT_FALSE(ops.ok());
  EXPECT_EQ(ops.code(), Error::MarshallingError);
  EXPECT_NE(ops.status().message().find("invalid multi op type 9"), std::string::npos);
}

TEST(MultiRequest, EveryOpKindRoundTripsInsideMulti) {
  const auto acl = open_acl_unsafe();
  const std::vector<MultiOp> ops{
      CreateRequest{"/a", std::string("1"), acl, 0},
      Create2Request{{"/b", std::nullopt, acl, 2}},
      CreateContainerRequest{{"/c", std::string(), acl, 4}},
      CreateTTLRequest{"/d", std::string("d"), acl, 5, 99},
      DeleteRequest{"/a", 3},
      SetDataRequest{"/b", std::string("z"), 0},
      CheckVersionRequest{"/", 1},
      GetDataRequest{"/b", false},
      GetChildrenRequest{"/", false},
  };
  ASSERT_EQ(ops.size(), std::variant_size_v<MultiOp>);
  JuteWriter w;
  write_multi_ops(w, ops);
  const std::string body = std::move(w).finish();
  auto back = decode_multi_ops(body);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(*back, ops);
  for (size_t i = 0; i < ops.size(); ++i) EXPECT_EQ((*back)[i].index(), i);
}

TEST(MultiResponse, FailedMultiShapeAndBytes) {
  // multi[create /fred, delete /smith (absent)] → [err 0, err -101]; header err stays 0.
  const MultiResponse rsp = failed_multi_response(2, 1, Error::NoNode);
  ASSERT_EQ(rsp.results.size(), 2u);
  EXPECT_EQ(std::get<ErrorResponse>(rsp.results[0]).err, 0);
  EXPECT_EQ(std::get<ErrorResponse>(rsp.results[1]).err, -101);
  EXPECT_EQ(hex(encode_reply(ReplyHeader{5, 0x20, 0}, rsp)),
            "00000033"                                   // 51 bytes
            "00000005" "0000000000000020" "00000000"     // ReplyHeader, err 0
            "ffffffff" "00" "00000000" "00000000"        // error result, err 0 (rolled back)
            "ffffffff" "00" "ffffff9b" "ffffff9b"        // error result, NONODE
            "ffffffff" "01" "ffffffff");                 // terminator
}

TEST(MultiResponse, OpsAfterTheFailureAreRuntimeInconsistency) {
  const MultiResponse rsp = failed_multi_response(4, 1, Error::BadVersion);
  std::vector<int32_t> errs;
  for (const auto& r : rsp.results) errs.push_back(std::get<ErrorResponse>(r).err);
  EXPECT_EQ(errs, (std::vector<int32_t>{0, -103, -2, -2}));
}

TEST(MultiResponse, SuccessLayoutByteForByte) {
  MultiResponse rsp{{CreateResponse{"/a"}, DeleteResult{}, CheckResult{}}};
  JuteWriter w;
  write_multi_response(w, rsp);
  EXPECT_EQ(hex(std::move(w).finish()),
            "00000001" "00" "00000000" "000000022f61"
            "00000002" "00" "00000000"
            "0000000d" "00" "00000000"
            "ffffffff" "01" "ffffffff");
}

TEST(MultiResponse, Create2ResultCarriesAStat) {
  MultiResponse rsp{{Create2Response{"/c", testing::distinct_stat()}}};
  JuteWriter w;
  write_multi_response(w, rsp);
  const std::string body = std::move(w).finish();
  EXPECT_EQ(body.size(), 9u + 6u + kStatBytes + 9u);
  EXPECT_EQ(hex(body.substr(0, 9)), "0000000f" "00" "00000000");
  auto back = decode_multi_response(body);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, rsp);
}

TEST(MultiResponse, UnknownResultTypeFails) {
  auto r = decode_multi_response(unhex("00000013 00 00000000 ffffffff 01 ffffffff"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Error::MarshallingError);
}

}  // namespace
}  // namespace faaskeeper::zk
