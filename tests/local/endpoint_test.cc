// The endpoint on its own: real sockets on 127.0.0.1 against an Endpoint over the memory queue
// and user store (no functions), so every frame's effect is observed directly.
#include "endpoint/endpoint.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "protocol/messages.h"
#include "providers/memory/memory_queue.h"
#include "providers/memory/memory_user_store.h"
#include "tests/local/support.h"

namespace faaskeeper {
namespace {

using namespace test;

std::string request_bytes(int64_t session, uint64_t seq, const std::string& path) {
  ClientRequest r;
  r.session_id = session;
  r.seq = seq;
  r.op = SetDataRequest{path, std::string("x"), -1};
  return encode(r);
}

std::string header(uint32_t n) {
  std::string h(4, '\0');
  for (int i = 0; i < 4; ++i) h[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return h;
}

class EndpointTest : public ::testing::Test {
 protected:
  void start(EndpointOptions options = {}) {
    options.log = [this](const std::string& line) {
      std::lock_guard lock(log_mu_);
      log_.push_back(line);
    };
    endpoint_ = std::make_unique<Endpoint>(queue_, user_, options);
    ASSERT_TRUE(endpoint_->start().ok());
    ASSERT_NE(endpoint_->address().port, 0);
  }
  std::string log_text() {
    std::lock_guard lock(log_mu_);
    std::string all;
    for (auto& l : log_) all += l + "\n";
    return all;
  }
  // Attaches `session` on `s` and checks the answer.
  void attach(RawSocket& s, int64_t session, uint64_t id = 1) {
    ASSERT_TRUE(s.send_bytes(wire::attach_frame(id, session)));
    auto f = s.read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->kind, wire::Kind::Result);
    EXPECT_EQ(f->id, id);
    EXPECT_EQ(f->err, Error::Ok);
  }
  // A read round trip proving the connection is served.
  void expect_served(RawSocket& s, uint64_t id) {
    ASSERT_TRUE(s.send_bytes(wire::read_frame(id, "/served")));
    auto f = s.read_frame();
    ASSERT_TRUE(f) << "connection no longer served";
    EXPECT_EQ(f->kind, wire::Kind::ReadResult);
    EXPECT_EQ(f->id, id);
    ASSERT_TRUE(f->present);
    EXPECT_EQ(f->payload, "object");
  }

  MemoryQueue queue_;
  MemoryUserStore user_;
  std::unique_ptr<Endpoint> endpoint_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

TEST_F(EndpointTest, SubmitQueuesTheRequestInTheSessionsGroupWithItsDedupId) {
  start();
  RawSocket s(endpoint_->address());
  ASSERT_TRUE(s.ok());
  std::string req = request_bytes(42, 7, "/a");
  ASSERT_TRUE(s.send_bytes(wire::submit_frame(9, req)));
  auto f = s.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->kind, wire::Kind::Result);
  EXPECT_EQ(f->id, 9u);
  EXPECT_EQ(f->err, Error::Ok);
  auto got = queue_.receive(10, 1s, 10s);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].group, "42");
  EXPECT_EQ((*got)[0].dedup_id, request_id(42, 7));
  EXPECT_EQ((*got)[0].body, req);
}

TEST_F(EndpointTest, PipelinedSubmitsOfOneConnectionEnterTheQueueInOrder) {
  start();
  RawSocket s(endpoint_->address());
  std::string all;
  const int n = 300;  // more than max_pending_frames: reading pauses and resumes
  for (int i = 1; i <= n; ++i) all += wire::submit_frame(i, request_bytes(5, i, "/p"));
  ASSERT_TRUE(s.send_bytes(all));
  for (int i = 1; i <= n; ++i) {
    auto f = s.read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->id, static_cast<uint64_t>(i));
    EXPECT_EQ(f->err, Error::Ok);
  }
  std::vector<std::string> dedups;
  while (dedups.size() < static_cast<size_t>(n)) {
    auto got = queue_.receive(50, 1s, 10s);
    ASSERT_TRUE(got.ok());
    ASSERT_FALSE(got->empty());
    std::vector<std::string> receipts;
    for (auto& m : *got) dedups.push_back(m.dedup_id), receipts.push_back(m.receipt);
    queue_.ack(receipts);
  }
  for (int i = 1; i <= n; ++i) EXPECT_EQ(dedups[i - 1], request_id(5, i));
}

