// The codec against a real Apache ZooKeeper 3.8 over raw sockets (ZK_ENDPOINT=host:port; the
// harness `tests/harness/zk_server.py with -- <this binary>` provides one).
//
// Besides checking that every reply decodes, it re-encodes every decoded reply and requires
// the server's exact bytes back, so the encoder is proven byte-compatible with ZooKeeper's.
// It also pins the server behaviours the gateway mirrors (handshake forms, error replies,
// framing limits, four-letter words), as observed on Debian's ZooKeeper 3.8.0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "samples.h"
#include "zk/codec.h"

namespace faaskeeper::zk {
namespace {
using testing::hex;

// A blocking client connection with a deadline on every read.
class Conn {
 public:
  Conn() {
    const char* ep = std::getenv("ZK_ENDPOINT");
    std::string s = ep ? ep : "";
    auto colon = s.rfind(':');
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(std::atoi(s.substr(colon + 1).c_str())));
    ::inet_pton(AF_INET, s.substr(0, colon).c_str(), &a.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    int one = 1;
    if (fd_ >= 0) ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Conn() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;  // the peer closed; the next read reports it
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  // The next frame payload, or nullopt if the server closed the connection (or 5 s passed,
  // which `timed_out` reports).
  std::optional<std::string> frame(bool* timed_out = nullptr) {
    if (timed_out) *timed_out = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (true) {
      auto item = dec_.next();
      if (!item.ok()) return std::nullopt;
      if (auto* f = std::get_if<Frame>(&*item)) return std::move(f->payload);
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        if (timed_out) *timed_out = true;
        return std::nullopt;
      }
      char buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return std::nullopt;
      dec_.feed(std::string_view(buf, static_cast<size_t>(n)));
    }
  }

  // Whether the server closed the connection (EOF or reset within 5 s).
  bool closed_by_server() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return false;
    char c;
    return ::recv(fd_, &c, 1, 0) <= 0;
  }

  // Raw bytes until EOF (for four-letter words).
  std::string read_all() {
    std::string out;
    char buf[4096];
    pollfd p{fd_, POLLIN, 0};
    while (::poll(&p, 1, 5000) > 0) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
  FrameDecoder dec_{/*detect_four_letter_words=*/false};
};

struct Reply {
  ReplyHeader header;
  std::string body;
};

class RealZooKeeper : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::getenv("ZK_ENDPOINT")) GTEST_SKIP() << "ZK_ENDPOINT not set (run via zk_server.py with)";
  }

  // Opens a session; returns the handshake reply payload.
  std::string handshake(Conn& c, bool read_only_byte = true, int64_t session = 0,
                        int32_t timeout = 30000) {
    ConnectRequest req;
    req.timeout_ms = timeout;
    req.session_id = session;
    req.password.assign(16, '\0');
    req.has_read_only = read_only_byte;
    c.send(encode_connect_request(req));
    auto f = c.frame();
    return f.value_or("");
  }

  // Sends a request, reads the reply; checks that re-encoding the decoded body reproduces the
  // server's bytes exactly.
  Reply call(Conn& c, int32_t xid, const Request& req) {
    c.send(encode_request(xid, req));
    std::optional<std::string> f;
    Result<ReplyEnvelope> env = Status(Error::ConnectionLoss, "no reply");
    while (true) {  // notifications that precede the reply are collected in `events_`
      f = c.frame();
      EXPECT_TRUE(f.has_value()) << "no reply to " << opcode_name(int32_t(request_opcode(req)));
      if (!f) return {};
      env = split_reply(*f);
      EXPECT_TRUE(env.ok());
      if (!env.ok() || env->header.xid != kNotificationXid) break;
      auto ev = decode_record<WatcherEvent>(env->body);
      EXPECT_TRUE(ev.ok());
      if (ev.ok()) events_.push_back(*ev);
    }
    if (!env.ok()) return {};
    Reply r{env->header, std::string(env->body)};
    EXPECT_EQ(r.header.xid, xid);
    if (r.header.err == 0) expect_exact_reencode(request_opcode(req), r);
    else if (request_opcode(req) == OpCode::MultiRead)
      // Quirk of 3.8.0's FinalRequestProcessor: a failed multiRead still carries the empty
      // MultiResponse it had started (just the terminator). Clients ignore bodies of errors.
      EXPECT_EQ(hex(r.body), "ffffffff01ffffffff");
    else
      EXPECT_EQ(r.body, "") << "error replies are header-only: "
                            << opcode_name(int32_t(request_opcode(req)));
    return r;
  }

  void expect_exact_reencode(OpCode op, const Reply& r) {
    auto rsp = decode_response(op, r.body);
    ASSERT_TRUE(rsp.ok()) << opcode_name(int32_t(op)) << ": " << rsp.status().to_string();
    EXPECT_EQ(hex(encode_reply(r.header, *rsp).substr(4 + kReplyHeaderBytes)), hex(r.body))
        << "re-encoded " << opcode_name(int32_t(op)) << " differs from ZooKeeper's bytes";
  }

  template <class T>
  T body_as(OpCode op, const Reply& r) {
    auto rsp = decode_response(op, r.body);
    EXPECT_TRUE(rsp.ok()) << rsp.status().to_string();
    if (!rsp.ok() || !std::holds_alternative<T>(*rsp)) {
      ADD_FAILURE() << "unexpected reply body for " << opcode_name(int32_t(op));
      return T{};
    }
    return std::get<T>(*rsp);
  }
  std::vector<WatcherEvent> events_;

  std::string unique(const char* base) {
    return std::string("/") + base + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter_++);
  }
  int counter_ = 0;
};

