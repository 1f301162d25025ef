// Shared helpers for the core tests: unwrapping results, waiting on observable conditions, and
// building embedded deployments tuned for tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "client/transport.h"
#include "core/node_object.h"
#include "faaskeeper/client.h"
#include "functions/schema.h"
#include "runtime/embedded.h"

namespace fk_test {

using namespace faaskeeper;
using namespace std::chrono_literals;

// The value of `r`, or an exception naming the failed status (GoogleTest reports an exception
// escaping a test body as a failure of that test). Only for the test's own thread.
template <class T>
T must(Result<T> r, const std::string& what = "") {
  if (!r.ok()) throw std::runtime_error((what.empty() ? "" : what + ": ") + r.status().to_string());
  return std::move(r).value();
}
inline void must(const Status& s, const std::string& what = "") {
  if (!s.ok()) throw std::runtime_error((what.empty() ? "" : what + ": ") + s.to_string());
}

// Polls `cond` until it holds or `deadline` passes; returns its last value. The short pause
// between polls only paces the loop; the wait ends on the condition, not on the pause.
inline bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds deadline = 5s) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(1ms);
  }
}

// Runs `fn` on a thread of its own and waits up to `limit` for its result: nullopt when it did not
// finish (a hung call). The thread is then abandoned, so everything `fn` uses must stay alive:
// a test that gets nullopt must leak (release()) the objects `fn` refers to.
template <class T>
std::optional<T> within(std::chrono::milliseconds limit, std::function<T()> fn) {
  auto done = std::make_shared<std::promise<T>>();
  auto result = done->get_future();
  std::thread([done, fn = std::move(fn)] { done->set_value(fn()); }).detach();
  if (result.wait_for(limit) != std::future_status::ready) return std::nullopt;
  return result.get();
}

// Options for a deployment whose heartbeat never runs on its own (tests call it).
inline EmbeddedOptions test_options() {
  EmbeddedOptions o;
  o.runtime.heartbeat_interval = 0ms;
  o.runtime.poll_wait = 50ms;
  return o;
}

inline std::unique_ptr<Client> connect(EmbeddedDeployment& d, ClientOptions options = {}) {
  return must(d.connect(options), "connect");
}

// The Stat of an existing node (throws when absent).
inline Stat stat_of(Client& c, const std::string& path) {
  auto s = must(c.exists(path), "exists " + path);
  if (!s) throw std::runtime_error(path + " does not exist");
  return *s;
}

inline std::vector<std::string> sorted_children(Client& c, const std::string& path) {
  auto ch = must(c.get_children(path), "get_children " + path).names;
  std::sort(ch.begin(), ch.end());
  return ch;
}

// Items of the system store that carry a lease attribute ("lk"): keys, for messages.
inline std::vector<std::string> leased_keys(EmbeddedDeployment& d) {
  std::vector<std::string> out;
  for (const auto& [key, item] : must(d.system_store().scan("n:"), "scan")) {
    if (item.count("lk")) out.push_back(key);
  }
  return out;
}

// Empty when the two stores agree on the whole tree: the user store holds exactly the znodes of
// the system store, each object shows the system store's Stat and children, every listed child
// exists, and numChildren equals the number of children (no half-applied transaction).
// Otherwise, what differs.
inline std::vector<std::string> store_disagreements(EmbeddedDeployment& d) {
  std::vector<std::string> out;
  std::map<std::string, schema::NodeState> nodes;
  for (const auto& [key, item] : must(d.system_store().scan("n:"), "scan")) {
    if (auto node = schema::parse_node(item)) nodes.emplace(key.substr(2), *node);  // else: a lease only
  }
  for (const auto& [path, node] : nodes) {
    if (static_cast<size_t>(node.meta.num_children) != node.children.size())
      out.push_back(path + ": system numChildren " + std::to_string(node.meta.num_children) + " but " +
                    std::to_string(node.children.size()) + " children");
    for (const auto& child : node.children) {
      std::string child_path = path == "/" ? "/" + child : path + "/" + child;
      if (!nodes.count(child_path)) out.push_back(path + ": lists child " + child + " that does not exist");
    }
    auto bytes = must(d.user_store().get(path), "user get " + path);
    if (!bytes) {
      out.push_back(path + ": in the system store, not in the user store");
      continue;
    }
    NodeObject obj = must(decode_node_object(*bytes), "decode " + path);
    if (!(obj.stat == node.meta.to_stat(0))) out.push_back(path + ": stat differs between the stores");
    auto children = obj.children;
    std::sort(children.begin(), children.end());
    if (children != node.children) out.push_back(path + ": children differ between the stores");
  }
  if (d.user_store().size() != nodes.size())
    out.push_back("user store holds " + std::to_string(d.user_store().size()) + " objects for " +
                  std::to_string(nodes.size()) + " znodes");
  return out;
}

// A ClientTransport that forwards to another and remembers each session's receiver, so a test can
// cut a session off the channel (a dead client) and later plug it back in (the client returns).
class CapturingTransport final : public ClientTransport {
 public:
  explicit CapturingTransport(std::shared_ptr<ClientTransport> inner) : inner_(std::move(inner)) {}

  Status attach(int64_t session_id, Receiver receiver) override {
    {
      std::lock_guard lock(mu_);
      receivers_[session_id] = receiver;
    }
    return inner_->attach(session_id, std::move(receiver));
  }
  void detach(int64_t session_id) override { inner_->detach(session_id); }
  Status submit(const ClientRequest& request) override { return inner_->submit(request); }
  Result<std::optional<std::string>> read(const std::string& path) override { return inner_->read(path); }

  Receiver receiver(int64_t session_id) {
    std::lock_guard lock(mu_);
    return receivers_.at(session_id);
  }

 private:
  std::shared_ptr<ClientTransport> inner_;
  std::mutex mu_;
  std::map<int64_t, Receiver> receivers_;
};

}  // namespace fk_test
