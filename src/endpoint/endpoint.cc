#include "endpoint/endpoint.h"

#include <asio.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "protocol/messages.h"

namespace faaskeeper {

using asio::ip::tcp;

namespace {

void stderr_log(const std::string& line) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  std::fprintf(stderr, "%s [endpoint] %s\n", stamp, line.c_str());
}

}  // namespace

class Connection;

class Endpoint::Impl {
 public:
  Impl(Queue& queue, UserStore& user, EndpointOptions options)
      : queue_(queue), user_(user), options_(std::move(options)), pool_(std::max(1, options_.worker_threads)) {
    if (!options_.log) options_.log = stderr_log;
  }
  ~Impl() { stop(); }

  Status start();
  void stop();
  Status send(int64_t session_id, const std::string& message);

  // Connection callbacks.
  void attach(int64_t session, const std::shared_ptr<Connection>& c);
  void detach(int64_t session, const Connection* c);
  void forget(const std::shared_ptr<Connection>& c);  // c closed: drop it and its sessions
  void log(const std::string& line) { options_.log(line); }

  Queue& queue_;
  UserStore& user_;
  EndpointOptions options_;
  asio::io_context io_;
  asio::thread_pool pool_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::thread io_thread_;
  wire::Address address_;
  std::atomic<bool> started_{false}, stopping_{false};
  std::atomic<uint64_t> accepted_{0}, closed_protocol_{0}, closed_slow_{0}, frames_{0};

  std::mutex mu_;  // connections_ and sessions_
  std::set<std::shared_ptr<Connection>> connections_;
  std::unordered_map<int64_t, std::shared_ptr<Connection>> sessions_;

 private:
  void accept();
};

