#include "functions/distributor.h"

#include <algorithm>
#include <set>

#include "core/node_object.h"
#include "functions/leases.h"
#include "functions/schema.h"
#include "functions/watches.h"
#include "protocol/messages.h"

namespace faaskeeper {

namespace {

using namespace schema::attr;

// Index of the ops in a commit transaction (the rest are node, ephemeral- and reap-index ops).
constexpr size_t kTxidOp = 0;
constexpr size_t kSessionOp = 1;

std::vector<TxnOp> commit_ops(const DistributorMessage& m, int64_t txid, int64_t now) {
  std::vector<TxnOp> ops;
  UpdateOp counter{schema::kTxidKey,
                   txid == 1 ? Condition::all({Predicate::not_exists(kValue)})
                             : Condition::all({Predicate::eq(kValue, txid - 1)}),
                   {Action::set(kValue, txid)}};
  ops.push_back(counter);

  auto seq = static_cast<int64_t>(m.seq);
  UpdateOp session{schema::session_key(m.session_id), {}, {}};
  if (m.session.open) {
    session.condition = Condition::all({Predicate::not_exists(kState)});
    session.actions = {Action::set(kState, static_cast<int64_t>(schema::SessionState::Alive)),
                       Action::set(kTimeout, int64_t{m.session.timeout_ms}), Action::set(kAlive, now)};
  } else if (m.session.partial_close) {
    // Not the request's completion: the session stays open and its applied seq unchanged.
    session.condition = Condition::all({Predicate::eq(kState, static_cast<int64_t>(schema::SessionState::Alive))});
  } else {
    session.condition = Condition::all({Predicate::exists(kState), Predicate::not_exists(kAppliedSeq)})
                            .or_all({Predicate::exists(kState), Predicate::lt(kAppliedSeq, seq)});
  }
  if (!m.session.partial_close) {
    session.actions.push_back(Action::set(kAppliedSeq, seq));
    session.actions.push_back(Action::set(kAppliedTxid, txid));
  } else {
    session.actions.push_back(Action::set(kAlive, now));  // an item must change: harmless touch
  }
  if (m.session.close) {
    session.actions.push_back(Action::set(kState, static_cast<int64_t>(schema::SessionState::Closed)));
    session.actions.push_back(Action::set(kClosedAt, now));
    session.actions.push_back(Action::set(kExpired, int64_t{m.session.expired ? 1 : 0}));
  }
  ops.push_back(session);

  Condition leased = Condition::all({Predicate::eq(kLockOwner, m.lock_owner)});
  for (const auto& w : m.writes) {
    if (w.deleted) {
      ops.push_back(DeleteOp{schema::node_key(w.path), leased});
      continue;
    }
    NodeMeta meta = w.meta;
    meta.czxid = resolve_txid(meta.czxid, txid);
    meta.mzxid = resolve_txid(meta.mzxid, txid);
    meta.pzxid = resolve_txid(meta.pzxid, txid);
    UpdateOp up{schema::node_key(w.path), leased, schema::meta_actions(meta)};
    up.actions.push_back(Action::remove(kLockOwner));
    up.actions.push_back(Action::remove(kLockExpiry));
    if (w.created) {
      up.actions.push_back(Action::set(kChildren, StringSet{w.children_add}));
    } else {
      if (!w.children_add.empty()) up.actions.push_back(Action::add_to_set(kChildren, w.children_add));
      if (!w.children_remove.empty()) up.actions.push_back(Action::delete_from_set(kChildren, w.children_remove));
    }
    ops.push_back(std::move(up));
  }
  for (const auto& path : m.unlock)
    ops.push_back(UpdateOp{schema::node_key(path), leased, {Action::remove(kLockOwner), Action::remove(kLockExpiry)}});
  for (const auto& path : m.unlock_delete) ops.push_back(DeleteOp{schema::node_key(path), leased});
  for (const auto& e : m.ephemerals_add)
    ops.push_back(UpdateOp{schema::ephemeral_key(e.owner, e.path), {}, {Action::set(kPath, e.path)}});
  for (const auto& e : m.ephemerals_remove)
    ops.push_back(DeleteOp{schema::ephemeral_key(e.owner, e.path), {}});
  // The reap index changes with the node, in the same transaction: the index never lists a
  // node that does not exist, nor misses a container or TTL node that does.
  for (const auto& path : m.reapables_add)
    ops.push_back(UpdateOp{schema::reap_key(path), {}, {Action::set(kPath, path)}});
  for (const auto& path : m.reapables_remove) ops.push_back(DeleteOp{schema::reap_key(path), {}});
  return ops;
}

// Writes the node objects of a committed transaction. Idempotent: children are merged as set
// operations and everything else is absolute, so a redelivered message may publish again.
Status publish(const FunctionEnv& env, const DistributorMessage& m, int64_t txid,
               const std::set<std::string>& stamped) {
  std::vector<UserWrite> writes;
  for (const auto& w : m.writes) {
    if (w.deleted) {
      writes.push_back({w.path, std::nullopt});
      continue;
    }
    NodeObject obj;
    std::vector<std::string> children;
    if (!w.created) {
      auto old = env.user->get(w.path);
      if (!old.ok()) return old.status();
      if (*old) {
        auto parsed = decode_node_object(**old);
        if (!parsed.ok()) return parsed.status();
        obj.data = std::move(parsed->data);
        children = std::move(parsed->children);
        obj.epochs = std::move(parsed->epochs);
      }
    }
    std::set<std::string> set(children.begin(), children.end());
    for (const auto& c : w.children_add) set.insert(c);
    for (const auto& c : w.children_remove) set.erase(c);
    obj.children.assign(set.begin(), set.end());
    if (w.data_changed || w.created) obj.data = w.data;
    obj.stat = w.meta.to_stat(txid);
    if (stamped.count(w.path) && std::find(obj.epochs.begin(), obj.epochs.end(), txid) == obj.epochs.end())
      obj.epochs.push_back(txid);
    writes.push_back({w.path, encode_node_object(obj)});
  }
  return env.user->write(writes);
}

void reply(const FunctionEnv& env, const DistributorMessage& m, int64_t txid) {
  if (m.session.partial_close) return;  // the final chunk answers the close
  Reply r = m.reply;
  r.seq = m.seq;
  r.txid = txid;
  for (auto& res : r.results) {
    res.stat.czxid = resolve_txid(res.stat.czxid, txid);
    res.stat.mzxid = resolve_txid(res.stat.mzxid, txid);
    res.stat.pzxid = resolve_txid(res.stat.pzxid, txid);
  }
  env.channel->send(m.session_id, encode(ServerMessage{std::move(r)}));
  if (m.session.close && m.session.expired)
    env.channel->send(m.session_id, encode(ServerMessage{SessionClosed{true}}));
}

// Hands the transaction's notifications to the watch function, then consumes the one-shot
// watches that fired. Returns the paths whose objects carry the txid as an epoch stamp until
// the notifications are delivered.
Result<std::set<std::string>> dispatch_watches(const FunctionEnv& env, const DistributorMessage& m, int64_t txid) {
  std::set<std::string> stamped;
  auto fired = fire_watches(env, m.triggers, txid);
  if (!fired.ok()) return fired.status();
  if (fired->notifications.empty()) return stamped;
  std::set<std::string> deleted;
  for (const auto& w : m.writes)
    if (w.deleted) deleted.insert(w.path);
  WatchBatch batch;
  batch.txid = txid;
  batch.notifications = fired->notifications;
  for (const auto& n : fired->notifications)
    if (!deleted.count(n.path)) stamped.insert(n.path);
  batch.stamped_paths.assign(stamped.begin(), stamped.end());
  auto sent = env.watch_queue->send(kWatchGroup, "watch:" + std::to_string(txid), encode(batch));
  if (!sent.ok()) return sent.status();
  env.step("distributor.watches_queued");
  for (const auto& op : fired->consume) {
    auto r = env.system->update(op);
    if (!r.ok()) return r.status();
  }
  return stamped;
}

// Removes delivered epoch stamps (asked for by the watch function).
Status clear_epochs(const FunctionEnv& env, const DistributorMessage& m) {
  for (const auto& [path, txid] : m.clear_epochs) {
    auto bytes = env.user->get(path);
    if (!bytes.ok()) return bytes.status();
    if (!*bytes) continue;
    auto obj = decode_node_object(**bytes);
    if (!obj.ok()) return obj.status();
    auto it = std::find(obj->epochs.begin(), obj->epochs.end(), txid);
    if (it == obj->epochs.end()) continue;
    obj->epochs.erase(it);
    Status s = env.user->write({{path, encode_node_object(*obj)}});
    if (!s.ok()) return s;
  }
  return Status::OK();
}

void release_all(const FunctionEnv& env, const DistributorMessage& m) {
  for (const auto& w : m.writes) release_lease(*env.system, w.path, m.lock_owner);
  for (const auto& p : m.unlock) release_lease(*env.system, p, m.lock_owner);
  for (const auto& p : m.unlock_delete) release_lease(*env.system, p, m.lock_owner);
}

void refuse(const FunctionEnv& env, const DistributorMessage& m, Error err, std::string why) {
  Reply r;
  r.seq = m.seq;
  r.err = err;
  r.message = std::move(why);
  r.results.assign(std::max<size_t>(1, m.reply.results.size()), OpResult{err, {}, {}});
  env.channel->send(m.session_id, encode(ServerMessage{std::move(r)}));
}

Result<int64_t> last_txid(const FunctionEnv& env) {
  auto item = env.system->get(schema::kTxidKey);
  if (!item.ok()) return item.status();
  return *item ? get_int(**item, kValue).value_or(0) : int64_t{0};
}

}  // namespace

std::vector<Outcome> Distributor::handle(const std::vector<QueueMessage>& batch) {
  std::vector<Outcome> out(batch.size(), Outcome::Retry);
  auto last = last_txid(env_);
  if (!last.ok()) return out;
  int64_t txid = *last;

  for (size_t i = 0; i < batch.size(); ++i) {
    auto decoded = decode_distributor_message(batch[i].body);
    if (!decoded.ok()) {
      out[i] = Outcome::Done;  // cannot be processed, ever
      continue;
    }
    const DistributorMessage& m = *decoded;
    env_.step("distributor.received");
    if (!m.clear_epochs.empty()) {
      if (!clear_epochs(env_, m).ok()) return out;
      out[i] = Outcome::Done;
      continue;
    }
    int64_t next = txid + 1;
    auto committed = env_.system->transact(commit_ops(m, next, env_.clock->now_ms()));
    if (!committed.ok()) {
      if (committed.code() == Error::SystemError || committed.code() == Error::ConnectionLoss)
        return out;  // store unavailable: retry this and every later message
      // A transaction the store can never accept must not wedge the global order: refuse it.
      release_all(env_, m);
      refuse(env_, m, Error::SystemError, "the system store refused the commit: " + committed.status().to_string());
      out[i] = Outcome::Done;
      continue;
    }
    env_.step("distributor.committed");

    int64_t applied_at = next;
    if (committed->committed) {
      txid = next;
    } else {
      const auto& failed = committed->failed;
      auto has = [&](size_t k) { return std::find(failed.begin(), failed.end(), k) != failed.end(); };
      if (has(kTxidOp)) return out;  // another distributor ran: start over from the store
      if (m.session.partial_close) {
        // A chunk already committed (redelivered), or the session is gone: nothing to do.
        release_all(env_, m);
        out[i] = Outcome::Done;
        continue;
      }
      if (has(kSessionOp)) {
        // Already committed (a redelivery). Only the latest commit can be unpublished, since
        // each message is published before the next one commits.
        auto item = env_.system->get(schema::session_key(m.session_id));
        if (!item.ok()) return out;
        auto s = schema::parse_session(*item);
        if (!s || s->applied_seq != m.seq || s->applied_txid != txid) {
          out[i] = Outcome::Done;
          continue;
        }
        applied_at = s->applied_txid;
      } else {
        // A lease lapsed and another request took the node: this plan is stale, apply nothing.
        release_all(env_, m);
        refuse(env_, m, Error::SystemError, "the request's lease expired before it could commit; nothing was applied");
        out[i] = Outcome::Done;
        continue;
      }
    }
    auto stamped = dispatch_watches(env_, m, applied_at);
    if (!stamped.ok()) return out;
    if (!publish(env_, m, applied_at, *stamped).ok()) return out;
    env_.step("distributor.published");
    reply(env_, m, applied_at);
    env_.step("distributor.replied");
    out[i] = Outcome::Done;
  }
  return out;
}

}  // namespace faaskeeper
