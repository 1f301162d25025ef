#include "client/tcp_transport.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace faaskeeper {

namespace {

using Clock = std::chrono::steady_clock;

Status loss(std::string why) { return Status(Error::ConnectionLoss, std::move(why)); }

// Connects to host:port within `timeout`; returns the blocking socket or -1 with *err set.
int connect_socket(const wire::Address& a, std::chrono::milliseconds timeout, std::string* err) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(a.port);
  if (int rc = ::getaddrinfo(a.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    *err = "cannot resolve " + a.host + ": " + ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  *err = "no address for " + a.host;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      *err = std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (rc == 0) {
        errno = ETIMEDOUT;
        rc = -1;
      } else if (rc > 0) {
        int so = 0;
        socklen_t len = sizeof so;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &len);
        errno = so;
        rc = so == 0 ? 0 : -1;
      }
    }
    if (rc == 0) break;
    *err = std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  if (fd < 0) return -1;
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Reads exactly n bytes; false on EOF or error (*err says which).
bool read_exact(int fd, char* p, size_t n, std::string* err) {
  while (n > 0) {
    ssize_t r = ::recv(fd, p, n, 0);
    if (r == 0) {
      *err = "the deployment closed the connection";
      return false;
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      *err = std::string("read failed: ") + std::strerror(errno);
      return false;
    }
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

class TcpTransport::Impl {
 public:
  Impl(Resolver resolver, TcpTransportOptions options) : resolver_(std::move(resolver)), options_(options) {}

  ~Impl() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    drop_current("the client closed the transport");
    std::lock_guard connect_lock(connect_mu_);
    if (reader_.joinable()) reader_.join();
    close_fd();
  }

  Status ensure_connected() {
    {
      std::lock_guard lock(mu_);
      if (ready_) return Status::OK();
      if (closing_) return loss("the transport is closed");
    }
    if (std::this_thread::get_id() == reader_id_)
      return loss("not connected (cannot reconnect from a delivery callback)");
    std::lock_guard connect_lock(connect_mu_);
    {
      std::lock_guard lock(mu_);
      if (ready_) return Status::OK();  // another thread reconnected meanwhile
    }
    if (reader_.joinable()) reader_.join();  // the old connection's reader has seen it break
    close_fd();

    auto address = resolver_();
    if (!address.ok()) return loss(address.status().message());
    std::string err;
    int fd = connect_socket(*address, options_.connect_timeout, &err);
    if (fd < 0) return loss("cannot connect to the deployment at " + address->to_string() + ": " + err);
    timeval tv{static_cast<time_t>(options_.request_timeout.count() / 1000),
               static_cast<suseconds_t>((options_.request_timeout.count() % 1000) * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    uint64_t gen;
    std::vector<int64_t> sessions;
    {
      std::scoped_lock lock(write_mu_, mu_);
      fd_ = fd;
      gen = ++gen_;
      up_ = true;
      where_ = address->to_string();
      for (const auto& [id, s] : sessions_) sessions.push_back(id);
    }
    reader_ = std::thread([this, fd, gen] { read_loop(fd, gen); });
    // Sessions attached before the connection broke continue on this one.
    for (int64_t id : sessions) {
      auto answer = exchange([&](uint64_t rid) { return wire::attach_frame(rid, id); });
      if (!answer.ok()) return answer.status();
    }
    std::lock_guard lock(mu_);
    if (!up_ || gen_ != gen) return loss("the connection to " + where_ + " broke while re-attaching sessions");
    ready_ = true;
    return Status::OK();
  }

  Status attach(int64_t session_id, Receiver receiver) {
    auto s = std::make_shared<Session>();
    s->receiver = std::move(receiver);
    {
      std::lock_guard lock(mu_);
      sessions_[session_id] = s;
    }
    Status st = ensure_connected();
    if (st.ok()) {
      auto answer = exchange([&](uint64_t id) { return wire::attach_frame(id, session_id); });
      st = answer.ok() ? status_of(*answer) : answer.status();
    }
    if (!st.ok()) remove_session(session_id);
    return st;
  }

  void detach(int64_t session_id) {
    if (!remove_session(session_id)) return;
    std::lock_guard write_lock(write_mu_);
    std::unique_lock lock(mu_);
    if (!ready_) return;
    uint64_t id = ++next_id_;  // nobody waits for this answer; it is dropped when it comes
    int fd = fd_;
    lock.unlock();
    write_frame(fd, wire::detach_frame(id, session_id));
  }

  Status submit(const ClientRequest& request) {
    std::string bytes = encode(request);
    if (bytes.size() + 9 > wire::kMaxRequestBody)
      return Status(Error::BadArguments, "request of " + std::to_string(bytes.size()) +
                                             " bytes exceeds the endpoint's frame limit of " +
                                             std::to_string(wire::kMaxRequestBody) + " bytes");
    if (Status s = ensure_connected(); !s.ok()) return s;
    {
      std::lock_guard lock(mu_);
      if (auto it = sessions_.find(request.session_id); it != sessions_.end())
        it->second->outstanding.insert(request.seq);
    }
    auto answer = exchange([&](uint64_t id) { return wire::submit_frame(id, bytes); });
    Status st = answer.ok() ? status_of(*answer) : answer.status();
    if (!st.ok()) {
      std::lock_guard lock(mu_);
      if (auto it = sessions_.find(request.session_id); it != sessions_.end())
        it->second->outstanding.erase(request.seq);
    }
    return st;
  }

  Result<std::optional<std::string>> read(const std::string& path) {
    if (Status s = ensure_connected(); !s.ok()) return s;
    auto answer = exchange([&](uint64_t id) { return wire::read_frame(id, path); });
    if (!answer.ok()) return answer.status();
    if (answer->kind != wire::Kind::ReadResult) return Status(Error::MarshallingError, "unexpected answer to a read");
    if (answer->err != Error::Ok) return Status(answer->err, answer->message);
    if (!answer->present) return std::optional<std::string>();
    return std::optional<std::string>(std::move(answer->payload));
  }

  bool connected() const {
    std::lock_guard lock(mu_);
    return ready_;
  }

  void drop_current(const std::string& why) {
    uint64_t gen;
    {
      std::lock_guard lock(mu_);
      gen = gen_;
    }
    drop(gen, why);
  }

 private:
  struct Waiter {
    bool done = false;
    Status failure;
    wire::Frame answer;
  };
  struct Session {
    Receiver receiver;
    std::set<uint64_t> outstanding;  // submitted seqs without a reply yet
    std::recursive_mutex deliver_mu;  // held while the receiver runs
    bool closed = false;
  };

  static Status status_of(const wire::Frame& f) {
    return f.err == Error::Ok ? Status::OK() : Status(f.err, f.message);
  }

  // Sends the frame built for a fresh request id and waits for its answer.
  template <class Build>
  Result<wire::Frame> exchange(Build build) {
    auto waiter = std::make_shared<Waiter>();
    uint64_t id;
    int fd;
    uint64_t gen;
    std::string where;
    {
      std::lock_guard lock(mu_);
      if (!up_) return loss("not connected to the deployment");
      id = ++next_id_;
      waiting_[id] = waiter;
      fd = fd_;
      gen = gen_;
      where = where_;
    }
    std::string frame = build(id);
    std::string err;
    {
      std::lock_guard write_lock(write_mu_);
      bool current;
      {
        std::lock_guard lock(mu_);
        current = up_ && gen_ == gen;
      }
      if (!current)
        err = "the connection broke";
      else if (!write_frame(fd, frame))
        err = std::string("write failed: ") + std::strerror(errno);
    }
    if (!err.empty()) {
      drop(gen, err);
      std::lock_guard lock(mu_);
      waiting_.erase(id);
      return loss("lost the connection to the deployment at " + where + ": " + err);
    }
    std::unique_lock lock(mu_);
    bool answered = cv_.wait_for(lock, options_.request_timeout, [&] { return waiter->done; });
    waiting_.erase(id);
    if (!answered)
      return loss("no answer from the deployment at " + where + " within " +
                  std::to_string(options_.request_timeout.count()) + " ms");
    if (!waiter->failure.ok()) return waiter->failure;
    return std::move(waiter->answer);
  }

  // Answers a ping: the endpoint counts this process as alive (EndpointOptions::liveness_grace).
  // Skipped while another thread is writing: that frame is proof of life too, and the reader
  // must not wait behind a writer.
  void pong(int fd, uint64_t gen) {
    std::unique_lock write_lock(write_mu_, std::try_to_lock);
    if (!write_lock.owns_lock()) return;
    {
      std::lock_guard lock(mu_);
      if (!up_ || gen_ != gen) return;
    }
    write_frame(fd, wire::pong_frame());  // a failure shows up in the reader soon enough
  }

  // Caller holds write_mu_ (so the fd is not closed underneath).
  static bool write_frame(int fd, const std::string& frame) {
    const char* p = frame.data();
    size_t n = frame.size();
    while (n > 0) {
      ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  }

  void read_loop(int fd, uint64_t gen) {
    reader_id_ = std::this_thread::get_id();
    std::string err;
    std::string body;
    while (true) {
      char header[wire::kHeaderBytes];
      if (!read_exact(fd, header, sizeof header, &err)) break;
      uint32_t n = wire::body_length(header);
      if (n > wire::kMaxResponseBody) {
        err = "the deployment sent a frame of " + std::to_string(n) + " bytes";
        break;
      }
      body.resize(n);
      if (!read_exact(fd, body.data(), n, &err)) break;
      auto frame = wire::decode_body(body);
      if (!frame.ok() || wire::is_request(frame->kind)) {
        err = "the deployment sent a malformed frame";
        break;
      }
      if (frame->kind == wire::Kind::Push) {
        if (is_ping(frame->payload)) pong(fd, gen);
        deliver(frame->session, frame->payload);
      } else
        answer(std::move(*frame));
    }
    drop(gen, err);
  }

  void answer(wire::Frame f) {
    std::lock_guard lock(mu_);
    auto it = waiting_.find(f.id);
    if (it == waiting_.end()) return;  // timed out, or a detach nobody waits for
    it->second->answer = std::move(f);
    it->second->done = true;
    cv_.notify_all();
  }

  void deliver(int64_t session_id, const std::string& message) {
    std::shared_ptr<Session> s;
    {
      std::lock_guard lock(mu_);
      auto it = sessions_.find(session_id);
      if (it == sessions_.end()) return;
      s = it->second;
      auto decoded = decode_server_message(message);
      if (decoded.ok())
        if (auto* r = std::get_if<Reply>(&*decoded)) s->outstanding.erase(r->seq);
    }
    std::lock_guard lock(s->deliver_mu);
    if (!s->closed) s->receiver(message);
  }

  // Marks connection `gen` broken: wakes its reader, fails its waiters, and answers every
  // outstanding request of every session with ConnectionLoss.
  void drop(uint64_t gen, const std::string& why) {
    std::vector<std::pair<std::shared_ptr<Session>, std::vector<uint64_t>>> orphans;
    {
      std::lock_guard lock(mu_);
      if (gen != gen_ || !up_) return;
      up_ = ready_ = false;
      if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
      for (auto& [id, w] : waiting_) {
        w->failure = loss("lost the connection to the deployment at " + where_ + ": " + why);
        w->done = true;
      }
      cv_.notify_all();
      for (auto& [id, s] : sessions_) {
        if (s->outstanding.empty()) continue;
        orphans.push_back({s, std::vector<uint64_t>(s->outstanding.begin(), s->outstanding.end())});
        s->outstanding.clear();
      }
    }
    for (auto& [s, seqs] : orphans) {
      std::lock_guard lock(s->deliver_mu);
      if (s->closed) continue;
      for (uint64_t seq : seqs) {
        Reply r;
        r.seq = seq;
        r.err = Error::ConnectionLoss;
        r.message = "lost the connection to the deployment (" + why + "); the request may or may not take effect";
        s->receiver(encode(ServerMessage{r}));
      }
    }
  }

  // Removes a session's receiver; after it returns the receiver is not running and never runs
  // again (unless called from the receiver itself). False when unknown.
  bool remove_session(int64_t session_id) {
    std::shared_ptr<Session> s;
    {
      std::lock_guard lock(mu_);
      auto it = sessions_.find(session_id);
      if (it == sessions_.end()) return false;
      s = std::move(it->second);
      sessions_.erase(it);
    }
    std::lock_guard lock(s->deliver_mu);
    s->closed = true;
    return true;
  }

  void close_fd() {
    std::scoped_lock lock(write_mu_, mu_);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  Resolver resolver_;
  TcpTransportOptions options_;

  std::mutex connect_mu_;  // serialises (re)connects; guards reader_
  std::thread reader_;
  std::atomic<std::thread::id> reader_id_{};
  std::mutex write_mu_;  // serialises frame writes; held to close the fd
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int fd_ = -1;
  uint64_t gen_ = 0;
  bool up_ = false;     // the socket of gen_ works
  bool ready_ = false;  // ... and every session is attached on it
  bool closing_ = false;
  std::string where_;
  uint64_t next_id_ = 0;
  std::map<uint64_t, std::shared_ptr<Waiter>> waiting_;
  std::map<int64_t, std::shared_ptr<Session>> sessions_;
};

TcpTransport::TcpTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TcpTransport::~TcpTransport() = default;

Result<std::shared_ptr<TcpTransport>> TcpTransport::connect(const wire::Address& address, TcpTransportOptions options) {
  return connect([address]() -> Result<wire::Address> { return address; }, options);
}

Result<std::shared_ptr<TcpTransport>> TcpTransport::connect(Resolver resolver, TcpTransportOptions options) {
  std::shared_ptr<TcpTransport> t(new TcpTransport(std::make_unique<Impl>(std::move(resolver), options)));
  if (Status s = t->impl_->ensure_connected(); !s.ok()) return s;
  return t;
}

Status TcpTransport::attach(int64_t session_id, Receiver receiver) { return impl_->attach(session_id, std::move(receiver)); }
void TcpTransport::detach(int64_t session_id) { impl_->detach(session_id); }
Status TcpTransport::submit(const ClientRequest& request) { return impl_->submit(request); }
Result<std::optional<std::string>> TcpTransport::read(const std::string& path) { return impl_->read(path); }
Status TcpTransport::ensure_connected() { return impl_->ensure_connected(); }
bool TcpTransport::connected() const { return impl_->connected(); }
void TcpTransport::disconnect() { impl_->drop_current("disconnected by the client"); }

}  // namespace faaskeeper
