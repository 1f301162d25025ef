#include "providers/aws/tcp_channel.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace faaskeeper::aws {

namespace {

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void put_u32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& s, uint64_t v) {
  for (int i = 7; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_u64(std::string_view s) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}
uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

constexpr size_t kHeader = 1 + 8 + 8 + kChannelNonceSize;  // before the MAC

std::string mac_of(const std::string& secret, std::string_view header, std::string_view message) {
  std::string data;
  data.reserve(header.size() + message.size());
  data.append(header);
  data.append(message);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string header_of(int64_t session, int64_t sent_ms, const std::string& nonce) {
  std::string h;
  h.push_back(static_cast<char>(kChannelFrameVersion));
  put_u64(h, static_cast<uint64_t>(session));
  put_u64(h, static_cast<uint64_t>(sent_ms));
  h += nonce;
  return h;
}

Result<std::pair<std::string, uint16_t>> split_address(const std::string& a) {
  auto colon = a.rfind(':');
  if (colon == std::string::npos || colon == 0) return Status(Error::BadArguments, "channel address not host:port: " + a);
  std::string host = a.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(a.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port <= 0 || port > 65535) return Status(Error::BadArguments, "bad port in channel address " + a);
  return std::make_pair(host, static_cast<uint16_t>(port));
}

bool wait_fd(int fd, short events, int64_t deadline_ms_steady) {
  for (;;) {
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count();
    int left = static_cast<int>(std::max<int64_t>(0, deadline_ms_steady - now));
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, left);
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string channel_session_key(int64_t session_id) { return "s:" + std::to_string(session_id); }

std::string random_channel_secret() {
  std::string s(kChannelSecretSize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(s.size())) != 1) std::abort();
  return s;
}

std::string encode_channel_frame(int64_t session_id, int64_t sent_ms, const std::string& secret,
                                 const std::string& message, std::string nonce) {
  if (nonce.size() != kChannelNonceSize) {
    nonce.assign(kChannelNonceSize, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), static_cast<int>(nonce.size())) != 1) std::abort();
  }
  std::string header = header_of(session_id, sent_ms, nonce);
  std::string mac = mac_of(secret, header, message);
  std::string frame;
  frame.reserve(4 + header.size() + mac.size() + message.size());
  put_u32(frame, static_cast<uint32_t>(header.size() + mac.size() + message.size()));
  frame += header;
  frame += mac;
  frame += message;
  return frame;
}

Result<ChannelFrame> parse_channel_frame(std::string_view body) {
  if (body.size() < kHeader + kChannelMacSize) return Status(Error::MarshallingError, "channel frame too short");
  if (static_cast<uint8_t>(body[0]) != kChannelFrameVersion)
    return Status(Error::MarshallingError, "unknown channel frame version");
  ChannelFrame f;
  f.session_id = static_cast<int64_t>(get_u64(body.substr(1)));
  f.sent_ms = static_cast<int64_t>(get_u64(body.substr(9)));
  f.nonce = std::string(body.substr(17, kChannelNonceSize));
  f.mac = std::string(body.substr(kHeader, kChannelMacSize));
  f.message = std::string(body.substr(kHeader + kChannelMacSize));
  return f;
}

bool verify_channel_frame(const ChannelFrame& f, const std::string& secret) {
  if (secret.empty() || f.mac.size() != kChannelMacSize) return false;
  std::string expect = mac_of(secret, header_of(f.session_id, f.sent_ms, f.nonce), f.message);
  return CRYPTO_memcmp(expect.data(), f.mac.data(), kChannelMacSize) == 0;
}

Status register_channel(SystemStore& store, int64_t session_id, const std::string& address,
                        const std::string& secret) {
  UpdateOp op;
  op.key = channel_session_key(session_id);
  op.condition = Condition::all({Predicate::not_exists("st")}).or_all({Predicate::eq(kChannelKeyAttr, secret)});
  op.actions = {Action::set(kChannelAddrAttr, address), Action::set(kChannelKeyAttr, secret)};
  auto r = store.update(op);
  if (!r.ok()) return r.status();
  if (!r->applied) return Status(Error::AuthFailed, "session " + std::to_string(session_id) + " is registered by another client");
  return Status::OK();
}

// ---- ChannelListener ------------------------------------------------------------------------

class ChannelListener::Impl {
 public:
  ChannelListenerOptions options;
  Receiver receiver;
  int listen_fd = -1;
  int wake[2] = {-1, -1};
  uint16_t port = 0;
  std::thread thread;
  std::atomic<bool> stopping{false};
  mutable std::mutex mu;
  std::map<int64_t, std::string> secrets;
  std::map<std::string, int64_t> seen;  // accepted nonces -> sent_ms
  Stats stats;

  struct Conn {
    int fd;
    std::string buf;
  };
  std::vector<Conn> conns;

