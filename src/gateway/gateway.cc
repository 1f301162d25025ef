#include "gateway/gateway.h"

#include <poll.h>
#include <sys/socket.h>

#include <asio.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "gateway/four_letter.h"
#include "gateway/handler.h"
#include "zk/codec.h"

namespace faaskeeper::gateway {

using asio::ip::tcp;

namespace {

constexpr int32_t kMinSessionTimeoutMs = 4000;   // ZooKeeper: 2 × tickTime (2000)
constexpr int32_t kMaxSessionTimeoutMs = 40000;  // ZooKeeper: 20 × tickTime

// One client connection: its socket, its thread, and the lock that orders its writes.
struct Connection {
  explicit Connection(tcp::socket s) : socket(std::move(s)) {
    asio::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (!ec) peer = "/" + ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  tcp::socket socket;
  std::string peer;                  // "/ip:port", for `stat`
  std::atomic<long> received{0}, sent{0};
  std::atomic<bool> four_letter{false};
  std::thread thread;
  std::mutex mu;              // guards writes; `closed` is set holding both mu and fd_mu
  std::mutex fd_mu;           // keeps the descriptor open during shutdown()
  bool closed = false;
  std::atomic<bool> finished{false};

  // Wakes a blocked read (and a stalled write); safe to call from any thread while the socket is
  // open. It does not wait for a write in progress.
  void shutdown() {
    std::lock_guard<std::mutex> lock(fd_mu);
    if (!closed) ::shutdown(socket.native_handle(), SHUT_RDWR);
  }
};

// One line on stderr, as the deployment logs: "HH:MM:SS [gateway] text".
void log_line(const std::string& text) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  std::fprintf(stderr, "%s [gateway] %s\n", stamp, text.c_str());
}

// A write that makes no progress for this long (the client does not read, and the kernel's
// socket buffers, the connection's only output buffer, are full) drops the connection.
constexpr int kWriteStallMs = 10000;

// Writes all of `bytes`; false on an error or a stall longer than kWriteStallMs.
bool write_all(int fd, const std::string& bytes, bool* stalled) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      off += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      int r = ::poll(&p, 1, kWriteStallMs);
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) *stalled = true;
      if (r <= 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

using Clock = std::chrono::steady_clock;

// One ZooKeeper session: it outlives its connection until the negotiated timeout passes with
// no connection attached (Impl::smu_ guards every field but `handler`'s own state).
struct Session {
  int64_t id = 0;
  std::string password;
  int32_t timeout_ms = 0;
  std::shared_ptr<SessionHandler> handler;
  std::shared_ptr<Connection> conn;  // the attached connection; null while detached
  Clock::time_point deadline;         // while detached: when the session expires
  bool expired = false;               // expired by the deployment
};

}  // namespace

class Gateway::Impl {
 public:
  explicit Impl(GatewayOptions o) : options_(std::move(o)), acceptor_(io_) {}

  Status listen() {
    asio::error_code ec;
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Status(Error::SystemError, "gateway: cannot listen on 127.0.0.1:" +
                                                   std::to_string(options_.port) + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    reaper_thread_ = std::thread([this] { reap_sessions(); });
    accept_thread_ = std::thread([this] { accept_loop(); });
    return Status::OK();
  }

  uint16_t port() const { return port_; }

  void stop() {
    if (stopping_.exchange(true)) return;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);  // wakes the blocking accept
    if (accept_thread_.joinable()) accept_thread_.join();
    asio::error_code ec;
    acceptor_.close(ec);
    std::list<std::shared_ptr<Connection>> conns;
    {
      std::lock_guard<std::mutex> lock(mu_);
      conns.swap(conns_);
    }
    for (auto& c : conns) c->shutdown();
    for (auto& c : conns)
      if (c->thread.joinable()) c->thread.join();
    {
      std::lock_guard<std::mutex> lock(smu_);
      reaper_stop_ = true;
    }
    scv_.notify_all();
    if (reaper_thread_.joinable()) reaper_thread_.join();
    std::map<int64_t, std::shared_ptr<Session>> sessions;
    {
      std::lock_guard<std::mutex> lock(smu_);
      sessions.swap(sessions_);
    }
    sessions.clear();  // closes the detached sessions
  }

