#include "faaskeeper/client.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "client/transport.h"
#include "client/watch_registry.h"
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
// reads run only when they reach the head, i.e. after every earlier op has completed. A queued
// read is a barrier: writes issued after it are held back until it has run (so it cannot observe
// them, and a watch it arms is armed before any of them can change the node).
class Client::Impl {
 public:
  Impl(std::shared_ptr<ClientTransport> transport, ClientOptions options)
      : transport_(std::move(transport)), options_(std::move(options)), session_id_(new_session_id()) {}

  ~Impl() { shutdown(); }

  Status open() {
    Status attached = transport_->attach(session_id_, [this](const std::string& m) { on_message(m); });
    if (!attached.ok()) return attached;
    sequencer_ = std::thread([this] { run_sequencer(); });
    events_ = std::thread([this] { run_events(); });
    auto reply = write(OpenSessionRequest{options_.session_timeout_ms}).get();
    if (reply.err != Error::Ok) return Status(reply.err, "could not open a session: " + reply.message);
    state_ = SessionState::SyncConnected;
    return Status::OK();
  }

  Status close() {
    if (state_ != SessionState::SyncConnected) {
      shutdown();
      return Status::OK();
    }
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
    std::unique_lock submit_lock(submit_mu_);
    bool submit_now = false;
    {
      std::lock_guard lock(mu_);
      if (refused() || stopping_) {
        // Nothing is pending behind a closed or expired session: answer at once.
        entry->promise.set_value(error_reply(0, refusal(), "session is not open"));
        return fut;
      }
      entry->request = std::move(op);
      submit_now = barriers_ == 0;
      queue_.push_back(entry);
    }
    if (submit_now) submit(entry);
    cv_.notify_all();
    return fut;
  }

  // Runs `fn` once every earlier op has completed. A synchronous caller (`inline_ok`) runs it
  // on its own thread when nothing is pending; asynchronous reads always go to the sequencer so
  // a read that must wait (watch before data) never blocks the caller.
  template <class T>
  std::future<T> read(std::function<T()> fn, bool /*arms_watch*/, bool inline_ok) {
    auto task = std::make_shared<std::packaged_task<T()>>(std::move(fn));
    auto fut = task->get_future();
    {
      std::lock_guard lock(mu_);
      if ((!queue_.empty() || !inline_ok) && !stopping_) {
        // A queued read is a barrier: writes issued after it must not take effect before it
        // runs (FIFO order), so they are held back until it completes.
        auto entry = std::make_shared<Op>();
        entry->read = [task] { (*task)(); };
        entry->barrier = true;
        ++barriers_;
        queue_.push_back(entry);
        cv_.notify_all();
        return fut;
      }
    }
    (*task)();
    return fut;
  }

  // Sends a request on behalf of the op at the head of the queue and waits for its answer.
  Reply call(Operation op) {
    auto entry = std::make_shared<Op>();
    entry->nested = true;
    entry->request = std::move(op);
    auto fut = entry->promise.get_future();
    {
      std::unique_lock submit_lock(submit_mu_);
      submit(entry);
    }
    if (fut.wait_for(options_.request_timeout) == std::future_status::ready) return fut.get();
    std::lock_guard lock(mu_);
    in_flight_.erase(entry->seq);
    return error_reply(entry->seq, Error::ConnectionLoss, "no answer within the request timeout");
  }

  // Reads a node object. Watch before data: waits while an armed watch of this session owes an
  // event for a change this read observes.
  Result<std::optional<NodeObject>> read_object(const std::string& path) {
    {
      std::lock_guard lock(mu_);
      if (refused_or_stopped()) return Status(refusal(), "session is not open");
    }
    auto bytes = transport_->read(path);
    if (!bytes.ok()) return bytes.status();
    std::optional<NodeObject> node;
    if (*bytes) {
      auto decoded = decode_node_object(**bytes);
      if (!decoded.ok()) return decoded.status();
      observe(max_txid(decoded->stat));
      node = std::move(*decoded);
    }
    std::optional<Stat> stat;
    if (node) stat = node->stat;
    std::unique_lock lock(mu_);
    bool owed = cv_.wait_for(lock, options_.request_timeout,
                             [&] { return stopping_ || refused() || !watches_.owes_event(path, stat); });
    if (!owed) return Status(Error::ConnectionLoss, "a watch event for " + path + " did not arrive in time");
    if (refused()) return Status(refusal(), "session is not open");
    return node;
  }

  Result<NodeObject> read_node(const std::string& path) {
    auto n = read_object(path);
    if (!n.ok()) return n.status();
    if (!*n) return Status(Error::NoNode, path + " does not exist");
    return std::move(**n);
  }