  ~Impl() {
    stopping = true;
    if (wake[1] >= 0) {
      char c = 0;
      (void)!::write(wake[1], &c, 1);
    }
    if (thread.joinable()) thread.join();
    for (auto& c : conns) ::close(c.fd);
    if (listen_fd >= 0) ::close(listen_fd);
    if (wake[0] >= 0) ::close(wake[0]);
    if (wake[1] >= 0) ::close(wake[1]);
  }

  int64_t now() const { return options.now_ms ? options.now_ms() : system_now_ms(); }

  // Returns false when the connection must be closed (bad frame).
  bool handle_frame(int fd, std::string_view body) {
    auto f = parse_channel_frame(body);
    std::string secret;
    bool ok = f.ok();
    bool duplicate = false;
    if (ok) {
      std::lock_guard lock(mu);
      auto it = secrets.find(f->session_id);
      ok = it != secrets.end() && verify_channel_frame(*f, it->second);
      int64_t t = now();
      if (ok && (f->sent_ms > t + options.max_skew.count() || f->sent_ms < t - options.max_skew.count())) ok = false;
      if (ok) {
        // Forget nonces that the skew check would refuse anyway.
        for (auto s = seen.begin(); s != seen.end();)
          s = s->second < t - options.max_skew.count() ? seen.erase(s) : std::next(s);
        duplicate = !seen.emplace(f->nonce, f->sent_ms).second;
        if (duplicate)
          ++stats.duplicates;
        else
          ++stats.accepted;
      } else {
        ++stats.rejected;
      }
    } else {
      std::lock_guard lock(mu);
      ++stats.rejected;
    }
    if (!ok) return false;
    if (!duplicate && receiver) receiver(f->session_id, f->message);
    char ack = 1;
    return ::send(fd, &ack, 1, MSG_NOSIGNAL) == 1;
  }

  // Processes complete frames in c.buf; false: close the connection.
  bool drain(Conn& c) {
    size_t off = 0;
    bool keep = true;
    while (keep && c.buf.size() - off >= 4) {
      uint32_t len = get_u32(c.buf.data() + off);
      if (len > options.max_frame) {
        std::lock_guard lock(mu);
        ++stats.rejected;
        return false;
      }
      if (c.buf.size() - off - 4 < len) break;
      keep = handle_frame(c.fd, std::string_view(c.buf).substr(off + 4, len));
      off += 4 + len;
    }
    c.buf.erase(0, off);
    return keep;
  }

  void loop() {
    while (!stopping) {
      std::vector<pollfd> fds;
      fds.push_back({wake[0], POLLIN, 0});
      fds.push_back({listen_fd, POLLIN, 0});
      for (auto& c : conns) fds.push_back({c.fd, POLLIN, 0});
      int r = ::poll(fds.data(), fds.size(), -1);
      if (r < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (stopping) return;
      if (fds[1].revents & POLLIN) {
        int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
          int one = 1;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conns.push_back({fd, {}});
        }
      }
      std::vector<int> dead;
      for (size_t i = 2; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        Conn* c = nullptr;
        for (auto& x : conns)
          if (x.fd == fds[i].fd) c = &x;
        if (!c) continue;
        char buf[65536];
        ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
        if (n <= 0) {
          if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
          dead.push_back(c->fd);
          continue;
        }
        c->buf.append(buf, static_cast<size_t>(n));
        if (!drain(*c)) dead.push_back(c->fd);
      }
      for (int fd : dead) {
        ::close(fd);
        std::erase_if(conns, [fd](const Conn& c) { return c.fd == fd; });
      }
    }
  }
};

ChannelListener::ChannelListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChannelListener::~ChannelListener() = default;

Result<std::unique_ptr<ChannelListener>> ChannelListener::start(ChannelListenerOptions options, Receiver receiver) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->receiver = std::move(receiver);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  addrinfo* res = nullptr;
  std::string port = std::to_string(impl->options.port);
  if (int e = getaddrinfo(impl->options.listen_host.c_str(), port.c_str(), &hints, &res); e != 0)
    return Status(Error::BadArguments, "channel listen address " + impl->options.listen_host + ": " + gai_strerror(e));
  int fd = ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bool ok = fd >= 0 && ::bind(fd, res->ai_addr, res->ai_addrlen) == 0 && ::listen(fd, 128) == 0;
  freeaddrinfo(res);
  if (!ok) {
    std::string err = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return Status(Error::SystemError, "channel listener: " + err);
  }
  impl->listen_fd = fd;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  impl->port = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                              : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (::pipe2(impl->wake, O_CLOEXEC) != 0) return Status(Error::SystemError, "channel listener: pipe");
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->loop(); });
  return std::unique_ptr<ChannelListener>(new ChannelListener(std::move(impl)));
}