// One client connection. Socket operations run on the io thread; frames are handled on the
// worker pool through a per-connection strand (in order); enqueue()/close() may be called from
// any thread.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class Why { Normal, Protocol, Slow };

  Connection(Endpoint::Impl& ep, tcp::socket socket, uint64_t id)
      : ep_(ep), socket_(std::move(socket)), strand_(asio::make_strand(ep.pool_.get_executor())), id_(id) {
    std::error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    peer_ = ec ? std::string("?") : remote.address().to_string() + ":" + std::to_string(remote.port());
    socket_.set_option(tcp::no_delay(true), ec);
  }

  std::string name() const { return "connection #" + std::to_string(id_) + " from " + peer_; }

  void start() { read_header(); }

  // Queues a whole frame for sending. False when the connection is closed, or is being closed
  // now because the frame would overflow its output buffer.
  bool enqueue(std::string frame) {
    std::unique_lock lock(out_mu_);
    if (closed_) return false;
    if (out_bytes_ > 0 && out_bytes_ + frame.size() > ep_.options_.max_output_bytes) {
      size_t held = out_bytes_;
      lock.unlock();
      close("client is not reading: " + std::to_string(held) + " bytes unsent, the limit is " +
                std::to_string(ep_.options_.max_output_bytes),
            Why::Slow);
      return false;
    }
    out_bytes_ += frame.size();
    out_.push_back(std::move(frame));
    if (!writing_) {
      writing_ = true;
      asio::post(ep_.io_, [self = shared_from_this()] { self->write_some(); });
    }
    return true;
  }

  // Closes the connection (once); the reason is logged unless it is a normal disconnect and
  // connection logging is off.
  void close(const std::string& reason, Why why) {
    {
      std::lock_guard lock(out_mu_);
      if (closed_) return;
      closed_ = true;
      out_.clear();
    }
    if (why == Why::Protocol) ++ep_.closed_protocol_;
    if (why == Why::Slow) ++ep_.closed_slow_;
    if (why != Why::Normal || ep_.options_.log_connections) ep_.log(name() + " closed: " + reason);
    ep_.forget(shared_from_this());
    asio::post(ep_.io_, [self = shared_from_this()] {
      std::error_code ec;
      self->socket_.shutdown(tcp::socket::shutdown_both, ec);
      self->socket_.close(ec);
    });
  }

  bool closed() {
    std::lock_guard lock(out_mu_);
    return closed_;
  }

  // Liveness: called before a ping is sent. False when an earlier ping has gone unanswered for
  // longer than `grace` (nothing at all came from the client since it was sent); otherwise the
  // ping may go, and it is noted if it is the first one since the client was last heard from.
  // Only unanswered pings count: an idle client pinged rarely (a slow heartbeat pass over many
  // sessions) is not "silent".
  bool ping_allowed(std::chrono::milliseconds grace) {
    int64_t now = steady_ms();
    int64_t since = unanswered_since_ms_.load();
    if (since == 0) {
      unanswered_since_ms_.compare_exchange_strong(since, now);
      return true;
    }
    return now - since <= grace.count();
  }
  int64_t unanswered_for_ms() const {
    int64_t since = unanswered_since_ms_.load();
    return since == 0 ? 0 : steady_ms() - since;
  }

 private:
  void read_header() {
    asio::async_read(socket_, asio::buffer(header_), [self = shared_from_this()](std::error_code ec, size_t) {
      if (ec) return self->on_read_error(ec);
      uint32_t n = wire::body_length(self->header_);
      if (n > self->ep_.options_.max_frame_bytes) {
        return self->close("frame of " + std::to_string(n) + " bytes exceeds the limit of " +
                               std::to_string(self->ep_.options_.max_frame_bytes) + " bytes",
                           Why::Protocol);
      }
      self->read_body(n);
    });
  }

  void read_body(uint32_t n) {
    body_.resize(n);
    asio::async_read(socket_, asio::buffer(body_), [self = shared_from_this()](std::error_code ec, size_t) {
      if (ec) return self->on_read_error(ec);
      self->dispatch();
    });
  }

  void on_read_error(const std::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;  // we closed it
    close(ec == asio::error::eof ? std::string("client disconnected") : "read failed: " + ec.message(), Why::Normal);
  }

  void dispatch() {
    unanswered_since_ms_ = 0;  // the client is alive: every earlier ping counts as answered
    auto frame = wire::decode_body(body_);
    if (!frame.ok()) return close(frame.status().message(), Why::Protocol);
    if (!wire::is_request(frame->kind))
      return close("malformed frame: kind " + std::to_string(static_cast<int>(frame->kind)) +
                       " is not a request",
                   Why::Protocol);
    ++pending_;
    asio::post(strand_, [self = shared_from_this(), f = std::move(*frame)]() mutable {
      self->handle(std::move(f));
      size_t left = --self->pending_;
      if (left + 1 == self->ep_.options_.max_pending_frames)
        asio::post(self->ep_.io_, [self] { self->resume(); });
    });
    if (pending_ >= ep_.options_.max_pending_frames)
      paused_ = true;  // resume() continues reading once the strand catches up
    else
      read_header();
  }

  void resume() {
    if (!paused_ || closed()) return;
    paused_ = false;
    read_header();
  }

  // Runs on the strand.
  void handle(wire::Frame f) {
    if (closed()) return;
    ++ep_.frames_;
    switch (f.kind) {
      case wire::Kind::Attach:
        ep_.attach(f.session, shared_from_this());
        enqueue(wire::result_frame(f.id, Status::OK()));
        break;
      case wire::Kind::Detach:
        ep_.detach(f.session, this);
        enqueue(wire::result_frame(f.id, Status::OK()));
        break;
      case wire::Kind::Submit: {
        auto request = decode_client_request(f.payload);
        if (!request.ok()) return close("undecodable request: " + request.status().to_string(), Why::Protocol);
        auto sent = ep_.queue_.send(std::to_string(request->session_id),
                                    request_id(request->session_id, request->seq), f.payload);
        enqueue(wire::result_frame(f.id, sent.status()));
        break;
      }
      case wire::Kind::Pong:
        break;  // liveness only (dispatch() cleared the unanswered ping)
      case wire::Kind::Read: {
        auto object = ep_.user_.get(f.path);
        enqueue(object.ok() ? wire::read_result_frame(f.id, Status::OK(), *object)
                            : wire::read_result_frame(f.id, object.status(), std::nullopt));
        break;
      }
      default:
        break;  // dispatch() lets only requests through
    }
  }

  // Io thread: writes everything queued so far in one gathered write.
  void write_some() {
    {
      std::lock_guard lock(out_mu_);
      if (closed_ || out_.empty()) {
        writing_ = false;
        return;
      }
      writing_bufs_.assign(std::make_move_iterator(out_.begin()), std::make_move_iterator(out_.end()));
      out_.clear();
    }
    std::vector<asio::const_buffer> bufs;
    bufs.reserve(writing_bufs_.size());
    for (const auto& b : writing_bufs_) bufs.push_back(asio::buffer(b));
    asio::async_write(socket_, bufs, [self = shared_from_this()](std::error_code ec, size_t n) {
      self->writing_bufs_.clear();
      {
        std::lock_guard lock(self->out_mu_);
        self->out_bytes_ -= std::min(self->out_bytes_, n);
      }
      if (ec) {
        if (ec != asio::error::operation_aborted) self->close("write failed: " + ec.message(), Why::Normal);
        return;
      }
      self->write_some();
    });
  }

  Endpoint::Impl& ep_;
  tcp::socket socket_;
  asio::strand<asio::thread_pool::executor_type> strand_;
  const uint64_t id_;
  std::string peer_;
  static int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  // When the oldest ping sent since the client last sent anything went out; 0: none pending.
  std::atomic<int64_t> unanswered_since_ms_{0};

  char header_[wire::kHeaderBytes] = {};
  std::string body_;
  bool paused_ = false;  // io thread only
  std::atomic<size_t> pending_{0};

  std::mutex out_mu_;
  std::deque<std::string> out_;
  size_t out_bytes_ = 0;  // queued + being written
  bool writing_ = false;
  bool closed_ = false;
  std::vector<std::string> writing_bufs_;  // io thread only
};

