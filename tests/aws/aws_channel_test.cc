// The AWS client channel (providers/aws/tcp_channel.h) over real 127.0.0.1 sockets: frames
// authenticated with the per-session secret are delivered and acked; forged, tampered,
// misaddressed, stale and oversized frames are refused (no delivery, no ack, connection
// closed); replays are acked but delivered once; an unreachable client is ConnectionLoss.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <mutex>
#include <utility>
#include <vector>

#include "providers/aws/tcp_channel.h"
#include "providers/memory/memory_system_store.h"

using namespace faaskeeper;
using namespace faaskeeper::aws;

namespace {

struct Received {
  std::mutex mu;
  std::vector<std::pair<int64_t, std::string>> items;
  void add(int64_t s, const std::string& m) {
    std::lock_guard lock(mu);
    items.emplace_back(s, m);
  }
  std::vector<std::pair<int64_t, std::string>> get() {
    std::lock_guard lock(mu);
    return items;
  }
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A raw connection: sends bytes, returns the ack byte, or -1 when the peer closed the
// connection (refusal). Bounded by a receive timeout so a bug cannot hang the test.
class RawConn {
 public:
  explicit RawConn(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawConn() { ::close(fd_); }
  bool connected() const { return connected_; }
  int exchange(const std::string& bytes) {
    if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size())) return -2;
    char c = 0;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    if (n == 1) return static_cast<unsigned char>(c);
    return n == 0 ? -1 : -3;  // -3: timeout (a hang: the test fails)
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class ChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto l = ChannelListener::start({}, [this](int64_t s, const std::string& m) { received.add(s, m); });
    ASSERT_TRUE(l.ok()) << l.status().to_string();
    listener = std::move(*l);
    secret = random_channel_secret();
    listener->add_session(kSession, secret);
    ASSERT_TRUE(register_channel(store, kSession, address(), secret).ok());
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(listener->port()); }

  static constexpr int64_t kSession = 4242;
  MemorySystemStore store;
  Received received;
  std::unique_ptr<ChannelListener> listener;
  std::string secret;
};

TEST_F(ChannelTest, SecretIsRandomAndRegistrationLandsInTheSessionItem) {
  EXPECT_EQ(secret.size(), kChannelSecretSize);
  EXPECT_NE(secret, random_channel_secret());
  auto item = store.get("s:4242");
  ASSERT_TRUE(item.ok() && *item);
  EXPECT_EQ(get_bytes(**item, kChannelAddrAttr), address());
  EXPECT_EQ(get_bytes(**item, kChannelKeyAttr), secret);
}

TEST_F(ChannelTest, FunctionSideChannelDeliversAuthenticatedFramesInOrder) {
  TcpClientChannel channel(&store);
  ASSERT_TRUE(channel.send(kSession, "reply-1").ok());
  ASSERT_TRUE(channel.send(kSession, std::string("\0binary\xff", 8)).ok());
  ASSERT_TRUE(channel.send(kSession, std::string(300000, 'x')).ok());  // larger than one TCP read
  // send() returns after the client's ack, which follows delivery: no waiting needed.
  auto got = received.get();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], std::make_pair(kSession, std::string("reply-1")));
  EXPECT_EQ(got[1].second, std::string("\0binary\xff", 8));
  EXPECT_EQ(got[2].second.size(), 300000u);
  EXPECT_EQ(listener->stats().accepted, 3u);
  EXPECT_EQ(listener->stats().rejected, 0u);
}

TEST_F(ChannelTest, CorrectRawFrameIsAcceptedForgedFrameIsRejected) {
  {
    RawConn good(listener->port());
    ASSERT_TRUE(good.connected());
    EXPECT_EQ(good.exchange(encode_channel_frame(kSession, now_ms(), secret, "genuine")), 1);
  }
  {
    RawConn forged(listener->port());
    std::string wrong = random_channel_secret();
    EXPECT_EQ(forged.exchange(encode_channel_frame(kSession, now_ms(), wrong, "injected event")), -1);
  }
  auto got = received.get();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].second, "genuine");
  EXPECT_EQ(listener->stats().rejected, 1u);
}

