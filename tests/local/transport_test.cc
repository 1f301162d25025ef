// The native client over the local deployment, through both transports: TcpTransport (all
// through the endpoint) and LocalTransport (reads straight from DIR). A real LocalDeployment
// (LMDB stores, durable queues, function runtime, endpoint on an ephemeral 127.0.0.1 port) runs
// in this process; the clients talk to it over real sockets.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include "client/local_transport.h"
#include "client/tcp_transport.h"
#include "endpoint/endpoint_file.h"
#include "endpoint/local_deployment.h"
#include "faaskeeper/client.h"
#include "tests/local/support.h"

namespace faaskeeper {
namespace {

using namespace test;
using SteadyClock = std::chrono::steady_clock;

enum class Kind { Tcp, Local };

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

class TransportTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override { start(); }
  void TearDown() override { clients_.clear(); }

  void start(uint16_t port = 0) {
    LocalDeploymentOptions o;
    o.data_dir = dir_.sub("data");
    o.endpoint.port = port;
    o.endpoint.log = [](const std::string&) {};
    o.runtime.heartbeat_interval = std::chrono::milliseconds(100);
    auto d = LocalDeployment::start(o);
    ASSERT_TRUE(d.ok()) << d.status().to_string();
    deployment_ = std::move(*d);
  }

  std::shared_ptr<ClientTransport> transport(std::chrono::milliseconds request_timeout = 10s) {
    TcpTransportOptions o;
    o.request_timeout = request_timeout;
    if (GetParam() == Kind::Tcp) {
      auto t = TcpTransport::connect(deployment_->address(), o);
      EXPECT_TRUE(t.ok()) << t.status().to_string();
      return t.ok() ? std::shared_ptr<ClientTransport>(*t) : nullptr;
    }
    auto t = LocalTransport::open(dir_.sub("data"), o);
    EXPECT_TRUE(t.ok()) << t.status().to_string();
    return t.ok() ? std::shared_ptr<ClientTransport>(*t) : nullptr;
  }

  Client& client(ClientOptions options = {}, std::shared_ptr<ClientTransport> t = nullptr) {
    if (!t) t = transport(options.request_timeout);
    auto c = Client::open(t, options);
    EXPECT_TRUE(c.ok()) << c.status().to_string();
    clients_.push_back(std::move(*c));
    return *clients_.back();
  }

  TempDir dir_;
  std::unique_ptr<LocalDeployment> deployment_;
  std::vector<std::unique_ptr<Client>> clients_;
};

TEST_P(TransportTest, FullClientApi) {
  Client& c = client();
  EXPECT_EQ(c.state(), SessionState::SyncConnected);

  auto t = c.create("/t", std::string("v0"));
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->path, "/t");
  EXPECT_GT(t->stat.czxid, 0);
  EXPECT_EQ(c.create("/t", std::string()).code(), Error::NodeExists);
  EXPECT_EQ(c.create("/nope/x", std::string()).code(), Error::NoNode);
  EXPECT_EQ(c.create("bad", std::string()).code(), Error::BadArguments);

