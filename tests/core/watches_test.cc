// Watches: exact events, one-shot consumption, persistent modes, removal, and watch-before-data.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <semaphore>

#include "runtime/embedded.h"

using namespace faaskeeper;

namespace {

// Collects events delivered to watchers and lets a test wait for a count with a deadline.
class Events {
 public:
  Watcher watcher() {
    return [this](const WatchedEvent& e) {
      std::lock_guard lock(mu_);
      events_.push_back(e);
      cv_.notify_all();
    };
  }
  bool wait_for(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }
  std::vector<WatchedEvent> all() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<WatchedEvent> events_;
};

std::unique_ptr<Client> open(EmbeddedDeployment& d) {
  auto c = d.connect();
  EXPECT_TRUE(c.ok()) << c.status().to_string();
  return std::move(*c);
}

}  // namespace

TEST(Watches, ExistsOnMissingNodeThenCreateFiresNodeCreated) {
  EmbeddedDeployment d;
  auto watcher = open(d), writer = open(d);
  Events ev;
  auto st = watcher->exists("/n", ev.watcher());
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->has_value());
  auto created = writer->create("/n", std::string("x"));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(ev.wait_for(1));
  auto events = ev.all();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::NodeCreated);
  EXPECT_EQ(events[0].path, "/n");
  EXPECT_EQ(events[0].zxid, created->stat.czxid);
}

TEST(Watches, GetDataWatchThenDeleteFiresNodeDeletedOnce) {
  EmbeddedDeployment d;
  auto watcher = open(d), writer = open(d);
  ASSERT_TRUE(writer->create("/n", std::string("x")).ok());
  Events ev;
  ASSERT_TRUE(watcher->get("/n", ev.watcher()).ok());
  ASSERT_TRUE(writer->remove("/n").ok());
  ASSERT_TRUE(ev.wait_for(1));
  // One-shot: a later create must not fire it again.
  ASSERT_TRUE(writer->create("/n", std::string("y")).ok());
  ASSERT_TRUE(writer->sync("/n").ok());
  auto events = ev.all();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::NodeDeleted);
}

TEST(Watches, GetDataOnMissingNodeArmsNothing) {
  EmbeddedDeployment d;
  auto watcher = open(d), writer = open(d);
  Events ev;
  EXPECT_EQ(watcher->get("/n", ev.watcher()).code(), Error::NoNode);
  EXPECT_EQ(watcher->get_children("/n", ev.watcher()).code(), Error::NoNode);
  EXPECT_EQ(watcher->check_watches("/n", WatcherType::Any).code(), Error::NoWatcher);
}

TEST(Watches, ChildWatchFiresNodeChildrenChangedOnParent) {
  EmbeddedDeployment d;
  auto watcher = open(d), writer = open(d);
  ASSERT_TRUE(writer->create("/p", std::string()).ok());
  Events ev;
  auto kids = watcher->get_children("/p", ev.watcher());
  ASSERT_TRUE(kids.ok());
  EXPECT_TRUE(kids->names.empty());
  // A data change on the parent does not fire a child watch.
  ASSERT_TRUE(writer->set("/p", std::string("d")).ok());
  auto child = writer->create("/p/c", std::string());
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE(ev.wait_for(1));
  auto events = ev.all();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::NodeChildrenChanged);
  EXPECT_EQ(events[0].path, "/p");
  EXPECT_EQ(events[0].zxid, child->stat.czxid);
}

TEST(Watches, SetDataFiresNodeDataChangedWithTheTriggeringZxid) {
  EmbeddedDeployment d;
  auto watcher = open(d), writer = open(d);
  ASSERT_TRUE(writer->create("/n", std::string("a")).ok());
  Events ev;
  ASSERT_TRUE(watcher->get("/n", ev.watcher()).ok());
  auto st = writer->set("/n", std::string("b"));
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(ev.wait_for(1));
  EXPECT_EQ(ev.all()[0].type, EventType::NodeDataChanged);
  EXPECT_EQ(ev.all()[0].zxid, st->mzxid);
}

