// Concurrency: racing creates, version-checked increments from many sessions, and one session's
// pipelined asynchronous calls (in-order completion, read-your-writes).
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "test_support.h"

using namespace fk_test;

namespace {

constexpr int kClients = 16;

std::vector<std::unique_ptr<Client>> connect_many(EmbeddedDeployment& d, int n) {
  std::vector<std::unique_ptr<Client>> out;
  for (int i = 0; i < n; ++i) out.push_back(connect(d));
  return out;
}

}  // namespace

TEST(Concurrency, SixteenSessionsRaceToCreateOneNode) {
  EmbeddedDeployment d(test_options());
  auto clients = connect_many(d, kClients);
  std::vector<Error> results(kClients, Error::SystemError);
  std::latch start(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = clients[i]->create("/race", std::to_string(i)).code();
    });
  }
  for (auto& t : threads) t.join();

  int winners = 0, exists = 0, winner = -1;
  for (int i = 0; i < kClients; ++i) {
    if (results[i] == Error::Ok) ++winners, winner = i;
    if (results[i] == Error::NodeExists) ++exists;
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(exists, kClients - 1);
  ASSERT_GE(winner, 0);
  NodeData node = must(clients[0]->get("/race"));
  EXPECT_EQ(node.data, std::optional<std::string>(std::to_string(winner)));
  EXPECT_EQ(node.stat.version, 0);
  Stat root = stat_of(*clients[0], "/");
  EXPECT_EQ(root.num_children, 2);
  EXPECT_EQ(root.cversion, 2 * 1 - 2);  // exactly one creation under the root
}

