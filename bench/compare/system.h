// The two systems under comparison behind one synchronous, per-thread interface, so every
// measurement loop is written once and drives FaaSKeeper and ZooKeeper identically.
//
// Contract shared by both implementations:
//   * a Session is one client session (one handle / one transport) used by ONE thread at a time;
//   * every call is synchronous and returns only after the system acknowledged it (writes are
//     acknowledged after they are durable: fsync on both systems);
//   * boolean results mean "the operation succeeded"; errors are counted, never thrown.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fkbench {

class Session {
 public:
  virtual ~Session() = default;
  // Reads `path`; true iff it exists and holds exactly `expect_size` bytes.
  virtual bool get(const std::string& path, size_t expect_size) = 0;
  virtual bool set(const std::string& path, const std::string& value) = 0;
  // Creates `path` (persistent or ephemeral); true iff it was created.
  virtual bool create(const std::string& path, const std::string& value, bool ephemeral) = 0;
  virtual bool remove(const std::string& path) = 0;
  // Number of children of `path`, or -1 on error.
  virtual int children(const std::string& path) = 0;
  // Reads `path` and arms a one-shot data watch; `fired` runs (on a client thread) when the
  // watch triggers. False if the watch could not be armed.
  virtual bool watch_data(const std::string& path, std::function<void()> fired) = 0;
  // Issues all creates (value `value`) pipelined (asynchronously) and waits for every answer;
  // returns how many succeeded.
  virtual size_t create_many(const std::vector<std::string>& paths, bool ephemeral,
                             const std::string& value = std::string()) = 0;
  // Closes the session (its ephemerals are removed by the system afterwards).
  virtual void close() = 0;
};

class System {
 public:
  virtual ~System() = default;
  virtual std::string name() const = 0;
  // Opens a new session and returns once it is connected; nullptr on failure.
  virtual std::unique_ptr<Session> connect() = 0;
};

// FaaSKeeper: native client, reads straight from the local deployment's DIR, writes via its
// endpoint (LocalTransport).
std::unique_ptr<System> make_faaskeeper(const std::string& data_dir);
// A ZooKeeper server, driven by the C client (libzookeeper_mt), one handle per session,
// synchronous calls: the real ZooKeeper ("zookeeper"), or FaaSKeeper through its ZooKeeper
// gateway ("gateway") -- the same client code path for both.
std::unique_ptr<System> make_zookeeper(const std::string& hosts, const std::string& name = "zookeeper");

}  // namespace fkbench