  // Closes every client connection without closing its session (as a network failure would);
  // returns once their sessions are detached. Returns the number of connections closed.
  size_t drop_connections() {
    std::list<std::shared_ptr<Connection>> conns;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& c : conns_)
        if (!c->finished) conns.push_back(c);
    }
    for (auto& c : conns) c->shutdown();
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [&] {
      return std::all_of(conns.begin(), conns.end(), [](auto& c) { return c->finished.load(); });
    });
    return conns.size();
  }

  void hold_reconnects(bool hold) { hold_reconnects_ = hold; }

 private:
  void accept_loop() {
    while (!stopping_) {
      asio::error_code ec;
      tcp::socket s(io_);
      acceptor_.accept(s, ec);
      if (ec) {
        if (stopping_) return;
        continue;
      }
      s.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_shared<Connection>(std::move(s));
      std::lock_guard<std::mutex> lock(mu_);
      reap_locked();
      if (stopping_) return;
      conns_.push_back(conn);
      conn->thread = std::thread([this, conn] { serve(conn); });
    }
  }

  // Joins the threads of connections that ended.
  void reap_locked() {
    for (auto it = conns_.begin(); it != conns_.end();) {
      if ((*it)->finished) {
        if ((*it)->thread.joinable()) (*it)->thread.join();
        it = conns_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Writes one frame; a failed write shuts the connection down (the read loop then ends).
  void write(Connection& c, const std::string& frame) {
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.closed) return;
    bool stalled = false;
    if (!write_all(c.socket.native_handle(), frame, &stalled)) {
      if (stalled)
        log_line("connection from " + c.peer + " dropped: client is not reading (no progress writing for " +
                 std::to_string(kWriteStallMs / 1000) + " s)");
      ::shutdown(c.socket.native_handle(), SHUT_RDWR);
    } else {
      sent_++;
      c.sent++;
    }
  }

  GatewayCounters counters() {
    GatewayCounters g{connections_.load(), received_.load(), sent_.load(), {}};
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& c : conns_)
      if (!c->finished) g.clients.push_back(ClientInfo{c->peer, c->four_letter, c->received, c->sent});
    return g;
  }

  void serve(std::shared_ptr<Connection> conn) {
    connections_++;
    {
      zk::FrameDecoder dec;
      std::shared_ptr<Session> session;
      std::string buf(64 * 1024, '\0');
      bool open = true;
      while (open && !stopping_) {
        asio::error_code ec;
        size_t n = conn->socket.read_some(asio::buffer(buf), ec);
        if (ec || n == 0) break;
        dec.feed(std::string_view(buf.data(), n));
        while (open) {
          auto item = dec.next();
          if (!item.ok()) {  // bad length prefix: close without a reply
            open = false;
            break;
          }
          if (std::holds_alternative<zk::NeedMore>(*item)) break;
          if (auto* w = std::get_if<zk::FourLetterCommand>(&*item)) {
            conn->four_letter = true;
            conn->received++;
            std::string answer = four_letter_answer(w->word, counters());
            write(*conn, answer);
            open = false;
            break;
          }
          received_++;
          conn->received++;
          auto& frame = std::get<zk::Frame>(*item);
          if (!session) {
            session = handshake(conn, frame.payload);
            if (!session) open = false;
          } else if (!session->handler->handle(frame.payload)) {
            open = false;
          }
        }
      }
      if (session) release(session, conn);
    }
    {
      std::scoped_lock lock(conn->mu, conn->fd_mu);
      asio::error_code ec;
      conn->socket.shutdown(tcp::socket::shutdown_both, ec);
      conn->socket.close(ec);
      conn->closed = true;
    }
    connections_--;
    {
      std::lock_guard<std::mutex> lock(mu_);
      conn->finished = true;
    }
    done_cv_.notify_all();
  }

  // The connection of `s` ended. closeSession, expiry or gateway stop end the session (its
  // ephemeral nodes go with it); otherwise it is detached and waits for a reconnect until its
  // timeout passes.
  void release(const std::shared_ptr<Session>& s, const std::shared_ptr<Connection>& conn) {
    std::shared_ptr<SessionHandler> doomed;
    {
      std::lock_guard<std::mutex> lock(smu_);
      if (s->conn != conn) return;  // taken over by a newer connection
      s->conn = nullptr;
      if (s->handler->closed() || s->expired || stopping_) {
        sessions_.erase(s->id);
        doomed = std::move(s->handler);
      } else {
        s->handler->detach();
        s->deadline = Clock::now() + std::chrono::milliseconds(s->timeout_ms);
      }
    }
    scv_.notify_all();
    doomed.reset();  // closes the FaaSKeeper session before the socket goes away
  }

  // Ends detached sessions whose timeout passed, and sessions the deployment expired.
  void reap_sessions() {
    std::unique_lock<std::mutex> lock(smu_);
    while (!reaper_stop_) {
      auto now = Clock::now();
      auto next = now + std::chrono::seconds(60);
      std::vector<std::shared_ptr<SessionHandler>> doomed;
      for (auto it = sessions_.begin(); it != sessions_.end();) {
        auto& s = *it->second;
        if (!s.conn && (s.expired || s.deadline <= now)) {
          doomed.push_back(std::move(s.handler));
          it = sessions_.erase(it);
          continue;
        }
        if (!s.conn) next = std::min(next, s.deadline);
        ++it;
      }
      if (!doomed.empty()) {
        lock.unlock();
        doomed.clear();  // Client::close outside the lock
        lock.lock();
        continue;
      }
      scv_.wait_until(lock, next);
    }
  }

  // Answers the ConnectRequest; returns the connection's session, or nullptr to close.
  std::shared_ptr<Session> handshake(const std::shared_ptr<Connection>& conn, const std::string& payload) {
    auto req = zk::decode_connect_request(payload);
    if (!req.ok()) return nullptr;
    Connection* raw = conn.get();
    auto sender = [this, raw](std::string frame) { write(*raw, frame); };
    if (req->session_id != 0) return reattach(conn, *req, sender);

    auto session = std::make_shared<Session>();
    ClientOptions co;
    co.session_timeout_ms = std::clamp(req->timeout_ms, kMinSessionTimeoutMs, kMaxSessionTimeoutMs);
    std::weak_ptr<Session> weak = session;
    co.session_watcher = [this, weak](const WatchedEvent& ev) {
      if (ev.state != SessionState::Expired) return;
      auto s = weak.lock();
      if (!s) return;
      std::shared_ptr<Connection> c;
      {
        std::lock_guard<std::mutex> lock(smu_);
        s->expired = true;
        c = s->conn;
      }
      if (c) c->shutdown();  // its thread then ends the session
      scv_.notify_all();      // a detached one is ended by the reaper
    };
    auto client = options_.open_session(co);
    if (!client.ok()) return nullptr;  // the deployment is unreachable: the client retries
    session->id = (*client)->session_id();
    session->password = random_password();
    session->timeout_ms = co.session_timeout_ms;
    session->handler = std::make_shared<SessionHandler>(std::move(*client), sender);
    session->conn = conn;
    {
      std::lock_guard<std::mutex> lock(smu_);
      sessions_[session->id] = session;
    }
    write(*conn, zk::encode_connect_response(response(*req, *session)));
    return session;
  }

  zk::ConnectResponse response(const zk::ConnectRequest& req, const Session& s) {
    zk::ConnectResponse rsp;
    rsp.protocol_version = 0;
    rsp.timeout_ms = s.timeout_ms;
    rsp.session_id = s.id;
    rsp.password = s.password;
    rsp.read_only = false;
    rsp.has_read_only = req.has_read_only;
    return rsp;
  }

  // A client reconnecting to its session (ZooKeeper's reopenSession): a known, unexpired
  // session with the right password moves to this connection (a connection still attached is
  // closed first); otherwise the expired answer, and the connection is closed.
  std::shared_ptr<Session> reattach(const std::shared_ptr<Connection>& conn, const zk::ConnectRequest& req,
                                    SessionHandler::Send sender) {
    if (hold_reconnects_) return nullptr;  // as if unreachable: the client retries
    std::shared_ptr<Session> s;
    std::shared_ptr<Connection> old;
    {
      std::lock_guard<std::mutex> lock(smu_);
      auto it = sessions_.find(req.session_id);
      if (it != sessions_.end() && !it->second->expired && it->second->password == req.password) {
        s = it->second;
        old = s->conn;
      }
    }
    if (s && old) {
      old->shutdown();
      std::unique_lock<std::mutex> lock(smu_);
      scv_.wait_for(lock, std::chrono::seconds(15), [&] { return s->conn != old; });
      if (s->conn == old) s = nullptr;
    }
    if (s) {
      std::lock_guard<std::mutex> lock(smu_);
      if (sessions_.count(s->id) && !s->expired && !s->conn) {
        s->conn = conn;
        s->handler->attach(sender);
      } else {
        s = nullptr;
      }
    }
    if (!s) {
      write(*conn, zk::encode_connect_response(zk::expired_session_response(req)));
      return nullptr;
    }
    write(*conn, zk::encode_connect_response(response(req, *s)));
    return s;
  }

  std::string random_password() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string p(zk::kSessionPasswordBytes, '\0');
    for (auto& ch : p) ch = static_cast<char>(rng_() & 0xff);
    return p;
  }

  GatewayOptions options_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread accept_thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;  // guards conns_ and rng_
  std::list<std::shared_ptr<Connection>> conns_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::atomic<long> connections_{0}, received_{0}, sent_{0};
  std::condition_variable done_cv_;  // with mu_: a connection finished
  std::atomic<bool> hold_reconnects_{false};
  std::mutex smu_;                   // guards sessions_, every Session, reaper_stop_
  std::condition_variable scv_;      // with smu_: a session detached, ended or expired
  std::map<int64_t, std::shared_ptr<Session>> sessions_;
  bool reaper_stop_ = false;
  std::thread reaper_thread_;
};

Result<std::unique_ptr<Gateway>> Gateway::start(GatewayOptions options) {
  if (!options.open_session) return Status(Error::SystemError, "gateway: no session factory");
  auto impl = std::make_unique<Impl>(std::move(options));
  Status s = impl->listen();
  if (!s.ok()) return s;
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Gateway::~Gateway() { stop(); }
uint16_t Gateway::port() const { return impl_->port(); }
void Gateway::stop() { impl_->stop(); }
size_t Gateway::drop_connections() { return impl_->drop_connections(); }
void Gateway::hold_reconnects(bool hold) { impl_->hold_reconnects(hold); }

}  // namespace faaskeeper::gateway
