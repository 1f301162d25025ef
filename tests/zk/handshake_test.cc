// ConnectRequest / ConnectResponse: both handshake forms, byte for byte, and the mirroring rule.
#include <gtest/gtest.h>

#include "samples.h"
#include "zk/handshake.h"

namespace faaskeeper::zk {
namespace {
using testing::hex;
using testing::unhex;

// A new-session request from a 3.4+ client (kazoo, Java, C): 45 payload bytes.
const std::string kConnect45 = unhex(
    "00000000"                          // protocolVersion
    "0000000000000010"                  // lastZxidSeen 16
    "00007530"                          // timeOut 30000
    "0000000000000000"                  // sessionId 0 (new)
    "00000010 00000000000000000000000000000000"  // passwd: 16 zero bytes
    "00");                              // readOnly false

TEST(ConnectRequest, DecodesThe45ByteForm) {
  ASSERT_EQ(kConnect45.size(), 45u);
  auto req = decode_connect_request(kConnect45);
  ASSERT_TRUE(req.ok()) << req.status().to_string();
  EXPECT_EQ(req->protocol_version, 0);
  EXPECT_EQ(req->last_zxid_seen, 16);
  EXPECT_EQ(req->timeout_ms, 30000);
  EXPECT_EQ(req->session_id, 0);
  EXPECT_EQ(req->password, std::string(16, '\0'));
  EXPECT_FALSE(req->read_only);
  EXPECT_TRUE(req->has_read_only);
}

TEST(ConnectRequest, DecodesThe44ByteFormAndRemembersIt) {
  auto req = decode_connect_request(kConnect45.substr(0, 44));
  ASSERT_TRUE(req.ok()) << req.status().to_string();
  EXPECT_FALSE(req->has_read_only);
  EXPECT_FALSE(req->read_only);
  EXPECT_EQ(req->timeout_ms, 30000);
}

TEST(ConnectRequest, ReadOnlyTrueAndTrailingBytesIgnored) {
  std::string bytes = kConnect45;
  bytes[44] = 1;
  bytes += "xyz";  // ZooKeeper answers a 48-byte handshake like a 45-byte one
  auto req = decode_connect_request(bytes);
  ASSERT_TRUE(req.ok());
  EXPECT_TRUE(req->read_only);
  EXPECT_TRUE(req->has_read_only);
}

TEST(ConnectRequest, EncodeMatchesBothForms) {
  ConnectRequest req;
  req.last_zxid_seen = 16;
  req.timeout_ms = 30000;
  req.password.assign(16, '\0');
  req.has_read_only = true;
  EXPECT_EQ(encode_connect_request(req), unhex("0000002d") + kConnect45);
  req.has_read_only = false;
  EXPECT_EQ(encode_connect_request(req), unhex("0000002c") + kConnect45.substr(0, 44));
}

TEST(ConnectRequest, TruncationBeforeReadOnlyFails) {
  for (size_t n : {0u, 3u, 20u, 27u, 43u}) {
    auto req = decode_connect_request(kConnect45.substr(0, n));
    ASSERT_FALSE(req.ok()) << n;
    EXPECT_EQ(req.code(), Error::MarshallingError);
  }
}

TEST(ConnectRequest, HugePasswordLengthFails) {
  std::string bytes = kConnect45;
  bytes.replace(24, 4, unhex("7fffffff"));
  auto req = decode_connect_request(bytes);
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.code(), Error::MarshallingError);
}

TEST(ConnectResponse, MirrorsTheRequestForm37Or36Bytes) {
  ConnectResponse rsp;
  rsp.timeout_ms = 30000;
  rsp.session_id = 0x0100000000000001;
  rsp.password = unhex("0102030405060708090a0b0c0d0e0f10");
  const std::string body =
      "00000000" "00007530" "0100000000000001" "00000010" "0102030405060708090a0b0c0d0e0f10";

  auto req45 = decode_connect_request(kConnect45);
  rsp.has_read_only = req45->has_read_only;
  const std::string f37 = encode_connect_response(rsp);
  EXPECT_EQ(hex(f37), "00000025" + std::string(body) + "00");
  EXPECT_EQ(f37.size(), 4u + 37u);

  auto req44 = decode_connect_request(kConnect45.substr(0, 44));
  rsp.has_read_only = req44->has_read_only;
  const std::string f36 = encode_connect_response(rsp);
  EXPECT_EQ(hex(f36), "00000024" + std::string(body));
  EXPECT_EQ(f36.size(), 4u + 36u);
}

TEST(ConnectResponse, RoundTripsBothForms) {
  for (bool form : {true, false}) {
    ConnectResponse rsp{0, 4000, 0x1234, std::string(16, '\7'), false, form};
    const std::string f = encode_connect_response(rsp);
    auto back = decode_connect_response(std::string_view(f).substr(4));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, rsp);
  }
}

TEST(ConnectResponse, ExpiredSessionAnswer) {
  auto req = decode_connect_request(kConnect45.substr(0, 44));
  const ConnectResponse rsp = expired_session_response(*req);
  EXPECT_EQ(rsp.timeout_ms, 0);
  EXPECT_EQ(rsp.session_id, 0);
  EXPECT_EQ(rsp.password, std::string(16, '\0'));
  EXPECT_EQ(hex(encode_connect_response(rsp)),
            "00000024" "00000000" "00000000" "0000000000000000" "00000010"
            "00000000000000000000000000000000");
}

}  // namespace
}  // namespace faaskeeper::zk
