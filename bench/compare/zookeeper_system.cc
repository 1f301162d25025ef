// A ZooKeeper-protocol server behind the benchmark's System interface, driven by the C client
// (libzookeeper_mt, -DTHREADED): one zhandle per session, synchronous calls, an async batch
// (zoo_acreate) only for create_many. Used for Apache ZooKeeper and for FaaSKeeper's ZooKeeper
// gateway alike, so both go through exactly the same client code.
#include <zookeeper/zookeeper.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "system.h"

namespace fkbench {
namespace {

// Connection state shared with the session watcher (runs on the client's event thread).
struct ConnState {
  std::mutex mu;
  std::condition_variable cv;
  int state = 0;
};

void session_watcher(zhandle_t*, int type, int state, const char*, void* ctx) {
  if (type != ZOO_SESSION_EVENT) return;
  auto* cs = static_cast<ConnState*>(ctx);
  std::lock_guard<std::mutex> lock(cs->mu);
  cs->state = state;
  cs->cv.notify_all();
}

// A one-shot data watch's callback, owned by the watch until it fires.
void data_watcher(zhandle_t*, int type, int, const char*, void* ctx) {
  auto* fn = static_cast<std::function<void()>*>(ctx);
  if (type == ZOO_CHANGED_EVENT || type == ZOO_DELETED_EVENT || type == ZOO_CREATED_EVENT) (*fn)();
  delete fn;
}

struct Batch {
  std::mutex mu;
  std::condition_variable cv;
  size_t left = 0, ok = 0;
};

void create_done(int rc, const char*, const void* data) {
  auto* b = const_cast<Batch*>(static_cast<const Batch*>(data));
  std::lock_guard<std::mutex> lock(b->mu);
  if (rc == ZOK) ++b->ok;
  if (--b->left == 0) b->cv.notify_all();
}

class ZkSession final : public Session {
 public:
  ZkSession(zhandle_t* zh, std::unique_ptr<ConnState> cs) : zh_(zh), cs_(std::move(cs)), buf_(1 << 20) {}
  ~ZkSession() override { close(); }

  bool get(const std::string& path, size_t expect_size) override {
    int len = static_cast<int>(buf_.size());
    Stat st;
    return zoo_get(zh_, path.c_str(), 0, buf_.data(), &len, &st) == ZOK && static_cast<size_t>(len) == expect_size;
  }
  bool set(const std::string& path, const std::string& value) override {
    return zoo_set(zh_, path.c_str(), value.data(), static_cast<int>(value.size()), -1) == ZOK;
  }
  bool create(const std::string& path, const std::string& value, bool ephemeral) override {
    return zoo_create(zh_, path.c_str(), value.data(), static_cast<int>(value.size()), &ZOO_OPEN_ACL_UNSAFE,
                      ephemeral ? ZOO_EPHEMERAL : 0, nullptr, 0) == ZOK;
  }
  bool remove(const std::string& path) override { return zoo_delete(zh_, path.c_str(), -1) == ZOK; }
  int children(const std::string& path) override {
    String_vector v{};
    if (zoo_get_children(zh_, path.c_str(), 0, &v) != ZOK) return -1;
    int n = v.count;
    deallocate_String_vector(&v);
    return n;
  }
  bool watch_data(const std::string& path, std::function<void()> fired) override {
    auto* fn = new std::function<void()>(std::move(fired));
    int len = static_cast<int>(buf_.size());
    Stat st;
    if (zoo_wget(zh_, path.c_str(), data_watcher, fn, buf_.data(), &len, &st) != ZOK) {
      delete fn;
      return false;
    }
    return true;
  }
  size_t create_many(const std::vector<std::string>& paths, bool ephemeral, const std::string& value) override {
    Batch b;
    b.left = paths.size();
    for (auto& p : paths)
      if (zoo_acreate(zh_, p.c_str(), value.data(), static_cast<int>(value.size()), &ZOO_OPEN_ACL_UNSAFE, ephemeral ? ZOO_EPHEMERAL : 0, create_done, &b) != ZOK) {
        std::lock_guard<std::mutex> lock(b.mu);
        --b.left;
      }
    std::unique_lock<std::mutex> lock(b.mu);
    b.cv.wait(lock, [&] { return b.left == 0; });
    return b.ok;
  }
  void close() override {
    if (zh_) zookeeper_close(zh_);
    zh_ = nullptr;
  }

 private:
  zhandle_t* zh_;
  std::unique_ptr<ConnState> cs_;  // outlives zh_ (the handle's watcher context)
  std::vector<char> buf_;
};

class ZkSystem final : public System {
 public:
  ZkSystem(std::string hosts, std::string name) : hosts_(std::move(hosts)), name_(std::move(name)) {
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
  }
  std::string name() const override { return name_; }
  std::unique_ptr<Session> connect() override {
    auto cs = std::make_unique<ConnState>();
    zhandle_t* zh = zookeeper_init(hosts_.c_str(), session_watcher, 10000, nullptr, cs.get(), 0);
    if (!zh) return nullptr;
    std::unique_lock<std::mutex> lock(cs->mu);
    bool up = cs->cv.wait_for(lock, std::chrono::seconds(10), [&] { return cs->state == ZOO_CONNECTED_STATE; });
    lock.unlock();
    if (!up) {
      zookeeper_close(zh);
      return nullptr;
    }
    return std::make_unique<ZkSession>(zh, std::move(cs));
  }

 private:
  std::string hosts_, name_;
};

}  // namespace

std::unique_ptr<System> make_zookeeper(const std::string& hosts, const std::string& name) {
  return std::make_unique<ZkSystem>(hosts, name);
}

}  // namespace fkbench
