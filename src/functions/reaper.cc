#include "functions/reaper.h"

#include "functions/reap_rules.h"
#include "functions/schema.h"
#include "protocol/messages.h"

namespace faaskeeper {

using namespace schema::attr;

namespace {

// Makes sure the system session's record exists and is alive, and reserves `count` request
// seqs for this run; returns the first. The counter only grows, so every reap request has a
// seq above any the system session has committed or refused (seqs may have gaps: a run that
// fails midway leaves some unused, which the writer and distributor do not mind).
Result<uint64_t> reserve_seqs(const FunctionEnv& env, int64_t count) {
  UpdateOp op{schema::session_key(kSystemSessionId), Condition::always(),
              {Action::set(kState, static_cast<int64_t>(schema::SessionState::Alive)),
               Action::set(kAlive, env.clock->now_ms()), Action::add(kReapSeq, count)}};
  auto out = env.system->update(op);
  if (!out.ok()) return out.status();
  auto last = out->item ? get_int(*out->item, kReapSeq) : std::nullopt;
  if (!last) return Status(Error::SystemError, "the system session record lost its reap counter");
  return static_cast<uint64_t>(*last - count + 1);
}

}  // namespace

Result<ReapReport> Reaper::run() {
  auto index = env_.system->scan(schema::kReapPrefix);
  if (!index.ok()) return index.status();
  ReapReport report;
  std::vector<ReapRequest> due;
  int64_t now = env_.clock->now_ms();
  for (const auto& [key, entry] : *index) {
    ++report.indexed;
    std::string path = get_bytes(entry, kPath).value_or(key.substr(schema::kReapPrefix.size()));
    auto item = env_.system->get(schema::node_key(path));
    if (!item.ok()) return item.status();
    auto node = schema::parse_node(*item);
    // A missing node cannot happen (the index changes with the node); skip rather than guess.
    if (!node || !reap_due(node->meta, now)) continue;
    due.push_back(ReapRequest{path, node->meta.czxid, node->meta.mzxid, node->meta.pzxid});
  }
  if (due.empty()) return report;

  auto first = reserve_seqs(env_, static_cast<int64_t>(due.size()));
  if (!first.ok()) return first.status();
  // One group for all reaps: they are applied in the order queued. A duplicate (an earlier
  // run's request for the same node still in flight) is harmless: the second one finds the
  // node gone or changed and is refused.
  const std::string group = std::to_string(kSystemSessionId);
  for (size_t i = 0; i < due.size(); ++i) {
    ClientRequest req{kSystemSessionId, *first + i, due[i]};
    auto sent = env_.writer_queue->send(group, request_id(req.session_id, req.seq), encode(req));
    if (!sent.ok()) return sent.status();
    ++report.queued;
  }
  return report;
}

}  // namespace faaskeeper
