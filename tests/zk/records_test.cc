// Every request and response record: encode → decode round trips, and known byte layouts.
#include <gtest/gtest.h>

#include <set>

#include "samples.h"
#include "zk/codec.h"

namespace faaskeeper::zk {
namespace {
using testing::hex;
using testing::unhex;

// Decodes a complete request frame produced by encode_request.
Result<Request> decode_frame(const std::string& frame, RequestHeader* header = nullptr) {
  FrameDecoder d(/*detect_four_letter_words=*/false);
  d.feed(frame);
  auto item = d.next();
  if (!item.ok()) return item.status();
  auto* f = std::get_if<Frame>(&*item);
  if (!f) return Status(Error::MarshallingError, "no frame");
  auto env = split_request(f->payload);
  if (!env.ok()) return env.status();
  if (header) *header = env->header;
  // Copy the body out of the frame-local payload before it goes away.
  std::string body(env->body);
  return decode_request(env->header, body);
}

TEST(Requests, EveryAlternativeRoundTrips) {
  std::set<size_t> covered;
  int32_t xid = 1;
  for (const Request& req : testing::sample_requests()) {
    covered.insert(req.index());
    const std::string frame = encode_request(xid, req);
    RequestHeader h;
    auto back = decode_frame(frame, &h);
    ASSERT_TRUE(back.ok()) << opcode_name(int32_t(request_opcode(req))) << ": "
                           << back.status().to_string();
    EXPECT_EQ(h.xid, xid);
    EXPECT_EQ(h.type, static_cast<int32_t>(request_opcode(req)));
    EXPECT_EQ(*back, req) << opcode_name(h.type);
    EXPECT_EQ(back->index(), req.index());
    // Re-encoding the decoded value gives the same bytes.
    EXPECT_EQ(encode_request(xid, *back), frame);
    ++xid;
  }
  EXPECT_EQ(covered.size(), std::variant_size_v<Request>) << "a Request alternative has no sample";
}

TEST(Requests, CreateLayoutByteForByte) {
  const std::string frame =
      encode_request(1, CreateRequest{"/a", std::string("xy"), open_acl_unsafe(), 3});
  EXPECT_EQ(hex(frame),
            "00000033"                      // frame length 51
            "00000001" "00000001"           // xid 1, type create
            "00000002" "2f61"               // path "/a"
            "00000002" "7879"               // data "xy"
            "00000001"                      // 1 ACL
            "0000001f"                      // perms ALL
            "00000005" "776f726c64"         // "world"
            "00000006" "616e796f6e65"       // "anyone"
            "00000003");                    // flags EPHEMERAL_SEQUENTIAL
}

TEST(Requests, NullDataIsMinusOneAndSurvives) {
  const std::string frame = encode_request(9, SetDataRequest{"/n", std::nullopt, 4});
  EXPECT_EQ(hex(frame), "00000016" "00000009" "00000005" "000000022f6e" "ffffffff" "00000004");
  auto back = decode_frame(frame);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<SetDataRequest>(*back).data, std::nullopt);
}

TEST(Requests, PingAndCloseAreHeaderOnly) {
  EXPECT_EQ(hex(encode_request(kPingXid, PingRequest{})), "00000008" "fffffffe" "0000000b");
  EXPECT_EQ(hex(encode_request(7, CloseSessionRequest{})), "00000008" "00000007" "fffffff5");
}

TEST(Requests, Create2AndContainerKeepTheirOpcode) {
  const auto acl = open_acl_unsafe();
  auto c2 = decode_frame(encode_request(1, Create2Request{{"/x", std::nullopt, acl, 0}}));
  ASSERT_TRUE(c2.ok());
  EXPECT_TRUE(std::holds_alternative<Create2Request>(*c2));
  auto cc = decode_frame(encode_request(1, CreateContainerRequest{{"/x", std::nullopt, acl, 4}}));
  ASSERT_TRUE(cc.ok());
  EXPECT_TRUE(std::holds_alternative<CreateContainerRequest>(*cc));
}

TEST(Responses, EveryAlternativeRoundTrips) {
  std::set<size_t> covered;
  for (const auto& [op, rsp] : testing::sample_responses()) {
    covered.insert(rsp.index());
    const std::string frame = encode_reply(ReplyHeader{5, 77, 0}, rsp);
    FrameDecoder d(false);
    d.feed(frame);
    auto item = d.next();
    ASSERT_TRUE(item.ok());
    const std::string payload = std::get<Frame>(*item).payload;
    auto env = split_reply(payload);
    ASSERT_TRUE(env.ok());
    EXPECT_EQ(env->header, (ReplyHeader{5, 77, 0}));
    auto back = decode_response(op, env->body);
    ASSERT_TRUE(back.ok()) << opcode_name(int32_t(op)) << ": " << back.status().to_string();
    EXPECT_EQ(*back, rsp) << opcode_name(int32_t(op));
    EXPECT_EQ(encode_reply(ReplyHeader{5, 77, 0}, *back), frame);
  }
  EXPECT_EQ(covered.size(), std::variant_size_v<Response>) << "a Response alternative has no sample";
}

TEST(Responses, ErrorReplyIsHeaderOnlyEvenWithABody) {
  const std::string frame =
      encode_reply(ReplyHeader{3, 0x10, int32_t(Error::NoNode)}, GetDataResponse{"data", {}});
  EXPECT_EQ(hex(frame), "00000010" "00000003" "0000000000000010" "ffffff9b");
  EXPECT_EQ(encode_reply(ReplyHeader{3, 0x10, int32_t(Error::NoNode)}), frame);
}

TEST(Responses, GetDataLayoutByteForByte) {
  const std::string frame = encode_reply(ReplyHeader{2, 1, 0}, GetDataResponse{"v", Stat{}});
  ASSERT_EQ(frame.size(), 4u + 16u + 5u + 68u);
  EXPECT_EQ(hex(frame.substr(0, 25)),
            "00000059" "00000002" "0000000000000001" "00000000" "00000001" "76");
  EXPECT_EQ(frame.substr(25), std::string(68, '\0'));
}

TEST(Responses, ExistsBodyIsExactlyAStat) {
  const std::string frame = encode_reply(ReplyHeader{1, 1, 0}, ExistsResponse{testing::distinct_stat()});
  EXPECT_EQ(frame.size(), 4u + kReplyHeaderBytes + kStatBytes);
}

TEST(Responses, AddWatchReplyCarriesErrorResponseZero) {
  EXPECT_EQ(hex(encode_reply(ReplyHeader{4, 9, 0}, ErrorResponse{0})),
            "00000014" "00000004" "0000000000000009" "00000000" "00000000");
}

TEST(Notification, LayoutByteForByte) {
  const std::string frame = encode_notification(-1, WatcherEvent{3, 3, "/w"});
  EXPECT_EQ(hex(frame), "0000001e" "ffffffff" "ffffffffffffffff" "00000000"
                        "00000003" "00000003" "000000022f77");
  auto env = split_reply(std::string_view(frame).substr(4));
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->header.xid, kNotificationXid);
  auto ev = decode_record<WatcherEvent>(env->body);
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(*ev, (WatcherEvent{3, 3, "/w"}));
}

TEST(Responses, TruncatedBodiesFail) {
  for (const auto& [op, rsp] : testing::sample_responses()) {
    JuteWriter w;
    write_response_body(w, rsp);
    const std::string body = std::move(w).finish();
    for (size_t cut = 0; cut < body.size(); ++cut) {
      auto back = decode_response(op, std::string_view(body).substr(0, cut));
      EXPECT_FALSE(back.ok()) << opcode_name(int32_t(op)) << " cut at " << cut;
    }
  }
}

TEST(Responses, ShortReplyHeaderFails) {
  auto env = split_reply(unhex("00000001 0000000000000001 0000"));
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.code(), Error::MarshallingError);
}

}  // namespace
}  // namespace faaskeeper::zk