TEST_F(EndpointTest, ReadAnswersTheObjectOrAbsence) {
  start();
  ASSERT_TRUE(user_.write({{"/served", std::string("object")}}).ok());
  RawSocket s(endpoint_->address());
  expect_served(s, 3);
  ASSERT_TRUE(s.send_bytes(wire::read_frame(4, "/missing")));
  auto f = s.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->id, 4u);
  EXPECT_EQ(f->err, Error::Ok);
  EXPECT_FALSE(f->present);
}

TEST_F(EndpointTest, PushesReachTheAttachedConnectionInSendOrder) {
  start();
  RawSocket s(endpoint_->address());
  EXPECT_EQ(endpoint_->send(77, "before attach").code(), Error::ConnectionLoss);
  attach(s, 77);
  const int n = 500;
  // Two threads send interleaved; each one's messages must arrive in its order.
  std::thread a([&] {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(endpoint_->send(77, "a" + std::to_string(i)).ok());
  });
  std::thread b([&] {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(endpoint_->send(77, "b" + std::to_string(i)).ok());
  });
  a.join();
  b.join();
  int next_a = 0, next_b = 0;
  for (int i = 0; i < 2 * n; ++i) {
    auto f = s.read_frame();
    ASSERT_TRUE(f);
    ASSERT_EQ(f->kind, wire::Kind::Push);
    EXPECT_EQ(f->session, 77);
    if (f->payload[0] == 'a')
      EXPECT_EQ(f->payload, "a" + std::to_string(next_a++));
    else
      EXPECT_EQ(f->payload, "b" + std::to_string(next_b++));
  }
  EXPECT_EQ(next_a, n);
  EXPECT_EQ(next_b, n);

  ASSERT_TRUE(s.send_bytes(wire::detach_frame(2, 77)));
  auto f = s.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->id, 2u);
  EXPECT_EQ(endpoint_->send(77, "after detach").code(), Error::ConnectionLoss);
}

TEST_F(EndpointTest, AttachingElsewhereMovesTheSessionAndTheOldConnectionsCloseKeepsIt) {
  start();
  auto first = std::make_unique<RawSocket>(endpoint_->address());
  RawSocket second(endpoint_->address());
  attach(*first, 8);
  attach(second, 8);
  first.reset();  // closing the connection the session left must not unroute it
  ASSERT_TRUE(wait_for([&] { return endpoint_->connections() == 1; }, 5s));
  ASSERT_TRUE(endpoint_->send(8, "moved").ok());
  auto f = second.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "moved");
}

TEST_F(EndpointTest, ClientDisconnectMakesItsSessionsUnreachable) {
  start();
  {
    RawSocket s(endpoint_->address());
    attach(s, 11);
    ASSERT_TRUE(endpoint_->send(11, "hello").ok());
  }
  EXPECT_TRUE(wait_for([&] { return !endpoint_->send(11, "ping").ok(); }, 5s));
  EXPECT_EQ(endpoint_->send(11, "ping").code(), Error::ConnectionLoss);
}

TEST_F(EndpointTest, GarbageFramesCloseOnlyThatConnection) {
  start();
  ASSERT_TRUE(user_.write({{"/served", std::string("object")}}).ok());
  RawSocket healthy(endpoint_->address());
  attach(healthy, 1);

  struct Case {
    const char* what;
    std::string bytes;
  };
  std::string truncated_attach = wire::attach_frame(1, 2);
  truncated_attach = header(5) + truncated_attach.substr(4, 5);  // kind + 4 of the 16 field bytes
  std::string trailing = wire::read_frame(1, "/x");
  trailing = header(static_cast<uint32_t>(trailing.size() - 4 + 3)) + trailing.substr(4) + "abc";
  const Case cases[] = {
      {"unknown kind", header(9) + std::string("\x42", 1) + std::string(8, 'z')},
      {"empty body", header(0)},
      {"truncated body", truncated_attach},
      {"trailing bytes", trailing},
      {"answer kind sent by a client", wire::result_frame(1, Status::OK())},
      {"undecodable request", wire::submit_frame(5, "not a request")},
      {"random bytes", std::string("\x07\x00\x00\x00GARBAGE", 11)},
  };
  uint64_t id = 100;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    RawSocket bad(endpoint_->address());
    ASSERT_TRUE(bad.ok());
    bad.send_bytes(c.bytes);
    EXPECT_TRUE(bad.closed_by_peer());
    expect_served(healthy, ++id);
    EXPECT_TRUE(endpoint_->send(1, "still attached").ok());
    auto f = healthy.read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->payload, "still attached");
  }
  EXPECT_EQ(endpoint_->stats().closed_protocol, std::size(cases));
  EXPECT_NE(log_text().find("malformed frame"), std::string::npos) << log_text();
}

