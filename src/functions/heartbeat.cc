#include "functions/heartbeat.h"

#include <algorithm>

#include "functions/reaper.h"
#include "functions/schema.h"
#include "protocol/messages.h"

namespace faaskeeper {

using namespace schema::attr;

// Writes the touches in transactions. A transaction fails as a whole when one of its sessions
// was closed meanwhile (its condition): that chunk is then written one by one. A touch that
// fails is harmless: the session is judged on the next pass.
void Heartbeat::touch_all(const std::vector<TxnOp>& touches) {
  const size_t chunk = std::max<size_t>(1, env_.system->max_transaction_items());
  for (size_t i = 0; i < touches.size(); i += chunk) {
    std::vector<TxnOp> part(touches.begin() + static_cast<std::ptrdiff_t>(i),
                            touches.begin() + static_cast<std::ptrdiff_t>(std::min(touches.size(), i + chunk)));
    auto done = part.size() > 1 ? env_.system->transact(part) : Result<TxnOutcome>(Status(Error::SystemError, ""));
    if (done.ok() && done->committed) continue;
    for (const auto& op : part) env_.system->update(std::get<UpdateOp>(op));
  }
}

Result<HeartbeatReport> Heartbeat::run() {
  auto sessions = env_.system->scan(schema::kSessionPrefix);
  if (!sessions.ok()) return sessions.status();
  HeartbeatReport report;
  // Sessions that answered, touched at the end in transactions of up to the store's item limit
  // (one write per session made a pass over 10,000 sessions take longer than their timeouts).
  std::vector<TxnOp> touches;
  for (const auto& [key, item] : *sessions) {
    auto s = schema::parse_session(item);
    if (!s || s->state != schema::SessionState::Alive) continue;
    int64_t id = std::stoll(key.substr(schema::kSessionPrefix.size()));
    if (id == kSystemSessionId) continue;  // the deployment's own session has no client
    int64_t now = env_.clock->now_ms();
    if (env_.channel->send(id, encode(ServerMessage{Ping{now}})).ok()) {
      ++report.alive;
      touches.push_back(UpdateOp{key, Condition::all({Predicate::eq(kState, static_cast<int64_t>(schema::SessionState::Alive))}),
                                 {Action::set(kAlive, now)}});
      continue;
    }
    if (now - s->alive_ms <= s->timeout_ms) continue;
    // Expire through the writer path, in the session's own group: ordered after its requests.
    ClientRequest close{id, kExpirySeq, CloseSessionRequest{true}};
    auto sent = env_.writer_queue->send(std::to_string(id), request_id(id, kExpirySeq), encode(close));
    if (!sent.ok()) return sent.status();
    ++report.expired;
  }
  touch_all(touches);
  auto reaped = Reaper(env_).run();
  if (!reaped.ok()) return reaped.status();
  report.reaped = reaped->queued;
  return report;
}

}  // namespace faaskeeper