TEST_F(RealZooKeeper, HandshakeReplyMirrorsTheRequestForm) {
  Conn a;
  ASSERT_TRUE(a.ok());
  const std::string r45 = handshake(a, true);
  EXPECT_EQ(r45.size(), 37u);
  auto rsp45 = decode_connect_response(r45);
  ASSERT_TRUE(rsp45.ok());
  EXPECT_TRUE(rsp45->has_read_only);
  EXPECT_NE(rsp45->session_id, 0);
  EXPECT_EQ(rsp45->timeout_ms, 30000);
  EXPECT_EQ(rsp45->password.size(), 16u);
  EXPECT_EQ(encode_connect_response(*rsp45).substr(4), r45);

  Conn b;
  const std::string r44 = handshake(b, false);
  EXPECT_EQ(r44.size(), 36u);
  auto rsp44 = decode_connect_response(r44);
  ASSERT_TRUE(rsp44.ok());
  EXPECT_FALSE(rsp44->has_read_only);
  EXPECT_EQ(encode_connect_response(*rsp44).substr(4), r44);
}

TEST_F(RealZooKeeper, UnknownSessionGetsTheExpiredAnswer) {
  Conn c;
  ConnectRequest req;
  req.timeout_ms = 30000;
  req.session_id = 0x123456789;
  req.password.assign(16, '\0');
  req.has_read_only = false;
  c.send(encode_connect_request(req));
  auto f = c.frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(hex(*f), hex(encode_connect_response(expired_session_response(req)).substr(4)));
}

TEST_F(RealZooKeeper, TimeoutIsClampedToTwoTicks) {
  Conn c;
  auto rsp = decode_connect_response(handshake(c, true, 0, 1000));
  ASSERT_TRUE(rsp.ok());
  EXPECT_EQ(rsp->timeout_ms, 4000);  // tickTime 2000 → minSessionTimeout 4000
}