TEST(Watches, TwoWatchersOnePathGetOneServerEventEach) {
  EmbeddedDeployment d;
  auto watcher = open(d), writer = open(d);
  ASSERT_TRUE(writer->create("/n", std::string("a")).ok());
  Events a, b;
  ASSERT_TRUE(watcher->get("/n", a.watcher()).ok());
  ASSERT_TRUE(watcher->exists("/n", b.watcher()).ok());
  ASSERT_TRUE(writer->set("/n", std::string("b")).ok());
  ASSERT_TRUE(a.wait_for(1));
  ASSERT_TRUE(b.wait_for(1));
  ASSERT_TRUE(writer->set("/n", std::string("c")).ok());
  ASSERT_TRUE(writer->sync("/n").ok());
  EXPECT_EQ(a.all().size(), 1u);
  EXPECT_EQ(b.all().size(), 1u);
}

TEST(Watches, PersistentRecursiveSeesDescendantsButNoChildEvents) {
  EmbeddedDeployment d;
  auto watcher = open(d), writer = open(d);
  ASSERT_TRUE(writer->create("/a", std::string()).ok());
  Events ev;
  ASSERT_TRUE(watcher->add_watch("/a", AddWatchMode::PersistentRecursive, ev.watcher()).ok());
  ASSERT_TRUE(writer->create("/a/b", std::string()).ok());
  ASSERT_TRUE(writer->create("/a/b/c", std::string()).ok());
  ASSERT_TRUE(writer->set("/a/b/c", std::string("x")).ok());
  ASSERT_TRUE(writer->remove("/a/b/c").ok());
  ASSERT_TRUE(ev.wait_for(4));
  auto events = ev.all();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].type, EventType::NodeCreated);
  EXPECT_EQ(events[0].path, "/a/b");
  EXPECT_EQ(events[1].type, EventType::NodeCreated);
  EXPECT_EQ(events[1].path, "/a/b/c");
  EXPECT_EQ(events[2].type, EventType::NodeDataChanged);
  EXPECT_EQ(events[3].type, EventType::NodeDeleted);
  EXPECT_TRUE(watcher->check_watches("/a", WatcherType::PersistentRecursive).ok());
}

TEST(Watches, PersistentWatchStaysAndSeesChildren) {
  EmbeddedDeployment d;
  auto watcher = open(d), writer = open(d);
  ASSERT_TRUE(writer->create("/a", std::string()).ok());
  Events ev;
  ASSERT_TRUE(watcher->add_watch("/a", AddWatchMode::Persistent, ev.watcher()).ok());
  ASSERT_TRUE(writer->set("/a", std::string("1")).ok());
  ASSERT_TRUE(writer->create("/a/x", std::string()).ok());
  ASSERT_TRUE(writer->set("/a", std::string("2")).ok());
  ASSERT_TRUE(ev.wait_for(3));
  auto events = ev.all();
  EXPECT_EQ(events[0].type, EventType::NodeDataChanged);
  EXPECT_EQ(events[1].type, EventType::NodeChildrenChanged);
  EXPECT_EQ(events[2].type, EventType::NodeDataChanged);
}

TEST(Watches, RemoveWatchesStopsEventsAndReportsNoWatcher) {
  EmbeddedDeployment d;
  auto watcher = open(d), writer = open(d);
  ASSERT_TRUE(writer->create("/n", std::string()).ok());
  Events ev;
  ASSERT_TRUE(watcher->get("/n", ev.watcher()).ok());
  EXPECT_TRUE(watcher->check_watches("/n", WatcherType::Data).ok());
  EXPECT_EQ(watcher->check_watches("/n", WatcherType::Children).code(), Error::NoWatcher);
  EXPECT_EQ(watcher->remove_watches("/n", WatcherType::Children).code(), Error::NoWatcher);
  EXPECT_TRUE(watcher->remove_watches("/n", WatcherType::Data).ok());
  EXPECT_EQ(watcher->check_watches("/n", WatcherType::Data).code(), Error::NoWatcher);
  // Another session's watch, armed after the removal, proves the change was processed.
  Events other;
  auto second = open(d);
  ASSERT_TRUE(second->get("/n", other.watcher()).ok());
  ASSERT_TRUE(writer->set("/n", std::string("x")).ok());
  ASSERT_TRUE(other.wait_for(1));
  ASSERT_TRUE(watcher->sync("/n").ok());
  EXPECT_TRUE(ev.all().empty());
}

