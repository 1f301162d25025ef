#include "faaskeeper/client.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "client/transport.h"
#include "core/node_object.h"
#include "protocol/messages.h"

namespace faaskeeper {

namespace {

using Clock = std::chrono::steady_clock;

Reply error_reply(uint64_t seq, Error e, std::string msg) {
  Reply r;
  r.seq = seq;
  r.err = e;
  r.message = std::move(msg);
  return r;
}

int64_t new_session_id() {
  std::random_device rd;
  std::uniform_int_distribution<int64_t> dist(1, INT64_MAX);
  return dist(rd);
}

int64_t max_txid(const Stat& s) { return std::max({s.czxid, s.mzxid, s.pzxid}); }

}  // namespace

// Invariant: ops complete strictly in the order they were issued. Writes are submitted as soon
// as they are issued (pipelined, in seq order), and wait at the head of `queue_` for their reply;
// reads run only when they reach the head, i.e. after every earlier op has completed.
class Client::Impl {
 public:
  Impl(std::shared_ptr<ClientTransport> transport, ClientOptions options)
      : transport_(std::move(transport)), options_(options), session_id_(new_session_id()) {}

  ~Impl() { shutdown(); }

  Status open() {
    Status attached = transport_->attach(session_id_, [this](const std::string& m) { on_message(m); });
    if (!attached.ok()) return attached;
    sequencer_ = std::thread([this] { run_sequencer(); });
    auto reply = write(OpenSessionRequest{options_.session_timeout_ms}).get();
    if (reply.err != Error::Ok) return Status(reply.err, "could not open a session: " + reply.message);
    state_ = SessionState::SyncConnected;
    return Status::OK();
  }

  Status close() {
    if (state_ != SessionState::SyncConnected) return Status::OK();
    auto reply = write(CloseSessionRequest{false}).get();
    state_ = SessionState::Closed;
    shutdown();
    if (reply.err != Error::Ok) return Status(reply.err, reply.message);
    return Status::OK();
  }

  // Issues a write; the future completes (in issue order) with its reply or a synthetic error.
  std::future<Reply> write(Operation op) {
    auto entry = std::make_shared<Op>();
    auto fut = entry->promise.get_future();
    std::unique_lock submit_lock(submit_mu_);  // seq order == submit order == queue order
    ClientRequest req;
    {
      std::lock_guard lock(mu_);
      entry->seq = req.seq = ++next_seq_;
      if (refused()) {
        entry->reply = error_reply(req.seq, refusal(), "session is not open");
      } else {
        entry->deadline = Clock::now() + options_.request_timeout;
        in_flight_[req.seq] = entry;
      }
      queue_.push_back(entry);
    }
    if (!entry->reply) {
      req.session_id = session_id_;
      req.op = std::move(op);
      Status sent = transport_->submit(req);
      if (!sent.ok()) complete_write(req.seq, error_reply(req.seq, Error::ConnectionLoss, sent.to_string()));
    }
    cv_.notify_all();
    return fut;
  }

  // Runs `fn` once every earlier op has completed; inline when nothing is pending.
  template <class T>
  std::future<T> read(std::function<T()> fn) {
    auto task = std::make_shared<std::packaged_task<T()>>(std::move(fn));
    auto fut = task->get_future();
    {
      std::lock_guard lock(mu_);
      if (!queue_.empty()) {
        auto entry = std::make_shared<Op>();
        entry->read = [task] { (*task)(); };
        queue_.push_back(entry);
        cv_.notify_all();
        return fut;
      }
    }
    (*task)();
    return fut;
  }

  Result<NodeObject> read_node(const std::string& path) {
    if (refused()) return Status(refusal(), "session is not open");
    auto bytes = transport_->read(path);
    if (!bytes.ok()) return bytes.status();
    if (!*bytes) return Status(Error::NoNode, path + " does not exist");
    auto node = decode_node_object(**bytes);
    if (node.ok()) observe(max_txid(node->stat));
    return node;
  }