TEST_F(RealZooKeeper, CrudRepliesDecodeAndReencodeExactly) {
  Conn c;
  handshake(c);
  const auto acl = open_acl_unsafe();
  const std::string p = unique("crud");
  auto created = call(c, 1, Create2Request{{p, std::string("v1"), acl, 0}});
  ASSERT_EQ(created.header.err, 0);
  auto c2 = body_as<Create2Response>(OpCode::Create2, created);
  EXPECT_EQ(c2.path, p);
  EXPECT_EQ(c2.stat.data_length, 2);
  EXPECT_EQ(c2.stat.czxid, created.header.zxid);

  auto got = call(c, 2, GetDataRequest{p, true});
  auto gd = body_as<GetDataResponse>(OpCode::GetData, got);
  EXPECT_EQ(gd.data, std::string("v1"));
  EXPECT_EQ(gd.stat, c2.stat);

  auto set = call(c, 3, SetDataRequest{p, std::nullopt, 0});
  ASSERT_EQ(set.header.err, 0);
  // The getData watch fired before the setData reply.
  EXPECT_EQ(events_, (std::vector<WatcherEvent>{{int32_t(EventType::NodeDataChanged), 3, p}}));
  EXPECT_EQ(body_as<SetDataResponse>(OpCode::SetData, set).stat.version, 1);

  auto nulled = call(c, 4, GetDataRequest{p, false});
  EXPECT_EQ(body_as<GetDataResponse>(OpCode::GetData, nulled).data, std::nullopt);

  auto bad = call(c, 5, SetDataRequest{p, std::string("x"), 0});
  EXPECT_EQ(bad.header.err, int32_t(Error::BadVersion));

  call(c, 6, CreateRequest{p + "/child", std::nullopt, acl, 3});  // ephemeral sequential
  auto kids = call(c, 7, GetChildren2Request{p, false});
  auto k2 = body_as<GetChildren2Response>(OpCode::GetChildren2, kids);
  EXPECT_EQ(k2.children, std::vector<std::string>{"child0000000000"});
  EXPECT_EQ(k2.stat.num_children, 1);
  EXPECT_EQ(k2.stat.cversion, 1);

  auto eph = call(c, 8, GetEphemeralsRequest{p});
  EXPECT_EQ(body_as<GetEphemeralsResponse>(OpCode::GetEphemerals, eph).names,
            std::vector<std::string>{p + "/child0000000000"});
  auto all = call(c, 9, GetAllChildrenNumberRequest{p});
  EXPECT_EQ(body_as<GetAllChildrenNumberResponse>(OpCode::GetAllChildrenNumber, all).total_number, 1);
  auto acls = call(c, 10, GetACLRequest{p});
  EXPECT_EQ(body_as<GetACLResponse>(OpCode::GetACL, acls).acl, acl);
  auto sync = call(c, 11, SyncRequest{"/does-not-exist"});
  EXPECT_EQ(body_as<SyncResponse>(OpCode::Sync, sync).path, "/does-not-exist");
  auto ex = call(c, 12, ExistsRequest{p + "/nope", false});
  EXPECT_EQ(ex.header.err, int32_t(Error::NoNode));
  auto aw = call(c, 13, AddWatchRequest{p, kAddWatchPersistent});
  EXPECT_EQ(body_as<ErrorResponse>(OpCode::AddWatch, aw).err, 0);
  auto who = call(c, 14, WhoAmIRequest{});
  EXPECT_EQ(body_as<WhoAmIResponse>(OpCode::WhoAmI, who).client_info,
            (std::vector<ClientInfo>{{"ip", "127.0.0.1"}}));
  auto rw = call(c, 15, RemoveWatchesRequest{"/never-watched", kWatcherAny});
  EXPECT_EQ(rw.header.err, int32_t(Error::NoWatcher));
  auto ping = call(c, kPingXid, PingRequest{});
  EXPECT_EQ(ping.header.err, 0);
  auto close = call(c, 16, CloseSessionRequest{});
  EXPECT_EQ(close.header.err, 0);
}

TEST_F(RealZooKeeper, WatchNotificationPrecedesTheWriteReply) {
  Conn c;
  handshake(c);
  const std::string p = unique("watch");
  ASSERT_EQ(call(c, 1, ExistsRequest{p, true}).header.err, int32_t(Error::NoNode));
  c.send(encode_request(2, CreateRequest{p, std::string(), open_acl_unsafe(), 0}));
  auto first = c.frame();
  ASSERT_TRUE(first);
  auto env = split_reply(*first);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->header.xid, kNotificationXid);
  EXPECT_EQ(env->header.zxid, -1);  // 3.8: notifications carry zxid -1 (3.9+: the txn zxid)
  auto ev = decode_record<WatcherEvent>(env->body);
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(*ev, (WatcherEvent{int32_t(EventType::NodeCreated), 3, p}));
  EXPECT_EQ(hex(*first), hex(encode_notification(-1, *ev).substr(4)));
  auto second = c.frame();
  ASSERT_TRUE(second);
  EXPECT_EQ(split_reply(*second)->header.xid, 2);
}