  auto g = c.get("/t");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->data, std::optional<std::string>("v0"));
  EXPECT_EQ(g->stat, t->stat);

  auto s1 = c.set("/t", std::string("v1"), 0);
  ASSERT_TRUE(s1.ok());
  EXPECT_EQ(s1->version, 1);
  EXPECT_GT(s1->mzxid, t->stat.czxid);
  EXPECT_EQ(c.set("/t", std::string("v2"), 0).code(), Error::BadVersion);
  EXPECT_EQ(c.get("/t")->data, std::optional<std::string>("v1"));  // read-your-writes

  auto e = c.exists("/t");
  ASSERT_TRUE(e.ok() && *e);
  EXPECT_EQ((*e)->version, 1);
  auto none = c.exists("/none");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  EXPECT_EQ(c.get("/none").code(), Error::NoNode);

  for (int i = 0; i < 3; ++i) {
    auto s = c.create("/t/s-", std::string(), CreateMode::PersistentSequential);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->path, "/t/s-000000000" + std::to_string(i));
  }
  auto eph = c.create("/t/e", std::nullopt, CreateMode::Ephemeral);
  ASSERT_TRUE(eph.ok());
  EXPECT_EQ(eph->stat.ephemeral_owner, c.session_id());
  auto null_data = c.get("/t/e");
  ASSERT_TRUE(null_data.ok());
  EXPECT_FALSE(null_data->data.has_value());

  auto kids = c.get_children("/t");
  ASSERT_TRUE(kids.ok());
  auto names = kids->names;
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"e", "s-0000000000", "s-0000000001", "s-0000000002"}));
  EXPECT_EQ(kids->stat.num_children, 4);

  // multi: all or nothing.
  auto ok = c.multi({CreateRequest{"/m", std::string("m")}, SetDataRequest{"/t", std::string("v2"), 1}});
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0].err, Error::Ok);
  EXPECT_EQ((*ok)[1].stat.version, 2);
  auto refused = c.multi({CreateRequest{"/m2", std::string()}, CheckRequest{"/t", 0}});
  ASSERT_TRUE(refused.ok());
  ASSERT_EQ(refused->size(), 2u);
  EXPECT_EQ((*refused)[1].err, Error::BadVersion);
  EXPECT_EQ(c.exists("/m2")->has_value(), false);

  auto synced = c.sync("/t");
  ASSERT_TRUE(synced.ok());
  EXPECT_EQ(*synced, "/t");

  // Pipelined asynchronous writes complete in issue order.
  std::vector<std::future<Result<Stat>>> pending;
  for (int i = 0; i < 30; ++i) pending.push_back(c.set_async("/m", std::to_string(i)));
  int32_t last = 0;
  for (auto& f : pending) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->version, last + 1);
    last = r->version;
  }
  EXPECT_EQ(c.get("/m")->data, std::optional<std::string>("29"));

  EXPECT_EQ(c.remove("/t").code(), Error::NotEmpty);
  EXPECT_EQ(c.remove("/m", 5).code(), Error::BadVersion);
  EXPECT_TRUE(c.remove("/m", 30).ok());
  EXPECT_EQ(c.get("/m").code(), Error::NoNode);

  // Closing deletes the session's ephemeral node; another session sees it gone.
  int64_t seen = c.last_txid();
  EXPECT_GT(seen, s1->mzxid);
  Client& other = client();
  EXPECT_TRUE(c.close().ok());
  EXPECT_EQ(c.state(), SessionState::Closed);
  auto after = other.exists("/t/e");
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(*after);
  EXPECT_EQ(other.get_children("/t")->names.size(), 3u);
}

TEST_P(TransportTest, LargestNodeRoundTripsAndOversizedRequestsAreRefusedCleanly) {
  Client& c = client();
  std::string big(kMaxDataBytes, 'b');
  big[12345] = 'x';
  auto made = c.create("/big", big);
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  auto got = c.get("/big");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->data, std::optional<std::string>(big));
  EXPECT_EQ(got->stat.data_length, static_cast<int32_t>(kMaxDataBytes));

  EXPECT_EQ(c.set("/big", std::string(kMaxDataBytes + 1, 'c')).code(), Error::BadArguments);
  // Over the endpoint's frame limit: refused without being sent. As in ZooKeeper (where the
  // server drops a packet over jute.maxbuffer) the client reports ConnectionLoss.
  auto huge = c.set("/big", std::string(2 << 20, 'c'));
  EXPECT_EQ(huge.code(), Error::ConnectionLoss);
  EXPECT_NE(huge.status().message().find("frame limit"), std::string::npos) << huge.status().message();
  // The connection and the session are unaffected.
  EXPECT_TRUE(c.set("/big", std::string("small")).ok());
  EXPECT_EQ(c.get("/big")->data, std::optional<std::string>("small"));
  EXPECT_EQ(deployment_->endpoint().stats().closed_protocol, 0u);
}

TEST_P(TransportTest, ReadsGoThroughTheEndpointOnlyForTcp) {
  Client& c = client();
  ASSERT_TRUE(c.create("/r", std::string("data")).ok());
  uint64_t before = deployment_->endpoint().stats().frames;
  for (int i = 0; i < 100; ++i) ASSERT_EQ(c.get("/r")->data, std::optional<std::string>("data"));
  uint64_t frames = deployment_->endpoint().stats().frames - before;
  if (GetParam() == Kind::Local)
    EXPECT_EQ(frames, 0u) << "local reads must not hop through the endpoint";
  else
    EXPECT_EQ(frames, 100u);
}

TEST_P(TransportTest, ManyReadersInParallelWhileAWriterWrites) {
  Client& writer = client();
  ASSERT_TRUE(writer.create("/counter", std::string("0")).ok());
  const int readers = 8;
  std::vector<Client*> rs;
  for (int i = 0; i < readers; ++i) rs.push_back(&client());
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, regressions{0}, errors{0};
  std::vector<std::thread> threads;
  for (Client* r : rs)
    threads.emplace_back([&, r] {
      int32_t last = -1;
      while (!stop) {
        auto g = r->get("/counter");
        if (!g.ok()) {
          ++errors;
          continue;
        }
        if (g->stat.version < last) ++regressions;  // single system image per client
        if (g->data != std::optional<std::string>(std::to_string(g->stat.version))) ++errors;
        last = g->stat.version;
        ++reads;
      }
    });
  for (int i = 1; i <= 20; ++i) ASSERT_TRUE(writer.set("/counter", std::to_string(i)).ok());
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(regressions, 0);
  EXPECT_GT(reads, readers);
  for (Client* r : rs) EXPECT_EQ(r->get("/counter")->stat.version, 20);
}