TEST_F(ChannelTest, TamperedMisaddressedAndStaleFramesAreRejected) {
  std::string frame = encode_channel_frame(kSession, now_ms(), secret, "set /a 1");
  std::string tampered = frame;
  tampered.back() ^= 1;
  EXPECT_EQ(RawConn(listener->port()).exchange(tampered), -1);
  std::string tampered_time = frame;
  tampered_time[4 + 1 + 8 + 7] ^= 1;  // last byte of sent_ms
  EXPECT_EQ(RawConn(listener->port()).exchange(tampered_time), -1);
  // The right secret for another (unregistered) session id, and a frame for a known session
  // MACed with another session's secret.
  EXPECT_EQ(RawConn(listener->port()).exchange(encode_channel_frame(7, now_ms(), secret, "x")), -1);
  std::string other = random_channel_secret();
  listener->add_session(7, other);
  EXPECT_EQ(RawConn(listener->port()).exchange(encode_channel_frame(kSession, now_ms(), other, "x")), -1);
  // Ten minutes old (the skew window is five).
  EXPECT_EQ(RawConn(listener->port()).exchange(encode_channel_frame(kSession, now_ms() - 600'000, secret, "x")), -1);
  // Garbage and a length prefix over the frame limit.
  EXPECT_EQ(RawConn(listener->port()).exchange(std::string("\0\0\0\x05hello", 9)), -1);
  EXPECT_EQ(RawConn(listener->port()).exchange(std::string("\x7f\xff\xff\xff", 4)), -1);
  EXPECT_TRUE(received.get().empty());
  EXPECT_EQ(listener->stats().rejected, 7u);
  EXPECT_EQ(listener->stats().accepted, 0u);
  // The original frame is still good.
  EXPECT_EQ(RawConn(listener->port()).exchange(frame), 1);
  EXPECT_EQ(received.get().size(), 1u);
}

TEST_F(ChannelTest, ReplayedFrameIsAckedButDeliveredOnce) {
  std::string frame = encode_channel_frame(kSession, now_ms(), secret, "once");
  RawConn a(listener->port());
  EXPECT_EQ(a.exchange(frame), 1);
  EXPECT_EQ(a.exchange(frame), 1);
  EXPECT_EQ(RawConn(listener->port()).exchange(frame), 1);
  EXPECT_EQ(received.get().size(), 1u);
  EXPECT_EQ(listener->stats().duplicates, 2u);
}

TEST_F(ChannelTest, RemovedSessionNoLongerReceives) {
  listener->remove_session(kSession);
  TcpClientChannel channel(&store);
  Status s = channel.send(kSession, "late");
  EXPECT_EQ(s.code(), Error::ConnectionLoss) << s.to_string();
  EXPECT_TRUE(received.get().empty());
}

TEST_F(ChannelTest, UnreachableOrUnregisteredClientIsConnectionLoss) {
  TcpClientChannel channel(&store, TcpChannelOptions{std::chrono::milliseconds(500), std::chrono::milliseconds(500), {}});
  EXPECT_EQ(channel.send(99, "nobody").code(), Error::ConnectionLoss);  // no session item
  // A port with nothing listening: stop the listener, keep the registration.
  uint16_t port = listener->port();
  listener.reset();
  Status s = channel.send(kSession, "gone");
  EXPECT_EQ(s.code(), Error::ConnectionLoss) << s.to_string();
  (void)port;
}

TEST_F(ChannelTest, ChannelFollowsAClientThatMovedItsListener) {
  TcpClientChannel channel(&store);
  ASSERT_TRUE(channel.send(kSession, "before").ok());  // caches the connection
  listener.reset();                                      // the client restarts its listener
  Received second;
  auto l = ChannelListener::start({}, [&](int64_t s, const std::string& m) { second.add(s, m); });
  ASSERT_TRUE(l.ok());
  (*l)->add_session(kSession, secret);
  ASSERT_TRUE(register_channel(store, kSession, "127.0.0.1:" + std::to_string((*l)->port()), secret).ok());
  Status s = channel.send(kSession, "after");
  ASSERT_TRUE(s.ok()) << s.to_string();
  ASSERT_EQ(second.get().size(), 1u);
  EXPECT_EQ(second.get()[0].second, "after");
}

TEST_F(ChannelTest, RegistrationCannotHijackAnOpenSession) {
  // The session is opened (the distributor sets "st"); someone else tries to point its channel
  // at their own listener.
  ASSERT_TRUE(store.update(UpdateOp{"s:4242", {}, {Action::set("st", int64_t{1})}}).ok());
  Status s = register_channel(store, kSession, "127.0.0.1:1", random_channel_secret());
  EXPECT_EQ(s.code(), Error::AuthFailed);
  auto item = store.get("s:4242");
  EXPECT_EQ(get_bytes(**item, kChannelAddrAttr), address());
  // The owner (same secret) may move its listener.
  EXPECT_TRUE(register_channel(store, kSession, "127.0.0.1:2", secret).ok());
}

}  // namespace