  // Reads `path` and arms a watch of `kind` consistent with what was read (retrying when the
  // node changes in between). `absent_ok`: an absent node arms a creation watch (exists) instead
  // of failing with NoNode.
  Result<std::optional<NodeObject>> watched_read(const std::string& path, WatchKind kind, bool absent_ok, Watcher w) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto node = read_object(path);
      if (!node.ok()) return node.status();
      if (!*node && !absent_ok) return Status(Error::NoNode, path + " does not exist");
      bool exists = node->has_value();
      int64_t zxid = !exists ? 0 : kind == WatchKind::Child ? (*node)->stat.pzxid : (*node)->stat.mzxid;
      {
        std::lock_guard lock(mu_);
        if (watches_.armed(path, kind)) {
          watches_.join(path, kind, std::move(w));
          return node;
        }
      }
      Reply r = call(RegisterWatchRequest{path, kind, exists, zxid});
      if (r.err == Error::RuntimeInconsistency) continue;  // changed between read and arm
      if (r.err != Error::Ok) return Status(r.err, r.message);
      std::lock_guard lock(mu_);
      watches_.arm(path, kind, exists, zxid, std::move(w));
      return node;
    }
    return Status(Error::SystemError, path + " keeps changing; could not arm the watch");
  }

  Status add_watch(const std::string& path, WatchKind kind, Watcher w) {
    {
      std::lock_guard lock(mu_);
      if (watches_.armed(path, kind)) {
        watches_.join(path, kind, std::move(w));
        return Status::OK();
      }
    }
    Reply r = call(RegisterWatchRequest{path, kind, false, 0});
    if (r.err != Error::Ok) return Status(r.err, r.message);
    std::lock_guard lock(mu_);
    watches_.arm(path, kind, true, r.txid, std::move(w));
    return Status::OK();
  }

  Status remove_watches(const std::string& path, WatcherType type) {
    {
      std::lock_guard lock(mu_);
      if (!watches_.has(path, type)) return Status(Error::NoWatcher, "no watch of that type on " + path);
      watches_.remove(path, type);
    }
    Reply r = call(RemoveWatchesRequest{path, static_cast<int32_t>(type)});
    // NoWatcher from the deployment means a one-shot watch fired meanwhile: locally it is gone.
    if (r.err != Error::Ok && r.err != Error::NoWatcher) return Status(r.err, r.message);
    return Status::OK();
  }

  Status check_watches(const std::string& path, WatcherType type) const {
    std::lock_guard lock(mu_);
    return watches_.has(path, type) ? Status::OK() : Status(Error::NoWatcher, "no watch of that type on " + path);
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
    uint64_t seq = 0;                    // writes: assigned when submitted
    std::optional<Operation> request;    // writes: not yet submitted while held by a barrier
    std::function<void()> read;          // reads only
    bool barrier = false;                // a read that arms a watch
    bool nested = false;                 // issued by the op at the head; not in queue_
    std::optional<Reply> reply;          // writes: set when answered
    Clock::time_point deadline{};
    std::promise<Reply> promise;         // writes
  };

  bool refused() const {
    return state_ == SessionState::Expired || state_ == SessionState::Closed;
  }
  Error refusal() const {
    return state_ == SessionState::Expired ? Error::SessionExpired : Error::ConnectionLoss;
  }
  // Reads after close() fail like writes do.
  bool refused_or_stopped() const { return refused() || stopping_; }

  // Assigns the next seq and hands the request to the transport. Caller holds submit_mu_, so
  // seq order is submission order is queue-group order.
  void submit(const std::shared_ptr<Op>& entry) {
    ClientRequest req;
    {
      std::lock_guard lock(mu_);
      entry->seq = req.seq = ++next_seq_;
      entry->deadline = Clock::now() + options_.request_timeout;
      in_flight_[req.seq] = entry;
      req.op = std::move(*entry->request);
      entry->request.reset();
    }
    req.session_id = session_id_;
    Status sent = transport_->submit(req);
    if (!sent.ok()) complete_write(req.seq, error_reply(req.seq, Error::ConnectionLoss, sent.to_string()));
  }

  void complete_write(uint64_t seq, Reply reply) {
    std::shared_ptr<Op> op;
    {
      std::lock_guard lock(mu_);
      auto it = in_flight_.find(seq);
      if (it == in_flight_.end()) return;  // duplicate or late reply
      op = it->second;
      in_flight_.erase(it);
      if (!op->nested) op->reply = std::move(reply);
    }
    if (op->nested)
      op->promise.set_value(std::move(reply));
    else
      cv_.notify_all();
  }

  void on_message(const std::string& bytes) {
    auto msg = decode_server_message(bytes);
    if (!msg.ok()) return;
    if (auto* r = std::get_if<Reply>(&*msg)) {
      if (r->txid > 0) observe(r->txid);
      bool expired = r->err == Error::SessionExpired;
      if (expired) {
        // Before the caller wakes: whoever sees SessionExpired also sees state() == Expired.
        std::lock_guard lock(mu_);
        state_ = SessionState::Expired;
      }
      complete_write(r->seq, std::move(*r));
      if (expired) expire();  // the deployment no longer knows this session
    } else if (auto* n = std::get_if<WatchNotification>(&*msg)) {
      WatchedEvent e{n->type, SessionState::SyncConnected, n->path, n->txid};
      observe(n->txid);
      std::vector<Watcher> fired;
      {
        std::lock_guard lock(mu_);
        if (duplicate_event(e)) return;
        if (options_.event_trace) options_.event_trace(e);
        fired = watches_.on_event(e);
        for (auto& w : fired) pending_events_.push_back([w, e] { w(e); });
      }
      cv_.notify_all();
    } else if (auto* c = std::get_if<SessionClosed>(&*msg)) {
      if (c->expired) expire();
    }
  }

  // Events arrive in txid order; a watch batch redelivered after a crash of the watch function
  // repeats (part of) the latest txid's events. Caller holds mu_.
  bool duplicate_event(const WatchedEvent& e) {
    auto key = std::make_pair(e.path, e.type);
    if (e.zxid < last_event_txid_) return true;
    if (e.zxid > last_event_txid_) {
      last_event_txid_ = e.zxid;
      last_event_keys_.clear();
    }
    return !last_event_keys_.insert(key).second;
  }

  void expire() {
    std::vector<std::shared_ptr<Op>> nested;
    {
      std::lock_guard lock(mu_);
      state_ = SessionState::Expired;
      for (auto& [seq, op] : in_flight_) {
        if (op->nested)
          nested.push_back(op);
        else
          op->reply = error_reply(seq, Error::SessionExpired, "session expired");
      }
      in_flight_.clear();
      watches_.clear();
      if (options_.session_watcher) {
        auto w = options_.session_watcher;
        pending_events_.push_back([w] { w(WatchedEvent{EventType::None, SessionState::Expired, "", -1}); });
      }
    }
    for (auto& op : nested) op->promise.set_value(error_reply(op->seq, Error::SessionExpired, "session expired"));
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
        if (head->request) {  // being released by release_held(): its reply will wake us
          cv_.wait(lock);
          continue;
        }
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
      // Writes are held only behind a barrier that precedes them: the ones between this barrier
      // and the next may go now, even while later barriers are queued.
      if (head->barrier) {
        --barriers_;
        release_held(lock);
      }
    }
  }

  // Submits the writes a completed barrier held back, in order, up to the next barrier.
  // submit_mu_ is taken before they are collected: write() holds it from its "submit now?"
  // decision to its submit, so no write issued later can take a seq ahead of the held ones
  // (once barriers_ is 0, a new write would otherwise go straight out and overtake them).
  void release_held(std::unique_lock<std::mutex>& lock) {
    lock.unlock();
    std::unique_lock submit_lock(submit_mu_);
    lock.lock();
    std::vector<std::shared_ptr<Op>> held;
    for (auto& op : queue_) {
      if (op->barrier) break;
      if (op->request) held.push_back(op);
    }
    if (held.empty()) return;
    lock.unlock();
    for (auto& op : held) submit(op);
    lock.lock();
  }

  void run_events() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return events_stopping_ || !pending_events_.empty(); });
      if (pending_events_.empty() && events_stopping_) return;
      auto fn = std::move(pending_events_.front());
      pending_events_.pop_front();
      lock.unlock();
      fn();
      lock.lock();
    }
  }

  void shutdown() {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      for (auto& [seq, op] : in_flight_) {
        if (op->nested)
          op->promise.set_value(error_reply(seq, Error::ConnectionLoss, "client closed"));
        else
          op->reply = error_reply(seq, Error::ConnectionLoss, "client closed");
      }
      in_flight_.clear();
    }
    cv_.notify_all();
    if (sequencer_.joinable() && sequencer_.get_id() != std::this_thread::get_id()) sequencer_.join();
    transport_->detach(session_id_);
    {
      std::lock_guard lock(mu_);
      events_stopping_ = true;
    }
    cv_.notify_all();
    if (events_.joinable() && events_.get_id() != std::this_thread::get_id()) events_.join();
  }

  std::shared_ptr<ClientTransport> transport_;
  ClientOptions options_;
  const int64_t session_id_;
  std::atomic<SessionState> state_{SessionState::Disconnected};
  std::atomic<int64_t> last_txid_{0};

  std::mutex submit_mu_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_seq_ = 0;
  std::deque<std::shared_ptr<Op>> queue_;
  std::map<uint64_t, std::shared_ptr<Op>> in_flight_;
  int barriers_ = 0;
  WatchRegistry watches_;
  int64_t last_event_txid_ = 0;
  std::set<std::pair<std::string, EventType>> last_event_keys_;
  std::deque<std::function<void()>> pending_events_;
  bool stopping_ = false;
  bool events_stopping_ = false;
  std::thread sequencer_;
  std::thread events_;
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
// A refused multi carries per-op results, one of which holds the cause; any other failure
// (connection loss, expired session, a refused commit) is the request's own error.
Result<std::vector<OpResult>> to_multi(const Reply& r, size_t n) {
  if (r.err == Error::Ok) return r.results;
  bool per_op = r.results.size() == n &&
                std::any_of(r.results.begin(), r.results.end(), [&](const OpResult& o) { return o.err == r.err; });
  if (!per_op) return reply_status(r);
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
namespace {

// The read forms, shared by the synchronous (inline_ok) and asynchronous entry points.
Result<NodeData> read_data(Client::Impl& impl, const std::string& path) {
  auto n = impl.read_node(path);
  if (!n.ok()) return n.status();
  return NodeData{std::move(n->data), n->stat};
}
Result<std::optional<Stat>> read_exists(Client::Impl& impl, const std::string& path) {
  auto n = impl.read_object(path);
  if (!n.ok()) return n.status();
  if (!*n) return std::optional<Stat>();
  return std::optional<Stat>((*n)->stat);
}
Result<Children> read_children(Client::Impl& impl, const std::string& path) {
  auto n = impl.read_node(path);
  if (!n.ok()) return n.status();
  return Children{std::move(n->children), n->stat};
}

}  // namespace

std::future<Result<NodeData>> Client::get_async(const std::string& path) {
  return impl_->read<Result<NodeData>>([this, path] { return read_data(*impl_, path); }, false, false);
}
std::future<Result<std::optional<Stat>>> Client::exists_async(const std::string& path) {
  return impl_->read<Result<std::optional<Stat>>>([this, path] { return read_exists(*impl_, path); }, false, false);
}
std::future<Result<Children>> Client::get_children_async(const std::string& path) {
  return impl_->read<Result<Children>>([this, path] { return read_children(*impl_, path); }, false, false);
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
Result<NodeData> Client::get(const std::string& path) {
  return impl_->read<Result<NodeData>>([this, path] { return read_data(*impl_, path); }, false, true).get();
}

Result<NodeData> Client::get(const std::string& path, Watcher watcher) {
  return impl_->read<Result<NodeData>>([this, path, watcher]() -> Result<NodeData> {
    auto n = impl_->watched_read(path, WatchKind::Data, false, watcher);
    if (!n.ok()) return n.status();
    return NodeData{std::move((*n)->data), (*n)->stat};
  }, true, true).get();
}
Result<std::optional<Stat>> Client::exists(const std::string& path, Watcher watcher) {
  return impl_->read<Result<std::optional<Stat>>>([this, path, watcher]() -> Result<std::optional<Stat>> {
    auto n = impl_->watched_read(path, WatchKind::Data, true, watcher);
    if (!n.ok()) return n.status();
    if (!*n) return std::optional<Stat>();
    return std::optional<Stat>((*n)->stat);
  }, true, true).get();
}
Result<Children> Client::get_children(const std::string& path, Watcher watcher) {
  return impl_->read<Result<Children>>([this, path, watcher]() -> Result<Children> {
    auto n = impl_->watched_read(path, WatchKind::Child, false, watcher);
    if (!n.ok()) return n.status();
    return Children{std::move((*n)->children), (*n)->stat};
  }, true, true).get();
}
Status Client::add_watch(const std::string& path, AddWatchMode mode, Watcher watcher) {
  WatchKind kind = mode == AddWatchMode::Persistent ? WatchKind::Persistent : WatchKind::PersistentRecursive;
  return impl_->read<Status>([this, path, kind, watcher] { return impl_->add_watch(path, kind, watcher); }, true, true).get();
}
Status Client::remove_watches(const std::string& path, WatcherType type) {
  return impl_->read<Status>([this, path, type] { return impl_->remove_watches(path, type); }, true, true).get();
}
Status Client::check_watches(const std::string& path, WatcherType type) const {
  return impl_->check_watches(path, type);
}
Result<std::optional<Stat>> Client::exists(const std::string& path) {
  return impl_->read<Result<std::optional<Stat>>>([this, path] { return read_exists(*impl_, path); }, false, true).get();
}
Result<Children> Client::get_children(const std::string& path) {
  return impl_->read<Result<Children>>([this, path] { return read_children(*impl_, path); }, false, true).get();
}

}  // namespace faaskeeper