TEST_P(TransportTest, StoppedDeploymentFailsPromptlyWithConnectionLoss) {
  Client& c = client();
  ASSERT_TRUE(c.create("/x", std::string()).ok());
  deployment_->stop();
  auto t0 = SteadyClock::now();
  EXPECT_EQ(c.get("/x").code(), Error::ConnectionLoss);
  EXPECT_EQ(c.set("/x", std::string("y")).code(), Error::ConnectionLoss);
  EXPECT_EQ(c.create("/z", std::string()).code(), Error::ConnectionLoss);
  EXPECT_EQ(c.get_children("/").code(), Error::ConnectionLoss);
  EXPECT_LT(seconds_since(t0), 1.0);
  // A new session cannot be opened either.
  auto t = GetParam() == Kind::Tcp ? TcpTransport::connect(wire::Address{"127.0.0.1", 1}).status()
                                   : LocalTransport::open(dir_.sub("data")).status();
  EXPECT_EQ(t.code(), Error::ConnectionLoss);
}

TEST_P(TransportTest, PendingRequestFailsWithinTheRequestTimeoutWhenNothingAnswers) {
  ClientOptions o;
  o.request_timeout = 1s;
  Client& c = client(o);
  deployment_->runtime().stop();  // the endpoint queues requests, but no function answers
  auto t0 = SteadyClock::now();
  auto r = c.set("/", std::string("x"));
  double took = seconds_since(t0);
  EXPECT_EQ(r.code(), Error::ConnectionLoss);
  EXPECT_GE(took, 0.9);
  EXPECT_LT(took, 3.0);
}

TEST_P(TransportTest, PendingRequestFailsAtOnceWhenTheDeploymentStops) {
  ClientOptions o;
  o.request_timeout = 30s;
  Client& c = client(o);
  deployment_->runtime().stop();
  // (The client's futures are deferred: wait for the result on a thread of our own.)
  auto pending = std::async(std::launch::async, [&] { return c.set("/", std::string("x")); });
  EXPECT_EQ(pending.wait_for(300ms), std::future_status::timeout) << "answered without functions?";
  auto t0 = SteadyClock::now();
  deployment_->stop();
  auto r = pending.get();
  EXPECT_EQ(r.code(), Error::ConnectionLoss);
  EXPECT_LT(seconds_since(t0), 3.0);
}

TEST_P(TransportTest, SessionSurvivesARestartOfTheDeployment) {
  Client& c = client();
  ASSERT_TRUE(c.create("/mine", std::string(), CreateMode::Ephemeral).ok());
  uint16_t port = deployment_->address().port;
  deployment_->stop();
  EXPECT_EQ(c.get("/mine").code(), Error::ConnectionLoss);
  start(port);  // same DIR, same port
  auto g = c.get("/mine");
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(g->stat.ephemeral_owner, c.session_id());
  ASSERT_TRUE(c.set("/mine", std::string("again")).ok());
  Client& other = client();
  EXPECT_EQ(other.get("/mine")->data, std::optional<std::string>("again"));
  ASSERT_TRUE(c.close().ok());
  EXPECT_FALSE(*other.exists("/mine"));
}

TEST_P(TransportTest, VanishedClientsSessionExpiresAndItsEphemeralsGo) {
  ClientOptions o;
  o.session_timeout_ms = 800;
  // Short: closing an already expired session gets no answer (see the report), so the
  // destructor's close() waits for this long.
  o.request_timeout = 2s;
  auto t = transport();
  Client& gone = client(o, t);
  ASSERT_TRUE(gone.create("/eph", std::string(), CreateMode::Ephemeral).ok());
  Client& observer = client();
  ASSERT_TRUE(observer.exists("/eph")->has_value());
  // The connection drops and the client never comes back (it makes no further call).
  if (GetParam() == Kind::Tcp)
    std::static_pointer_cast<TcpTransport>(t)->disconnect();
  else
    std::static_pointer_cast<LocalTransport>(t)->tcp().disconnect();
  auto t0 = SteadyClock::now();
  EXPECT_TRUE(wait_for([&] { return !observer.exists("/eph")->has_value(); }, 15s));
  double took = seconds_since(t0);
  EXPECT_GE(took, 0.5) << "expired before its timeout";

  // When it does come back, its session is gone.
  EXPECT_EQ(gone.create("/late", std::string()).code(), Error::SessionExpired);
}

INSTANTIATE_TEST_SUITE_P(Transports, TransportTest, ::testing::Values(Kind::Tcp, Kind::Local),
                         [](const auto& info) { return info.param == Kind::Tcp ? "Tcp" : "Local"; });

}  // namespace
}  // namespace faaskeeper