TEST_F(RealZooKeeper, MultiResultsMatchByteForByte) {
  Conn c;
  handshake(c);
  const auto acl = open_acl_unsafe();
  const std::string p = unique("multi");
  // Failing multi: [create p, delete p/absent] → [0, NONODE], header err 0, p not created.
  auto failed = call(c, 1, MultiRequest{{CreateRequest{p, std::nullopt, acl, 0},
                                         DeleteRequest{p + "/absent", -1}}});
  ASSERT_EQ(failed.header.err, 0);
  JuteWriter w;
  write_multi_response(w, failed_multi_response(2, 1, Error::NoNode));
  EXPECT_EQ(hex(failed.body), hex(std::move(w).finish()));
  EXPECT_EQ(call(c, 2, ExistsRequest{p, false}).header.err, int32_t(Error::NoNode));

  // Failure in the middle: later ops are RUNTIMEINCONSISTENCY.
  auto mid = call(c, 3, MultiRequest{{CreateRequest{p, std::nullopt, acl, 0},
                                      CheckVersionRequest{p, 5},
                                      SetDataRequest{p, std::string("x"), -1}}});
  EXPECT_EQ(body_as<MultiResponse>(OpCode::Multi, mid), failed_multi_response(3, 1, Error::BadVersion));

  // Success with every write kind. Observed on 3.8.0: create2 inside multi answers type 1
  // (CreateResponse, no stat); createContainer answers type 15 with a stat.
  auto ok = call(c, 4, MultiRequest{{CreateRequest{p, std::nullopt, acl, 0},
                                     Create2Request{{p + "/b", std::string("b"), acl, 0}},
                                     CreateContainerRequest{{p + "/c", std::nullopt, acl, 4}},
                                     SetDataRequest{p + "/b", std::string("bb"), 0},
                                     CheckVersionRequest{p + "/b", 1},
                                     DeleteRequest{p + "/c", -1}}});
  ASSERT_EQ(ok.header.err, 0);
  auto res = body_as<MultiResponse>(OpCode::Multi, ok).results;
  ASSERT_EQ(res.size(), 6u);
  EXPECT_EQ(std::get<CreateResponse>(res[0]).path, p);
  EXPECT_EQ(std::get<CreateResponse>(res[1]).path, p + "/b");
  EXPECT_EQ(std::get<Create2Response>(res[2]).path, p + "/c");
  EXPECT_EQ(std::get<Create2Response>(res[2]).stat.czxid, ok.header.zxid);
  EXPECT_EQ(std::get<SetDataResponse>(res[3]).stat.version, 1);
  EXPECT_TRUE(std::holds_alternative<CheckResult>(res[4]));
  EXPECT_TRUE(std::holds_alternative<DeleteResult>(res[5]));

  auto reads = call(c, 5, MultiReadRequest{{GetDataRequest{p + "/b", false},
                                            GetChildrenRequest{p, false},
                                            GetDataRequest{p + "/zzz", false}}});
  ASSERT_EQ(reads.header.err, 0);
  auto rr = body_as<MultiResponse>(OpCode::MultiRead, reads).results;
  ASSERT_EQ(rr.size(), 3u);
  EXPECT_EQ(std::get<GetDataResponse>(rr[0]).data, std::string("bb"));
  EXPECT_EQ(std::get<GetChildrenResponse>(rr[1]).names, std::vector<std::string>{"b"});
  EXPECT_EQ(std::get<ErrorResponse>(rr[2]).err, int32_t(Error::NoNode));

  auto empty = call(c, 6, MultiRequest{});
  EXPECT_EQ(body_as<MultiResponse>(OpCode::Multi, empty).results.size(), 0u);
}

TEST_F(RealZooKeeper, MalformedBodyIsMarshallingErrorAndTheConnectionSurvives) {
  Conn c;
  handshake(c);
  // getData whose path length says 10 but only 2 bytes follow.
  JuteWriter w(true);
  w.record(RequestHeader{7, int32_t(OpCode::GetData)});
  w.int32(10);
  w.raw("/a");
  c.send(std::move(w).finish());
  auto f = c.frame();
  ASSERT_TRUE(f);
  auto env = split_reply(*f);
  EXPECT_EQ(env->header.xid, 7);
  EXPECT_EQ(env->header.err, int32_t(Error::MarshallingError));
  // The codec agrees that this body is malformed.
  EXPECT_EQ(decode_request(RequestHeader{7, 4}, std::string("\0\0\0\x0a/a", 6)).code(),
            Error::MarshallingError);
  EXPECT_EQ(call(c, kPingXid, PingRequest{}).header.err, 0);
  // An op type that multi does not allow: MARSHALLINGERROR too.
  JuteWriter m(true);
  m.record(RequestHeader{8, int32_t(OpCode::Multi)});
  m.record(MultiHeader{int32_t(OpCode::Sync), false, -1});
  m.ustring("/");
  m.record(MultiHeader{-1, true, -1});
  c.send(std::move(m).finish());
  auto mf = c.frame();
  ASSERT_TRUE(mf);
  EXPECT_EQ(split_reply(*mf)->header.err, int32_t(Error::MarshallingError));
  EXPECT_EQ(call(c, kPingXid, PingRequest{}).header.err, 0);
}