  void observe(int64_t txid) {
    int64_t cur = last_txid_.load();
    while (txid > cur && !last_txid_.compare_exchange_weak(cur, txid)) {
    }
  }

  int64_t session_id() const { return session_id_; }
  SessionState state() const { return state_; }
  int64_t last_txid() const { return last_txid_; }

 private:
  struct Op {
    uint64_t seq = 0;                   // writes only
    std::function<void()> read;         // reads only
    std::optional<Reply> reply;         // writes: set when answered
    Clock::time_point deadline{};
    std::promise<Reply> promise;        // writes
  };

  bool refused() const {
    return state_ == SessionState::Expired || state_ == SessionState::Closed;
  }
  Error refusal() const {
    return state_ == SessionState::Expired ? Error::SessionExpired : Error::ConnectionLoss;
  }

  void complete_write(uint64_t seq, Reply reply) {
    std::lock_guard lock(mu_);
    auto it = in_flight_.find(seq);
    if (it == in_flight_.end()) return;  // duplicate or late reply
    it->second->reply = std::move(reply);
    in_flight_.erase(it);
    cv_.notify_all();
  }

  void on_message(const std::string& bytes) {
    auto msg = decode_server_message(bytes);
    if (!msg.ok()) return;
    if (auto* r = std::get_if<Reply>(&*msg)) {
      if (r->txid > 0) observe(r->txid);
      complete_write(r->seq, std::move(*r));
    } else if (auto* c = std::get_if<SessionClosed>(&*msg)) {
      if (c->expired) expire();
    }
  }

  void expire() {
    std::lock_guard lock(mu_);
    state_ = SessionState::Expired;
    for (auto& [seq, op] : in_flight_) op->reply = error_reply(seq, Error::SessionExpired, "session expired");
    in_flight_.clear();
    cv_.notify_all();
  }

  void run_sequencer() {
    std::unique_lock lock(mu_);
    while (true) {
      if (stopping_ && queue_.empty()) return;
      if (queue_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto head = queue_.front();
      if (!head->read && !head->reply) {
        if (Clock::now() < head->deadline) {
          cv_.wait_until(lock, head->deadline);
          continue;
        }
        in_flight_.erase(head->seq);
        head->reply = error_reply(head->seq, Error::ConnectionLoss, "no answer within the request timeout");
      }
      lock.unlock();
      if (head->read)
        head->read();
      else
        head->promise.set_value(std::move(*head->reply));
      lock.lock();
      queue_.pop_front();  // only after completion: a read arriving meanwhile must queue
    }
  }

  void shutdown() {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      for (auto& [seq, op] : in_flight_) op->reply = error_reply(seq, Error::ConnectionLoss, "client closed");
      in_flight_.clear();
    }
    cv_.notify_all();
    if (sequencer_.joinable()) sequencer_.join();
    transport_->detach(session_id_);
  }

  std::shared_ptr<ClientTransport> transport_;
  ClientOptions options_;
  const int64_t session_id_;
  std::atomic<SessionState> state_{SessionState::Disconnected};
  std::atomic<int64_t> last_txid_{0};

