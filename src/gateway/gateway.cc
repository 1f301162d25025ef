#include "gateway/gateway.h"

#include <sys/socket.h>

#include <asio.hpp>

#include <algorithm>
#include <atomic>
#include <list>
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
  explicit Connection(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::thread thread;
  std::mutex mu;              // guards writes and `closed`
  bool closed = false;
  std::atomic<bool> finished{false};

  // Wakes a blocked read; safe to call from any thread while the socket is open.
  void shutdown() {
    std::lock_guard<std::mutex> lock(mu);
    if (!closed) ::shutdown(socket.native_handle(), SHUT_RDWR);
  }
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
  }

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
    asio::error_code ec;
    asio::write(c.socket, asio::buffer(frame), ec);
    if (ec) ::shutdown(c.socket.native_handle(), SHUT_RDWR);
    else sent_++;
  }

  GatewayCounters counters() const {
    return GatewayCounters{connections_.load(), received_.load(), sent_.load()};
  }

  void serve(std::shared_ptr<Connection> conn) {
    connections_++;
    {
      zk::FrameDecoder dec;
      std::unique_ptr<SessionHandler> handler;
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
            std::string answer = four_letter_answer(w->word, counters());
            write(*conn, answer);
            open = false;
            break;
          }
          received_++;
          auto& frame = std::get<zk::Frame>(*item);
          if (!handler) {
            handler = handshake(conn, frame.payload);
            if (!handler) open = false;
          } else if (!handler->handle(frame.payload)) {
            open = false;
          }
        }
      }
      handler.reset();  // closes the FaaSKeeper session before the socket goes away
    }
    {
      std::lock_guard<std::mutex> lock(conn->mu);
      asio::error_code ec;
      conn->socket.shutdown(tcp::socket::shutdown_both, ec);
      conn->socket.close(ec);
      conn->closed = true;
    }
    connections_--;
    conn->finished = true;
  }

  // Answers the ConnectRequest; returns the session's handler, or nullptr to close.
  std::unique_ptr<SessionHandler> handshake(const std::shared_ptr<Connection>& conn, const std::string& payload) {
    auto req = zk::decode_connect_request(payload);
    if (!req.ok()) return nullptr;
    if (req->session_id != 0) {
      // Sessions do not outlive their connection: a reconnect finds its session expired.
      write(*conn, zk::encode_connect_response(zk::expired_session_response(*req)));
      return nullptr;
    }
    ClientOptions co;
    co.session_timeout_ms = std::clamp(req->timeout_ms, kMinSessionTimeoutMs, kMaxSessionTimeoutMs);
    std::weak_ptr<Connection> weak = conn;
    co.session_watcher = [weak](const WatchedEvent& ev) {
      if (ev.state != SessionState::Expired) return;
      if (auto c = weak.lock()) c->shutdown();
    };
    auto client = options_.open_session(co);
    if (!client.ok()) return nullptr;  // the deployment is unreachable: the client retries
    int64_t sid = (*client)->session_id();
    zk::ConnectResponse rsp;
    rsp.protocol_version = 0;
    rsp.timeout_ms = co.session_timeout_ms;
    rsp.session_id = sid;
    rsp.password = random_password();
    rsp.read_only = false;
    rsp.has_read_only = req->has_read_only;
    Connection* raw = conn.get();
    auto handler = std::make_unique<SessionHandler>(std::move(*client),
                                                    [this, raw](std::string frame) { write(*raw, frame); });
    write(*conn, zk::encode_connect_response(rsp));
    return handler;
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

}  // namespace faaskeeper::gateway