TEST(Watches, EphemeralRemovedByCloseFiresAtOtherSession) {
  EmbeddedDeployment d;
  auto owner = open(d), watcher = open(d);
  ASSERT_TRUE(owner->create("/e", std::string(), CreateMode::Ephemeral).ok());
  Events ev;
  ASSERT_TRUE(watcher->exists("/e", ev.watcher()).ok());
  ASSERT_TRUE(owner->close().ok());
  ASSERT_TRUE(ev.wait_for(1));
  EXPECT_EQ(ev.all()[0].type, EventType::NodeDeleted);
  EXPECT_EQ(ev.all()[0].path, "/e");
}

TEST(Watches, FailedMultiFiresNothing) {
  EmbeddedDeployment d;
  auto watcher = open(d), writer = open(d);
  ASSERT_TRUE(writer->create("/n", std::string()).ok());
  Events ev;
  ASSERT_TRUE(watcher->get("/n", ev.watcher()).ok());
  auto r = writer->multi({SetDataRequest{"/n", std::string("x"), -1}, DeleteRequest{"/missing", -1}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].err, Error::Ok);
  EXPECT_EQ((*r)[1].err, Error::NoNode);
  Events probe;
  auto other = open(d);
  ASSERT_TRUE(other->get("/n", probe.watcher()).ok());
  ASSERT_TRUE(writer->set("/n", std::string("y")).ok());
  ASSERT_TRUE(probe.wait_for(1));
  ASSERT_TRUE(ev.wait_for(1));
  auto events = ev.all();
  ASSERT_EQ(events.size(), 1u);  // only the later, successful set
  auto after = writer->get("/n");
  EXPECT_EQ(events[0].zxid, after->stat.mzxid);
}

// Watch before data: with the watch function stalled, a reader holding a data watch must not
// return the new data before its event; it returns once the event has been delivered.
TEST(Watches, ReaderNeverSeesNewDataBeforeItsEvent) {
  std::counting_semaphore<1024> gate(0);
  std::atomic<bool> hold{false};
  EmbeddedOptions opts;
  opts.step_hook = [&](std::string_view step) {
    if (step == "watch.received" && hold) gate.acquire();
  };
  EmbeddedDeployment d(opts);
  auto reader = open(d), writer = open(d);
  ASSERT_TRUE(writer->create("/n", std::string("0")).ok());
  for (int round = 1; round <= 20; ++round) {
    Events ev;
    ASSERT_TRUE(reader->get("/n", ev.watcher()).ok());
    hold = true;
    ASSERT_TRUE(writer->set("/n", std::to_string(round)).ok());  // published; event held back
    auto fut = reader->get_async("/n");
    // While the event is held, the read cannot complete with the new data.
    EXPECT_EQ(fut.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
    EXPECT_TRUE(ev.all().empty());
    hold = false;
    gate.release();
    auto got = fut.get();
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    EXPECT_EQ(got->data, std::optional<std::string>(std::to_string(round)));
    ASSERT_TRUE(ev.wait_for(1));
  }
}

TEST(Watches, ThousandSessionsWatchingOneNodeEachGetExactlyOneEvent) {
  EmbeddedDeployment d;
  auto writer = open(d);
  ASSERT_TRUE(writer->create("/hot", std::string()).ok());
  constexpr int kSessions = 1000;
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<std::unique_ptr<Events>> events;
  for (int i = 0; i < kSessions; ++i) {
    clients.push_back(open(d));
    events.push_back(std::make_unique<Events>());
    ASSERT_TRUE(clients.back()->exists("/hot", events.back()->watcher()).ok());
  }
  ASSERT_TRUE(writer->set("/hot", std::string("x")).ok());
  for (int i = 0; i < kSessions; ++i) ASSERT_TRUE(events[i]->wait_for(1)) << "session " << i;
  ASSERT_TRUE(writer->set("/hot", std::string("y")).ok());
  ASSERT_TRUE(writer->sync("/hot").ok());
  for (int i = 0; i < kSessions; ++i) {
    ASSERT_EQ(events[i]->all().size(), 1u) << "session " << i;
    EXPECT_EQ(events[i]->all()[0].type, EventType::NodeDataChanged);
  }
}