TEST_F(EndpointTest, OversizedFrameClosesOnlyThatConnection) {
  start();
  ASSERT_TRUE(user_.write({{"/served", std::string("object")}}).ok());
  RawSocket healthy(endpoint_->address());
  RawSocket big(endpoint_->address());
  // Only the header: the endpoint must refuse before reading (or buffering) the body.
  ASSERT_TRUE(big.send_bytes(header(static_cast<uint32_t>(wire::kMaxRequestBody + 1))));
  EXPECT_TRUE(big.closed_by_peer());
  expect_served(healthy, 1);
  EXPECT_EQ(endpoint_->stats().closed_protocol, 1u);
  EXPECT_NE(log_text().find("exceeds the limit of " + std::to_string(wire::kMaxRequestBody)), std::string::npos)
      << log_text();

  // The largest frame allowed is accepted.
  RawSocket max(endpoint_->address());
  std::string body = std::string(1, static_cast<char>(wire::Kind::Read)) + std::string(8, '\0');
  std::string path(wire::kMaxRequestBody - body.size() - 4, 'p');
  ASSERT_TRUE(max.send_bytes(wire::read_frame(6, path)));
  auto f = max.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->id, 6u);
  EXPECT_FALSE(f->present);
}

TEST_F(EndpointTest, AClientThatNeverReadsIsDisconnectedWhileOthersProceed) {
  EndpointOptions o;
  o.max_output_bytes = 256 << 10;
  start(o);
  RawSocket stalled(endpoint_->address());
  stalled.set_receive_buffer(4096);
  RawSocket reader(endpoint_->address());
  attach(stalled, 1);
  attach(reader, 2);

  const std::string chunk(64 << 10, 'x');
  std::atomic<int> received{0};
  std::atomic<bool> stop{false};
  std::thread drain([&] {
    while (!stop)
      if (reader.read_frame(100ms)) ++received;
  });
  int sent_to_reader = 0;
  bool refused = false;
  // The kernel buffers some megabytes; the endpoint then holds up to 256 KiB before giving up.
  for (int i = 0; i < 2000 && !refused; ++i) {
    refused = !endpoint_->send(1, chunk).ok();
    ASSERT_TRUE(endpoint_->send(2, "small").ok());
    ++sent_to_reader;
  }
  EXPECT_TRUE(refused) << "a client that never reads was never disconnected";
  EXPECT_EQ(endpoint_->send(1, "more").code(), Error::ConnectionLoss);
  EXPECT_EQ(endpoint_->stats().closed_slow, 1u);
  EXPECT_NE(log_text().find("client is not reading"), std::string::npos) << log_text();
  // The other client got every message and is still served.
  EXPECT_TRUE(wait_for([&] { return received == sent_to_reader; }, 10s)) << received << " of " << sent_to_reader;
  stop = true;
  drain.join();
  ASSERT_TRUE(user_.write({{"/served", std::string("object")}}).ok());
  expect_served(reader, 99);
}

TEST_F(EndpointTest, StopClosesConnectionsAndRefusesSends) {
  start();
  RawSocket s(endpoint_->address());
  attach(s, 4);
  endpoint_->stop();
  EXPECT_TRUE(s.closed_by_peer());
  EXPECT_EQ(endpoint_->send(4, "x").code(), Error::ConnectionLoss);
  RawSocket late(endpoint_->address());
  EXPECT_FALSE(late.ok() && !late.closed_by_peer(1s));
  endpoint_->stop();  // idempotent
}

TEST_F(EndpointTest, BusyPortIsAClearError) {
  start();
  EndpointOptions o;
  o.port = endpoint_->address().port;
  o.log = [](const std::string&) {};
  Endpoint second(queue_, user_, o);
  Status s = second.start();
  EXPECT_EQ(s.code(), Error::SystemError);
  EXPECT_NE(s.message().find("cannot listen on 127.0.0.1:" + std::to_string(o.port)), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace faaskeeper
