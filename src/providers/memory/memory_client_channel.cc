#include "providers/memory/memory_client_channel.h"

namespace faaskeeper {

void MemoryClientChannel::register_session(int64_t session_id, Callback callback) {
  auto s = std::make_shared<Session>();
  s->callback = std::move(callback);
  std::shared_ptr<Session> old;
  {
    std::lock_guard lock(mu_);
    auto& slot = sessions_[session_id];
    old = std::move(slot);
    slot = std::move(s);
  }
  if (old) {
    std::lock_guard lock(old->mu);
    old->closed = true;
  }
}

void MemoryClientChannel::unregister_session(int64_t session_id) {
  std::shared_ptr<Session> s;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(session_id);
    if (it == sessions_.end()) return;
    s = std::move(it->second);
    sessions_.erase(it);
  }
  std::lock_guard lock(s->mu);  // waits for a running delivery (unless it is this thread's)
  s->closed = true;
}

bool MemoryClientChannel::is_registered(int64_t session_id) const {
  std::lock_guard lock(mu_);
  return sessions_.count(session_id) != 0;
}

Status MemoryClientChannel::send(int64_t session_id, const std::string& message) {
  std::shared_ptr<Session> s;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(session_id);
    if (it != sessions_.end()) s = it->second;
  }
  if (s) {
    std::lock_guard lock(s->mu);
    if (!s->closed) {
      s->callback(message);
      return Status::OK();
    }
  }
  return Status(Error::ConnectionLoss, "session " + std::to_string(session_id) + " has no connected client");
}

}  // namespace faaskeeper