  std::mutex submit_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_seq_ = 0;
  std::deque<std::shared_ptr<Op>> queue_;
  std::map<uint64_t, std::shared_ptr<Op>> in_flight_;
  bool stopping_ = false;
  std::thread sequencer_;
};

// ---- public surface: conversions from replies -------------------------------------------------

namespace {

Status reply_status(const Reply& r) {
  return r.err == Error::Ok ? Status::OK() : Status(r.err, r.message);
}

template <class T, class F>
std::future<T> then(std::future<Reply> f, F convert) {
  return std::async(std::launch::deferred, [f = std::move(f), convert]() mutable { return convert(f.get()); });
}

Result<Created> to_created(const Reply& r) {
  if (r.err != Error::Ok) return reply_status(r);
  return Created{r.results.at(0).path, r.results.at(0).stat};
}
Result<Stat> to_stat(const Reply& r) {
  if (r.err != Error::Ok) return reply_status(r);
  return r.results.at(0).stat;
}
Result<std::vector<OpResult>> to_multi(const Reply& r, size_t n) {
  if (r.err != Error::Ok && r.results.size() != n) return reply_status(r);
  return r.results;
}

}  // namespace

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() {
  if (impl_) impl_->close();
}

Result<std::unique_ptr<Client>> Client::open(std::shared_ptr<ClientTransport> transport, ClientOptions options) {
  auto impl = std::make_unique<Impl>(std::move(transport), options);
  Status s = impl->open();
  if (!s.ok()) return s;
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

int64_t Client::session_id() const { return impl_->session_id(); }
SessionState Client::state() const { return impl_->state(); }
int64_t Client::last_txid() const { return impl_->last_txid(); }
Status Client::close() { return impl_->close(); }

std::future<Result<Created>> Client::create_async(const std::string& path, Data data, CreateMode mode, int64_t ttl_ms) {
  return then<Result<Created>>(impl_->write(CreateRequest{path, std::move(data), mode, ttl_ms}), to_created);
}
std::future<Status> Client::remove_async(const std::string& path, int32_t version) {
  return then<Status>(impl_->write(DeleteRequest{path, version}), reply_status);
}
std::future<Result<Stat>> Client::set_async(const std::string& path, Data data, int32_t version) {
  return then<Result<Stat>>(impl_->write(SetDataRequest{path, std::move(data), version}), to_stat);
}
std::future<Result<std::vector<OpResult>>> Client::multi_async(std::vector<MultiOp> ops) {
  size_t n = ops.size();
  return then<Result<std::vector<OpResult>>>(impl_->write(MultiRequest{std::move(ops)}),
                                             [n](const Reply& r) { return to_multi(r, n); });
}
std::future<Result<NodeData>> Client::get_async(const std::string& path) {
  return impl_->read<Result<NodeData>>([this, path]() -> Result<NodeData> {
    auto n = impl_->read_node(path);
    if (!n.ok()) return n.status();
    return NodeData{std::move(n->data), n->stat};
  });
}
std::future<Result<std::optional<Stat>>> Client::exists_async(const std::string& path) {
  return impl_->read<Result<std::optional<Stat>>>([this, path]() -> Result<std::optional<Stat>> {
    auto n = impl_->read_node(path);
    if (n.code() == Error::NoNode) return std::optional<Stat>();
    if (!n.ok()) return n.status();
    return std::optional<Stat>(n->stat);
  });
}
std::future<Result<Children>> Client::get_children_async(const std::string& path) {
  return impl_->read<Result<Children>>([this, path]() -> Result<Children> {
    auto n = impl_->read_node(path);
    if (!n.ok()) return n.status();
    return Children{std::move(n->children), n->stat};
  });
}

Result<Created> Client::create(const std::string& path, Data data, CreateMode mode, int64_t ttl_ms) {
  return create_async(path, std::move(data), mode, ttl_ms).get();
}
Status Client::remove(const std::string& path, int32_t version) { return remove_async(path, version).get(); }
Result<Stat> Client::set(const std::string& path, Data data, int32_t version) {
  return set_async(path, std::move(data), version).get();
}
Result<std::vector<OpResult>> Client::multi(std::vector<MultiOp> ops) { return multi_async(std::move(ops)).get(); }
Result<std::string> Client::sync(const std::string& path) {
  Reply r = impl_->write(SyncRequest{path}).get();
  if (r.err != Error::Ok) return reply_status(r);
  return path;
}
Result<NodeData> Client::get(const std::string& path) { return get_async(path).get(); }
Result<std::optional<Stat>> Client::exists(const std::string& path) { return exists_async(path).get(); }
Result<Children> Client::get_children(const std::string& path) { return get_children_async(path).get(); }

}  // namespace faaskeeper