uint16_t ChannelListener::port() const { return impl_->port; }

void ChannelListener::add_session(int64_t session_id, std::string secret) {
  std::lock_guard lock(impl_->mu);
  impl_->secrets[session_id] = std::move(secret);
}

void ChannelListener::remove_session(int64_t session_id) {
  std::lock_guard lock(impl_->mu);
  impl_->secrets.erase(session_id);
}

ChannelListener::Stats ChannelListener::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

// ---- TcpClientChannel -----------------------------------------------------------------------

TcpClientChannel::TcpClientChannel(SystemStore* store, TcpChannelOptions options)
    : store_(store), options_(std::move(options)) {}

TcpClientChannel::~TcpClientChannel() {
  for (auto& [id, p] : peers_) close_peer(p);
}

void TcpClientChannel::close_peer(Peer& p) {
  if (p.fd >= 0) ::close(p.fd);
  p.fd = -1;
}

Result<TcpClientChannel::Peer*> TcpClientChannel::peer(int64_t session_id, bool refresh) {
  auto it = peers_.find(session_id);
  if (it != peers_.end() && !refresh) return &it->second;
  auto item = store_->get(channel_session_key(session_id));
  if (!item.ok()) return Status(Error::ConnectionLoss, "channel lookup: " + item.status().to_string());
  auto addr = *item ? get_bytes(**item, kChannelAddrAttr) : std::nullopt;
  auto key = *item ? get_bytes(**item, kChannelKeyAttr) : std::nullopt;
  if (!addr || !key) return Status(Error::ConnectionLoss, "session " + std::to_string(session_id) + " has no channel");
  Peer& p = peers_[session_id];
  if (p.address != *addr || p.secret != *key) {
    close_peer(p);
    p.address = *addr;
    p.secret = *key;
  }
  return &p;
}

Status TcpClientChannel::deliver(Peer& p, const std::string& frame) {
  int64_t deadline = steady_ms() + options_.connect_timeout.count();
  if (p.fd < 0) {
    auto hp = split_address(p.address);
    if (!hp.ok()) return Status(Error::ConnectionLoss, hp.status().message());
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(hp->first.c_str(), std::to_string(hp->second).c_str(), &hints, &res) != 0 || !res)
      return Status(Error::ConnectionLoss, "cannot resolve channel address " + p.address);
    int fd = ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int rc = fd < 0 ? -1 : ::connect(fd, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if (fd < 0) return Status(Error::ConnectionLoss, "socket failed");
    if (rc != 0 && errno != EINPROGRESS) {
      ::close(fd);
      return Status(Error::ConnectionLoss, "connect " + p.address + ": " + std::strerror(errno));
    }
    if (rc != 0) {
      int err = 0;
      socklen_t len = sizeof err;
      if (!wait_fd(fd, POLLOUT, deadline) || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        ::close(fd);
        return Status(Error::ConnectionLoss, "connect " + p.address + ": " + (err ? std::strerror(err) : "timed out"));
      }
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    p.fd = fd;
  }
  deadline = steady_ms() + options_.io_timeout.count();
  size_t off = 0;
  while (off < frame.size()) {
    ssize_t n = ::send(p.fd, frame.data() + off, frame.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (wait_fd(p.fd, POLLOUT, deadline)) continue;
    }
    close_peer(p);
    return Status(Error::ConnectionLoss, "channel write to " + p.address + " failed");
  }
  for (;;) {
    if (!wait_fd(p.fd, POLLIN, deadline)) break;
    char ack = 0;
    ssize_t n = ::recv(p.fd, &ack, 1, 0);
    if (n == 1 && ack == 1) return Status::OK();
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    break;
  }
  close_peer(p);
  return Status(Error::ConnectionLoss, "client at " + p.address + " did not acknowledge the frame");
}

Status TcpClientChannel::send(int64_t session_id, const std::string& message) {
  std::lock_guard lock(mu_);
  auto p = peer(session_id, false);
  if (!p.ok()) return p.status();
  int64_t now = options_.now_ms ? options_.now_ms() : system_now_ms();
  std::string frame = encode_channel_frame(session_id, now, (*p)->secret, message);
  bool was_cached = (*p)->fd >= 0;
  std::string old_secret = (*p)->secret;
  Status s = deliver(**p, frame);
  if (s.ok() || !was_cached) return s;
  // A cached connection may have died while the instance was frozen, or the client may have
  // moved its listener: look the channel up again and retry once. The nonce makes a retry of
  // a frame the client did process harmless.
  auto q = peer(session_id, true);
  if (!q.ok()) return q.status();
  if ((*q)->secret != old_secret) frame = encode_channel_frame(session_id, now, (*q)->secret, message);
  return deliver(**q, frame);
}

}  // namespace faaskeeper::aws
