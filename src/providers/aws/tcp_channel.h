// The AWS ClientChannel: functions reach a client over TCP, to a listener the client opens.
//
//   client:  ChannelListener::start()  (TCP on listen_host:port)
//            secret = random_channel_secret()                 32 random bytes, per session
//            register_channel(store, session, "host:port", secret)   written into the session
//                item "s:<session>" (attributes chan_addr, chan_key) BEFORE OpenSession is sent
//   function: TcpClientChannel::send(session, message)
//            reads chan_addr/chan_key from the session item (cached per instance), connects,
//            writes one frame, waits for the client's 1-byte ack.
//
// Frame (integers big-endian):
//   u32 length of the rest | u8 version (1) | i64 session | i64 sent_ms | 16-byte nonce |
//   32-byte HMAC-SHA256(secret, version | session | sent_ms | nonce | message) | message
// The client verifies the MAC with the secret of the session the frame names (constant-time
// compare), rejects frames whose sent_ms is more than max_skew away from its clock, and drops a
// frame whose nonce it has already accepted (a replay, or the sender's retry) while still
// acking it. A frame that fails verification is not acked and its connection is closed, so the
// sender sees ConnectionLoss and nobody without the secret can inject replies or events.
//
// Delivery is at-least-once per send(); the nonce makes a retried frame idempotent. Order: one
// sender (a function instance) delivers its frames to a session in send order (one connection,
// one frame in flight); frames from different instances are not ordered against each other,
// exactly as with the other providers' channels.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "providers/client_channel.h"
#include "providers/system_store.h"

namespace faaskeeper::aws {

inline const std::string kChannelAddrAttr = "chan_addr";  // "host:port"
inline const std::string kChannelKeyAttr = "chan_key";    // the per-session HMAC key
// The session item's key; must equal schema::session_key() (checked by the bootstrap tests).
std::string channel_session_key(int64_t session_id);

inline constexpr size_t kChannelSecretSize = 32;
inline constexpr size_t kChannelNonceSize = 16;
inline constexpr size_t kChannelMacSize = 32;
inline constexpr uint8_t kChannelFrameVersion = 1;

// 32 bytes from OpenSSL's CSPRNG.
std::string random_channel_secret();

// Builds a complete frame (length prefix included). `nonce` empty: a random one.
std::string encode_channel_frame(int64_t session_id, int64_t sent_ms, const std::string& secret,
                                 const std::string& message, std::string nonce = "");

struct ChannelFrame {
  int64_t session_id = 0;
  int64_t sent_ms = 0;
  std::string nonce;
  std::string mac;
  std::string message;
};
// Parses a frame body (after the length prefix). MarshallingError when malformed.
Result<ChannelFrame> parse_channel_frame(std::string_view body);
// Whether `frame`'s MAC is the HMAC of its contents under `secret` (constant time).
bool verify_channel_frame(const ChannelFrame& frame, const std::string& secret);

// Writes chan_addr / chan_key into the session item, on condition that the session is not
// opened yet (no "st") or was registered with the same secret (a re-registration after the
// listener moved). AuthFailed when the session belongs to someone else.
Status register_channel(SystemStore& store, int64_t session_id, const std::string& address,
                        const std::string& secret);

// ---- client side ---------------------------------------------------------------------------

struct ChannelListenerOptions {
  std::string listen_host = "127.0.0.1";  // "0.0.0.0" to accept functions from the cloud
  uint16_t port = 0;                      // 0: any free port
  std::chrono::milliseconds max_skew{5 * 60 * 1000};
  size_t max_frame = 16 << 20;
  std::function<int64_t()> now_ms;  // default: system clock
};

class ChannelListener {
 public:
  using Receiver = std::function<void(int64_t session_id, const std::string& message)>;
  struct Stats {
    uint64_t accepted = 0, duplicates = 0, rejected = 0;
  };

  // Binds and starts the accept/read thread. `receiver` is called on that thread, in the order
  // the frames of one connection arrive.
  static Result<std::unique_ptr<ChannelListener>> start(ChannelListenerOptions options, Receiver receiver);
  ~ChannelListener();  // stops; the receiver is not called afterwards

  uint16_t port() const;
  void add_session(int64_t session_id, std::string secret);
  void remove_session(int64_t session_id);
  Stats stats() const;

  class Impl;

 private:
  explicit ChannelListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- function side -------------------------------------------------------------------------

struct TcpChannelOptions {
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds io_timeout{2000};  // write + ack
  std::function<int64_t()> now_ms;             // default: system clock
};

class TcpClientChannel final : public ClientChannel {
 public:
  TcpClientChannel(SystemStore* store, TcpChannelOptions options = {});
  ~TcpClientChannel() override;

  // ConnectionLoss when the session has no registered channel, its client does not answer,
  // or the client refuses the frame.
  Status send(int64_t session_id, const std::string& message) override;

 private:
  struct Peer {
    std::string address, secret;
    int fd = -1;
  };
  Result<Peer*> peer(int64_t session_id, bool refresh);
  Status deliver(Peer& p, const std::string& frame);
  void close_peer(Peer& p);

  SystemStore* store_;
  TcpChannelOptions options_;
  std::mutex mu_;
  std::map<int64_t, Peer> peers_;
};

}  // namespace faaskeeper::aws
