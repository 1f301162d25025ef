#include "functions/heartbeat.h"

#include "functions/reaper.h"
#include "functions/schema.h"
#include "protocol/messages.h"

namespace faaskeeper {

using namespace schema::attr;

Result<HeartbeatReport> Heartbeat::run() {
  auto sessions = env_.system->scan(schema::kSessionPrefix);
  if (!sessions.ok()) return sessions.status();
  HeartbeatReport report;
  for (const auto& [key, item] : *sessions) {
    auto s = schema::parse_session(item);
    if (!s || s->state != schema::SessionState::Alive) continue;
    int64_t id = std::stoll(key.substr(schema::kSessionPrefix.size()));
    if (id == kSystemSessionId) continue;  // the deployment's own session has no client
    int64_t now = env_.clock->now_ms();
    if (env_.channel->send(id, encode(ServerMessage{Ping{now}})).ok()) {
      ++report.alive;
      UpdateOp touch{key, Condition::all({Predicate::eq(kState, static_cast<int64_t>(schema::SessionState::Alive))}),
                     {Action::set(kAlive, now)}};
      env_.system->update(touch);
      continue;
    }
    if (now - s->alive_ms <= s->timeout_ms) continue;
    // Expire through the writer path, in the session's own group: ordered after its requests.
    ClientRequest close{id, kExpirySeq, CloseSessionRequest{true}};
    auto sent = env_.writer_queue->send(std::to_string(id), request_id(id, kExpirySeq), encode(close));
    if (!sent.ok()) return sent.status();
    ++report.expired;
  }
  auto reaped = Reaper(env_).run();
  if (!reaped.ok()) return reaped.status();
  report.reaped = reaped->queued;
  return report;
}

}  // namespace faaskeeper