TEST_F(RealZooKeeper, AnswersToOpsFaaSKeeperDoesNotSupport) {
  Conn c;
  handshake(c);
  auto rc = call(c, 1, ReconfigRequest{"", "", "", -1});
  EXPECT_EQ(rc.header.err, -123);  // RECONFIGDISABLED
  auto sasl = call(c, 2, SaslRequest{std::string("token")});
  ASSERT_EQ(sasl.header.err, 0);
  EXPECT_EQ(sasl.header.zxid, 0);
  EXPECT_EQ(body_as<SaslResponse>(OpCode::Sasl, sasl).token, std::nullopt);
  // Ops of the wrong family inside multi / multiRead: the whole request is MARSHALLINGERROR.
  auto mixed = call(c, 3, MultiRequest{{GetDataRequest{"/", false}}});
  EXPECT_EQ(mixed.header.err, int32_t(Error::MarshallingError));
  auto mixed_read = call(c, 4, MultiReadRequest{{CreateRequest{"/r", std::nullopt,
                                                               open_acl_unsafe(), 0}}});
  EXPECT_EQ(mixed_read.header.err, int32_t(Error::MarshallingError));
  EXPECT_EQ(call(c, kPingXid, PingRequest{}).header.err, 0);  // still connected
}

TEST_F(RealZooKeeper, UnknownOpcodeIsUnimplementedThenClosedOn38) {
  Conn c;
  handshake(c);
  c.send(encode_request(1, PingRequest{}).replace(8, 4, std::string("\0\0\x03\xe7", 4)));  // 999
  auto f = c.frame();
  ASSERT_TRUE(f);
  auto env = split_reply(*f);
  EXPECT_EQ(env->header, (ReplyHeader{1, -1, int32_t(Error::Unimplemented)}));
  EXPECT_EQ(decode_request(RequestHeader{1, 999}, "").code(), Error::Unimplemented);
  // ZooKeeper 3.8.0 (UnimplementedRequestProcessor) closes the session after replying.
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(RealZooKeeper, FrameLimitIsJuteMaxBuffer) {
  {
    Conn c;
    handshake(c);
    // A create whose frame is exactly 1,048,575 bytes is accepted.
    const std::string p = unique("max");
    // prefix, header, path, data length, one world:anyone ACL (27 bytes), flags
    const size_t fixed = 4 + kRequestHeaderBytes + (4 + p.size()) + 4 + 27 + 4;
    std::string data(size_t(kMaxFrameBytes) + 4 - fixed, 'x');
    const std::string frame = encode_request(1, CreateRequest{p, data, open_acl_unsafe(), 0});
    ASSERT_EQ(frame.size(), 4u + size_t(kMaxFrameBytes));
    c.send(frame);
    auto f = c.frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(split_reply(*f)->header.err, 0);
  }
  {
    Conn c;
    handshake(c);
    c.send(std::string("\x00\x10\x00\x00", 4));  // 1,048,576
    EXPECT_TRUE(c.closed_by_server());
  }
  {
    Conn c;
    handshake(c);
    c.send(std::string("\xff\xff\xff\xfb", 4));  // -5
    EXPECT_TRUE(c.closed_by_server());
  }
}

TEST_F(RealZooKeeper, GarbageBeforeTheHandshakeIsClosed) {
  Conn c;
  c.send("GET / HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(c.closed_by_server());
  FrameDecoder d;
  d.feed("GET / HTTP/1.1\r\n\r\n");
  EXPECT_FALSE(d.next().ok());
}

TEST_F(RealZooKeeper, FourLetterWordsOnlyOnAFreshConnection) {
  {
    Conn c;
    c.send("ruok");
    EXPECT_EQ(c.read_all(), "imok");
  }
  {
    Conn c;
    handshake(c);
    c.send("ruok");  // now a length of 0x72756f6b
    EXPECT_TRUE(c.closed_by_server());
  }
}

TEST_F(RealZooKeeper, StandaloneCheckGetsNoReplyOn38) {
  // Observed on 3.8.0: a check (13) outside multi is swallowed (no reply), the connection stays
  // usable and later requests are answered. 3.9 answers UNIMPLEMENTED (ZOOKEEPER-2623).
  Conn c;
  handshake(c);
  c.send(encode_request(1, CheckVersionRequest{"/", -1}));
  c.send(encode_request(2, SyncRequest{"/"}));
  auto f = c.frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(split_reply(*f)->header.xid, 2);
}

}  // namespace
}  // namespace faaskeeper::zk
