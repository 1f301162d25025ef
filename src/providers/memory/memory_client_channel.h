// MemoryClientChannel: an in-process ClientChannel (see providers/client_channel.h) that hands
// each message to a callback registered for the session.
//
// Per-session order: deliveries to one session are serialised (a per-session mutex is held
// while its callback runs), so messages sent one after another arrive in that order and a
// callback never runs concurrently with itself. Callbacks of different sessions run in
// parallel. A callback may call register_session/unregister_session (also for its own session).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "providers/client_channel.h"

namespace faaskeeper {

class MemoryClientChannel final : public ClientChannel {
 public:
  using Callback = std::function<void(const std::string& message)>;

  // Routes messages for `session_id` to `callback` (replacing any earlier registration).
  void register_session(int64_t session_id, Callback callback);
  // After this returns, the session's callback is not running and is never called again;
  // send() to it returns ConnectionLoss. Unknown sessions are ignored.
  void unregister_session(int64_t session_id);
  bool is_registered(int64_t session_id) const;

  // ConnectionLoss when the session is not registered (the message is dropped).
  Status send(int64_t session_id, const std::string& message) override;

 private:
  struct Session {
    std::recursive_mutex mu;  // held while the callback runs; recursive for re-entrant calls
    Callback callback;
    bool closed = false;
  };
  mutable std::mutex mu_;
  std::unordered_map<int64_t, std::shared_ptr<Session>> sessions_;
};

}  // namespace faaskeeper