Status Endpoint::Impl::start() {
  if (started_ || stopping_) return Status(Error::SystemError, "the endpoint was already started");
  std::error_code ec;
  auto ip = asio::ip::make_address(options_.host, ec);
  if (ec) return Status(Error::BadArguments, "cannot listen on \"" + options_.host + "\": " + ec.message());
  tcp::endpoint where(ip, options_.port);
  acceptor_ = std::make_unique<tcp::acceptor>(io_);
  acceptor_->open(where.protocol(), ec);
  if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_->bind(where, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(Error::SystemError, "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                                          ": " + ec.message());
  }
  address_ = {options_.host, acceptor_->local_endpoint().port()};
  guard_.emplace(io_.get_executor());
  accept();
  io_thread_ = std::thread([this] { io_.run(); });
  started_ = true;
  return Status::OK();
}

void Endpoint::Impl::accept() {
  acceptor_->async_accept([this](std::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping_) return;
    if (!ec) {
      auto c = std::make_shared<Connection>(*this, std::move(socket), ++accepted_);
      {
        std::lock_guard lock(mu_);
        connections_.insert(c);
      }
      if (options_.log_connections) log(c->name() + " accepted");
      c->start();
    } else {
      log("accept failed: " + ec.message());
    }
    accept();
  });
}

void Endpoint::Impl::stop() {
  if (!started_ || stopping_.exchange(true)) return;
  std::promise<void> closed;
  asio::post(io_, [this, &closed] {
    std::error_code ec;
    acceptor_->close(ec);
    std::set<std::shared_ptr<Connection>> all;
    {
      std::lock_guard lock(mu_);
      all = connections_;
    }
    for (auto& c : all) c->close("the deployment is stopping", Connection::Why::Normal);
    closed.set_value();
  });
  closed.get_future().wait();
  pool_.join();  // frames being handled finish; their answers go nowhere
  guard_.reset();
  io_thread_.join();  // returns once the closes and aborted operations have run
  std::lock_guard lock(mu_);
  connections_.clear();
  sessions_.clear();
}

void Endpoint::Impl::attach(int64_t session, const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mu_);
  if (c->closed()) return;
  sessions_[session] = c;
}

void Endpoint::Impl::detach(int64_t session, const Connection* c) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(session);
  if (it != sessions_.end() && it->second.get() == c) sessions_.erase(it);
}

void Endpoint::Impl::forget(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mu_);
  connections_.erase(c);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second == c)
      it = sessions_.erase(it);
    else
      ++it;
  }
}

Status Endpoint::Impl::send(int64_t session_id, const std::string& message) {
  std::shared_ptr<Connection> c;
  if (!stopping_) {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(session_id);
    if (it != sessions_.end()) c = it->second;
  }
  if (c && options_.liveness_grace.count() > 0 && is_ping(message) && !c->ping_allowed(options_.liveness_grace))
    return Status(Error::ConnectionLoss, "the client of session " + std::to_string(session_id) +
                                             " has not answered a ping for " + std::to_string(c->unanswered_for_ms()) + " ms");
  if (c && c->enqueue(wire::push_frame(session_id, message))) return Status::OK();
  return Status(Error::ConnectionLoss, "session " + std::to_string(session_id) + " has no connected client");
}

// ---- public surface ----------------------------------------------------------------------------

Endpoint::Endpoint(Queue& writer_queue, UserStore& user_store, EndpointOptions options)
    : impl_(std::make_unique<Impl>(writer_queue, user_store, std::move(options))) {}
Endpoint::~Endpoint() { impl_->stop(); }
Status Endpoint::start() { return impl_->start(); }
wire::Address Endpoint::address() const { return impl_->address_; }
void Endpoint::stop() { impl_->stop(); }
Status Endpoint::send(int64_t session_id, const std::string& message) { return impl_->send(session_id, message); }

EndpointStats Endpoint::stats() const {
  return {impl_->accepted_.load(), impl_->closed_protocol_.load(), impl_->closed_slow_.load(), impl_->frames_.load()};
}

size_t Endpoint::connections() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->connections_.size();
}

}  // namespace faaskeeper
