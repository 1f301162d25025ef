// FaaSKeeper behind the benchmark's System interface: each session is a native Client over its
// own LocalTransport (reads from DIR's user store, writes and session traffic via the endpoint).
#include <future>

#include "client/local_transport.h"
#include "faaskeeper/client.h"
#include "system.h"

namespace fk = faaskeeper;

namespace fkbench {
namespace {

class FkSession final : public Session {
 public:
  explicit FkSession(std::unique_ptr<fk::Client> c) : c_(std::move(c)) {}

  bool get(const std::string& path, size_t expect_size) override {
    auto r = c_->get(path);
    return r.ok() && r->data && r->data->size() == expect_size;
  }
  bool set(const std::string& path, const std::string& value) override { return c_->set(path, value).ok(); }
  bool create(const std::string& path, const std::string& value, bool ephemeral) override {
    return c_->create(path, value, ephemeral ? fk::CreateMode::Ephemeral : fk::CreateMode::Persistent).ok();
  }
  bool remove(const std::string& path) override { return c_->remove(path).ok(); }
  int children(const std::string& path) override {
    auto r = c_->get_children(path);
    return r.ok() ? static_cast<int>(r->names.size()) : -1;
  }
  bool watch_data(const std::string& path, std::function<void()> fired) override {
    return c_->get(path, [fired](const fk::WatchedEvent& e) {
                if (e.type != fk::EventType::None) fired();
              }).ok();
  }
  size_t create_many(const std::vector<std::string>& paths, bool ephemeral, const std::string& value) override {
    std::vector<std::future<fk::Result<fk::Created>>> pending;
    pending.reserve(paths.size());
    for (auto& p : paths)
      pending.push_back(c_->create_async(p, value, ephemeral ? fk::CreateMode::Ephemeral : fk::CreateMode::Persistent));
    size_t ok = 0;
    for (auto& f : pending) ok += f.get().ok() ? 1 : 0;
    return ok;
  }
  void close() override { (void)c_->close(); }

 private:
  std::unique_ptr<fk::Client> c_;
};

class FkSystem final : public System {
 public:
  explicit FkSystem(std::string dir) : dir_(std::move(dir)) {}
  std::string name() const override { return "faaskeeper"; }
  std::unique_ptr<Session> connect() override {
    auto t = fk::LocalTransport::open(dir_);
    if (!t.ok()) return nullptr;
    auto c = fk::Client::open(*t);
    if (!c.ok()) return nullptr;
    return std::make_unique<FkSession>(std::move(*c));
  }

 private:
  std::string dir_;
};

}  // namespace

std::unique_ptr<System> make_faaskeeper(const std::string& data_dir) { return std::make_unique<FkSystem>(data_dir); }

}  // namespace fkbench