TEST(Concurrency, SixteenThreadsVersionCheckedIncrements) {
  constexpr int kPerThread = 8;
  EmbeddedDeployment d(test_options());
  auto clients = connect_many(d, kClients);
  must(clients[0]->create("/counter", std::string("0")));
  std::atomic<int> conflicts{0}, unexpected{0};
  std::latch start(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      Client& c = *clients[i];
      start.arrive_and_wait();
      for (int done = 0; done < kPerThread;) {
        auto cur = c.get("/counter");
        if (!cur.ok() || !cur->data) {
          ++unexpected;
          return;
        }
        int value = std::stoi(*cur->data);
        auto set = c.set("/counter", std::to_string(value + 1), cur->stat.version);
        if (set.ok()) {
          ++done;
        } else if (set.code() == Error::BadVersion) {
          ++conflicts;
        } else {
          ++unexpected;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  NodeData final_node = must(clients[0]->get("/counter"));
  EXPECT_EQ(final_node.data, std::optional<std::string>(std::to_string(kClients * kPerThread)));
  EXPECT_EQ(final_node.stat.version, kClients * kPerThread);
  RecordProperty("bad_version_retries", conflicts.load());
}

// One session issues 200 asynchronous calls without waiting: creates, version-checked sets and
// reads, interleaved. The writes take effect in issue order (a set with version i-1 fails
// otherwise), every read observes every write issued before it, and calls complete in order.
TEST(Concurrency, PipelinedAsyncCallsCompleteInOrderAndReadTheirWrites) {
  constexpr int kRounds = 50;  // 4 calls per round
  EmbeddedDeployment d(test_options());
  auto c = connect(d);
  must(c->create("/pipe", std::string()));
  must(c->create("/pipe/ctr", std::string("0")));

  std::vector<std::future<Result<Created>>> creates;
  std::vector<std::future<Result<Stat>>> sets;
  std::vector<std::future<Result<NodeData>>> gets;
  std::vector<std::future<Result<std::optional<Stat>>>> exists;
  for (int i = 1; i <= kRounds; ++i) {
    creates.push_back(c->create_async("/pipe/c" + std::to_string(i), std::to_string(i)));
    sets.push_back(c->set_async("/pipe/ctr", std::to_string(i), i - 1));
    gets.push_back(c->get_async("/pipe/ctr"));
    exists.push_back(c->exists_async("/pipe/c" + std::to_string(i)));
  }

  // Reads complete in issue order: once the last one is ready, so are all earlier ones.
  exists.back().wait();
  for (int i = 0; i < kRounds; ++i) {
    EXPECT_EQ(gets[i].wait_for(0s), std::future_status::ready) << "get " << i;
    EXPECT_EQ(exists[i].wait_for(0s), std::future_status::ready) << "exists " << i;
  }

  int64_t last_txid = 0;
  for (int i = 1; i <= kRounds; ++i) {
    Created cr = must(creates[i - 1].get(), "create " + std::to_string(i));
    Stat st = must(sets[i - 1].get(), "set " + std::to_string(i));
    NodeData got = must(gets[i - 1].get(), "get " + std::to_string(i));
    auto ex = must(exists[i - 1].get(), "exists " + std::to_string(i));
    EXPECT_EQ(cr.path, "/pipe/c" + std::to_string(i));
    EXPECT_GT(cr.stat.czxid, last_txid);
    EXPECT_GT(st.mzxid, cr.stat.czxid);
    last_txid = st.mzxid;
    EXPECT_EQ(st.version, i);
    // Read-your-writes: at least write i (later writes of the session are the subject of
    // ReadsDoNotObserveLaterWritesOfTheirSession).
    EXPECT_GE(got.stat.version, i) << "read " << i << " missed its write";
    EXPECT_GE(got.stat.mzxid, st.mzxid);
    EXPECT_EQ(got.data, std::optional<std::string>(std::to_string(got.stat.version)));
    ASSERT_TRUE(ex.has_value()) << "exists " << i << " missed its create";
    EXPECT_EQ(ex->czxid, cr.stat.czxid);
  }
  EXPECT_EQ(stat_of(*c, "/pipe").num_children, kRounds + 1);
  EXPECT_EQ(must(c->get("/pipe/ctr")).stat.version, kRounds);
}

namespace {

// A transport whose next read of the user store is slow: it lasts until `/ctr` reaches
// version 2 (or 500 ms pass), as a slow storage read may while later writes commit.
class SlowReadTransport final : public ClientTransport {
 public:
  explicit SlowReadTransport(EmbeddedDeployment& d) : d_(d), inner_(d.transport()) {}
  Status attach(int64_t session_id, Receiver receiver) override { return inner_->attach(session_id, std::move(receiver)); }
  void detach(int64_t session_id) override { inner_->detach(session_id); }
  Status submit(const ClientRequest& request) override { return inner_->submit(request); }
  Result<std::optional<std::string>> read(const std::string& path) override {
    if (slow_.exchange(false)) {
      // Runs on the client's thread: no throwing helpers here.
      eventually([&] {
        auto bytes = d_.user_store().get("/ctr");
        if (!bytes.ok() || !*bytes) return false;
        auto node = decode_node_object(**bytes);
        return node.ok() && node->stat.version >= 2;
      }, 500ms);
    }
    return inner_->read(path);
  }
  void slow_down_next_read() { slow_ = true; }

 private:
  EmbeddedDeployment& d_;
  std::shared_ptr<ClientTransport> inner_;
  std::atomic<bool> slow_{false};
};

}  // namespace

// ZooKeeper executes a session's requests in issue order (FIFO client order, client.h: "take
// effect in the order issued"): a read issued between two writes sees the first, never the
// second, however long the read takes.
TEST(Concurrency, ReadsDoNotObserveLaterWritesOfTheirSession) {
  EmbeddedDeployment d(test_options());
  auto transport = std::make_shared<SlowReadTransport>(d);
  auto c = must(Client::open(transport));
  must(c->create("/ctr", std::string("0")));
  transport->slow_down_next_read();
  auto first = c->set_async("/ctr", std::string("1"), 0);
  auto read = c->get_async("/ctr");
  auto second = c->set_async("/ctr", std::string("2"), 1);
  NodeData got = must(read.get());
  EXPECT_EQ(got.data, std::optional<std::string>("1"));
  EXPECT_EQ(got.stat.version, 1);
  EXPECT_EQ(must(first.get()).version, 1);
  EXPECT_EQ(must(second.get()).version, 2);
}
