// Endpoint: the local deployment's client endpoint, a TCP server speaking the frames of
// endpoint/wire.h, and the ClientChannel the functions use to reach client sessions.
//
// What it does with a client's frames:
//   Attach  -> the session's server messages go to this connection from now on (a session lives
//              on at most one connection; attaching elsewhere moves it)
//   Detach  -> stops that, if the session is on this connection
//   Submit  -> the ClientRequest is sent to the writer queue (group = session, dedup id =
//              request_id(session, seq)); the Result answers once the queue has it durably
//   Read    -> the node object from the user store (for clients that cannot read DIR)
//
// Guarantees:
// - Frames of one connection are handled one after another, in arrival order (so a session's
//   submits enter the writer queue in the order the client sent them); different connections
//   are served in parallel on a worker pool (so concurrent queue writes share commits).
// - send() (ClientChannel) queues the message on the session's current connection and returns
//   at once; messages sent to one session one after another arrive in that order. It returns
//   ConnectionLoss when the session has no connection.
// - Each connection's unsent output is bounded (EndpointOptions::max_output_bytes): a client
//   that stops reading is disconnected when it would be exceeded; nobody else is affected.
// - A frame over max_frame_bytes, a malformed frame or a request that does not decode closes
//   that connection only, with the reason logged.
#pragma once

#include <cstdint>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "endpoint/wire.h"
#include "providers/client_channel.h"
#include "providers/queue.h"
#include "providers/user_store.h"

namespace faaskeeper {

struct EndpointOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port (see Endpoint::address())
  size_t max_frame_bytes = wire::kMaxRequestBody;
  size_t max_output_bytes = size_t(16) << 20;  // per connection
  size_t max_pending_frames = 64;              // per connection; reading pauses beyond it
  int worker_threads = 8;                      // blocking queue sends and user-store reads
  bool log_connections = false;                // also log normal connects and disconnects
  // Liveness: a Ping to a session fails with ConnectionLoss when an earlier ping on its connection
  // has gone unanswered (nothing at all received: no request, no pong) for longer than this, so
  // the heartbeat stops counting a frozen client as alive. 0: pings succeed while the connection
  // is open.
  std::chrono::milliseconds liveness_grace{0};
  // Where log lines go; nullptr: stderr with a timestamp.
  std::function<void(const std::string&)> log;
};

struct EndpointStats {
  uint64_t accepted = 0;         // connections accepted
  uint64_t closed_protocol = 0;  // closed for an oversized or malformed frame
  uint64_t closed_slow = 0;      // closed because the output buffer was full
  uint64_t frames = 0;           // request frames handled
};

class Endpoint final : public ClientChannel {
 public:
  // `writer_queue` and `user_store` must outlive the endpoint (or at least stop()).
  Endpoint(Queue& writer_queue, UserStore& user_store, EndpointOptions options = {});
  ~Endpoint() override;  // stop()
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  // Binds and starts serving. SystemError naming the address when it cannot bind.
  Status start();
  // The bound address (the real port when options.port was 0). Valid after start().
  wire::Address address() const;
  // Stops accepting, closes every connection and waits for frames being handled. Idempotent.
  // After it returns send() answers ConnectionLoss and the queue/store are no longer touched.
  void stop();

  Status send(int64_t session_id, const std::string& message) override;

  EndpointStats stats() const;
  size_t connections() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace faaskeeper
