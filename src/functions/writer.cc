#include "functions/writer.h"

#include <set>

#include "functions/leases.h"
#include "functions/planner.h"
#include "functions/watches.h"
#include "protocol/messages.h"

namespace faaskeeper {

namespace {

void send_reply(const FunctionEnv& env, int64_t session, Reply reply) {
  // An unreachable client is not the writer's problem: the client re-derives the outcome
  // (its request times out, it reconnects, it reads the store).
  env.channel->send(session, encode(ServerMessage{std::move(reply)}));
}

Reply error_reply(uint64_t seq, Error e, std::string msg) {
  Reply r;
  r.seq = seq;
  r.err = e;
  r.message = std::move(msg);
  r.results.push_back(OpResult{e, {}, {}});
  return r;
}

Result<std::optional<schema::SessionRecord>> read_session(const FunctionEnv& env, int64_t id) {
  auto item = env.system->get(schema::session_key(id));
  if (!item.ok()) return item.status();
  return schema::parse_session(*item);
}

// Close and expiry delete every ephemeral of the session in one transaction.
Result<Operation> close_as_multi(const FunctionEnv& env, int64_t session) {
  auto entries = env.system->scan(schema::ephemeral_prefix(session));
  if (!entries.ok()) return entries.status();
  MultiRequest m;
  for (const auto& [key, item] : *entries)
    if (auto p = get_bytes(item, schema::attr::kPath)) m.ops.push_back(DeleteRequest{*p, -1});
  return Operation(std::move(m));
}

Status push(const FunctionEnv& env, const ClientRequest& req, DistributorMessage msg, const std::string& dedup) {
  msg.session_id = req.session_id;
  msg.seq = req.seq;
  msg.reply.seq = req.seq;
  auto sent = env.distributor_queue->send(kDistributorGroup, dedup, encode(msg));
  return sent.ok() ? Status::OK() : sent.status();
}

}  // namespace

Outcome Writer::handle(const QueueMessage& message) {
  auto decoded = decode_client_request(message.body);
  if (!decoded.ok()) return Outcome::Done;  // nothing to answer: the sender is unknown
  const ClientRequest& req = *decoded;
  env_.step("writer.received");

  auto session = read_session(env_, req.session_id);
  if (!session.ok()) return Outcome::Retry;

  if (auto* open = std::get_if<OpenSessionRequest>(&req.op)) {
    if (*session) {
      // Already opened (a redelivery): the distributor answered, or will.
      if ((*session)->applied_seq < req.seq)
        send_reply(env_, req.session_id, error_reply(req.seq, Error::SystemError, "session id already in use"));
      return Outcome::Done;
    }
    DistributorMessage msg;
    msg.session.open = true;
    msg.session.timeout_ms = open->timeout_ms;
    msg.reply.results.push_back(OpResult{});
    return push(env_, req, std::move(msg), request_id(req.session_id, req.seq)).ok() ? Outcome::Done : Outcome::Retry;
  }

  if (!*session || (*session)->state == schema::SessionState::Closed) {
    if (std::holds_alternative<CloseSessionRequest>(req.op) && *session &&
        (*session)->applied_seq == req.seq)
      return Outcome::Done;  // this very close committed already (a redelivery)
    send_reply(env_, req.session_id,
               error_reply(req.seq, Error::SessionExpired,
                           *session ? "session has expired or was closed" : "unknown session"));
    return Outcome::Done;
  }
  if ((*session)->applied_seq >= req.seq) return Outcome::Done;  // committed already

  // Watch registration and removal touch only watch tables: answered here, idempotent.
  if (auto* w = std::get_if<RegisterWatchRequest>(&req.op)) {
    send_reply(env_, req.session_id, register_watch(env_, req.session_id, req.seq, *w));
    return Outcome::Done;
  }
  if (auto* u = std::get_if<RemoveWatchesRequest>(&req.op)) {
    send_reply(env_, req.session_id, remove_watches(env_, req.session_id, req.seq, *u));
    return Outcome::Done;
  }

  // Only the deployment itself reaps (and a refusal is the same on every delivery).
  if (std::holds_alternative<ReapRequest>(req.op) && req.session_id != kSystemSessionId) {
    send_reply(env_, req.session_id, error_reply(req.seq, Error::BadArguments, "only the reaper may reap"));
    return Outcome::Done;
  }

  std::string owner = request_id(req.session_id, req.seq);
  LeasedView view(env_, owner);
  bool close = std::holds_alternative<CloseSessionRequest>(req.op);
  bool partial = false;
  Operation op = req.op;
  if (close) {
    auto m = close_as_multi(env_, req.session_id);
    if (!m.ok()) return Outcome::Retry;
    // Each ephemeral delete may touch three items (node, parent, index entry). When they do
    // not all fit in one transaction, delete a chunk now and come back for the rest.
    size_t fit = (env_.system->max_transaction_items() - 2) / 3;
    auto& deletes = std::get<MultiRequest>(*m).ops;
    if (deletes.size() > fit) {
      deletes.resize(fit);
      partial = true;
    }
    op = std::move(*m);
  }
  auto plan = plan_operation(view, op, PlanInput{req.session_id, env_.clock->now_ms()});
  if (!plan.ok()) {
    view.release_all();
    return Outcome::Retry;
  }
  env_.step("writer.planned");

  // Re-check under the leases: the distributor may have committed an earlier delivery of this
  // very request, and released its leases, after our first look.
  auto again = read_session(env_, req.session_id);
  if (!again.ok()) {
    view.release_all();
    return Outcome::Retry;
  }
  const auto& s = **again;
  if (s.applied_seq >= req.seq) {
    view.release_all();
    return Outcome::Done;
  }
  if (s.decided_seq == req.seq) {
    // A redelivery of a request we already refused: refuse it the same way.
    view.release_all();
    send_reply(env_, req.session_id, error_reply(req.seq, s.decided_err, s.decided_msg));
    return Outcome::Done;
  }

  if (close && plan->reply.err != Error::Ok) {
    // A close deletes only nodes the session owns, so it fails only on a stale ephemerals list:
    // the distributor committed an earlier chunk between our read of the list and the plan.
    view.release_all();
    return Outcome::Retry;
  }
  if (plan->reply.err != Error::Ok) {
    // Record the refusal before telling the client, so a redelivery gives the same answer even
    // if the state changes meanwhile.
    UpdateOp decide;
    decide.key = schema::session_key(req.session_id);
    decide.condition = Condition::all({Predicate::not_exists(schema::attr::kDecidedSeq)})
                           .or_all({Predicate::lt(schema::attr::kDecidedSeq, static_cast<int64_t>(req.seq))});
    decide.actions = {Action::set(schema::attr::kDecidedSeq, static_cast<int64_t>(req.seq)),
                      Action::set(schema::attr::kDecidedErr, int64_t{static_cast<int32_t>(plan->reply.err)}),
                      Action::set(schema::attr::kDecidedMsg, plan->reply.message)};
    if (!env_.system->update(decide).ok()) {
      view.release_all();
      return Outcome::Retry;
    }
    env_.step("writer.decided");
    Reply reply = plan->reply;
    reply.seq = req.seq;
    send_reply(env_, req.session_id, std::move(reply));
    env_.step("writer.replied");
    view.release_all();
    return Outcome::Done;
  }

  // Never hand the distributor a plan whose leases may lapse before it commits.
  if (env_.clock->now_ms() + env_.config.lease_margin_ms > view.earliest_expiry()) {
    view.release_all();
    return Outcome::Retry;
  }
  DistributorMessage msg;
  msg.lock_owner = owner;
  msg.writes = std::move(plan->writes);
  msg.ephemerals_add = std::move(plan->ephemerals_add);
  msg.ephemerals_remove = std::move(plan->ephemerals_remove);
  msg.reapables_add = std::move(plan->reapables_add);
  msg.reapables_remove = std::move(plan->reapables_remove);
  msg.triggers = std::move(plan->triggers);
  msg.reply = std::move(plan->reply);
  std::set<std::string> written;
  for (const auto& w : msg.writes) written.insert(w.path);
  for (const auto& [path, exists] : view.held())
    if (!written.count(path)) (exists ? msg.unlock : msg.unlock_delete).push_back(path);
  // The commit must fit in one system-store transaction (DynamoDB: 100 items).
  size_t items = 2 + msg.writes.size() + msg.unlock.size() + msg.unlock_delete.size() +
                 msg.ephemerals_add.size() + msg.ephemerals_remove.size() +
                 msg.reapables_add.size() + msg.reapables_remove.size();
  if (items > env_.system->max_transaction_items()) {
    view.release_all();
    send_reply(env_, req.session_id,
               error_reply(req.seq, Error::BadArguments,
                           "the transaction touches " + std::to_string(items) + " items; this deployment's "
                           "system store commits at most " + std::to_string(env_.system->max_transaction_items())));
    return Outcome::Done;
  }
  if (close) {
    msg.session.partial_close = partial;
    msg.session.close = !partial;
    msg.session.expired = std::get<CloseSessionRequest>(req.op).expired;
    msg.reply.results.assign(1, OpResult{});
  }
  // A chunk's dedup id names its first node, so each chunk is queued once.
  std::string dedup = request_id(req.session_id, req.seq);
  if (partial) dedup += ":" + msg.writes.front().path;
  if (!push(env_, req, std::move(msg), dedup).ok()) {
    view.release_all();
    return Outcome::Retry;
  }
  env_.step("writer.pushed");
  // After a chunk the close message comes back: the next round deletes the next chunk (the
  // leases of this one make it wait until the distributor has committed it).
  return partial ? Outcome::Retry : Outcome::Done;
}

}  // namespace faaskeeper
