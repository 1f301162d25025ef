#include "functions/distributor.h"

#include <algorithm>
#include <iterator>
#include <optional>
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

// The txid counter's update for a commit transaction that assigns txids last+1 .. last+count:
// v is the last assigned txid, f the first txid of the latest commit transaction.
UpdateOp counter_op(int64_t last, int64_t count) {
  return UpdateOp{schema::kTxidKey,
                  last == 0 ? Condition::all({Predicate::not_exists(kValue)})
                            : Condition::all({Predicate::eq(kValue, last)}),
                  {Action::set(kValue, last + count), Action::set(kFirstTxid, last + 1)}};
}

std::vector<TxnOp> commit_ops(const DistributorMessage& m, int64_t txid, int64_t now) {
  std::vector<TxnOp> ops;
  ops.push_back(counter_op(txid - 1, 1));

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

// Appends the node objects of a committed message to `writes`. Idempotent: children are merged
// as set operations and everything else is absolute, so a redelivered message may publish again.
Status collect_writes(const FunctionEnv& env, const DistributorMessage& m, int64_t txid,
                      const std::set<std::string>& stamped, std::vector<UserWrite>& writes) {
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
  return Status::OK();
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

struct Counter {
  int64_t last = 0;   // the last txid committed
  int64_t first = 0;  // the first txid of the commit transaction that committed `last`
};

Result<Counter> read_counter(const FunctionEnv& env) {
  auto item = env.system->get(schema::kTxidKey);
  if (!item.ok()) return item.status();
  Counter c;
  if (*item) {
    c.last = get_int(**item, kValue).value_or(0);
    c.first = get_int(**item, kFirstTxid).value_or(c.last);
  }
  return c;
}

std::string key_of(const TxnOp& op) {
  return std::visit([](const auto& o) { return o.key; }, op);
}

// One distributor invocation. Messages are committed in queue order, several at once when they
// can share one system-store transaction: a group is a run of consecutive messages whose commit
// ops touch pairwise distinct items (in practice: distinct sessions, since the writers' leases
// already make in-flight plans touch distinct nodes) and fit the store's item limit. The group
// takes consecutive txids in queue order, commits all or nothing, is published in one user-store
// write, and only then does the next group commit. A group the store refuses is retried one
// message at a time, which sorts out redeliveries, lapsed leases and unacceptable messages.
//
// Redelivery invariant: every commit transaction is published before the next one commits, so
// after a crash only the latest one (txids counter.first .. counter.last) can be unpublished; a
// redelivered message committed there is published again (its nodes are touched by nobody
// else in that transaction), one committed earlier is done.
class BatchRun {
 public:
  BatchRun(const FunctionEnv& env, Counter counter, std::vector<Outcome>& out)
      : env_(env), counter_(counter), out_(out) {}

  enum class Next { Continue, Stop };  // Stop: this and every later message are Retry

  // Commits messages[i] alone (also the redelivery, lease-lapse and refusal paths).
  Next single(size_t i, const DistributorMessage& m);

  // Commits the messages in one transaction built from their commit ops (ops[k][0], the
  // per-message counter update, is replaced by one for the whole group). Fallback: nothing was
  // applied, commit them one by one.
  enum class Group { Committed, Fallback, Stop };
  Group group(const std::vector<std::pair<size_t, const DistributorMessage*>>& ms,
              std::vector<std::vector<TxnOp>> ops);

  int64_t last() const { return counter_.last; }

 private:
  struct Committed {
    size_t index;
    const DistributorMessage* m;
    int64_t txid;
  };
  // Watches, one publish for all, replies; marks them Done.
  Next finish(const std::vector<Committed>& done);

  const FunctionEnv& env_;
  Counter counter_;
  std::vector<Outcome>& out_;
};

BatchRun::Next BatchRun::single(size_t i, const DistributorMessage& m) {
  int64_t next = counter_.last + 1;
  auto committed = env_.system->transact(commit_ops(m, next, env_.clock->now_ms()));
  if (!committed.ok()) {
    if (committed.code() == Error::SystemError || committed.code() == Error::ConnectionLoss)
      return Next::Stop;  // store unavailable: retry this and every later message
    // A transaction the store can never accept must not wedge the global order: refuse it.
    release_all(env_, m);
    refuse(env_, m, Error::SystemError, "the system store refused the commit: " + committed.status().to_string());
    out_[i] = Outcome::Done;
    return Next::Continue;
  }
  env_.step("distributor.committed");

  int64_t applied_at = next;
  if (committed->committed) {
    counter_ = Counter{next, next};
  } else {
    const auto& failed = committed->failed;
    auto has = [&](size_t k) { return std::find(failed.begin(), failed.end(), k) != failed.end(); };
    if (has(kTxidOp)) return Next::Stop;  // another distributor ran: start over from the store
    if (m.session.partial_close) {
      // A chunk already committed (redelivered), or the session is gone: nothing to do.
      release_all(env_, m);
      out_[i] = Outcome::Done;
      return Next::Continue;
    }
    if (has(kSessionOp)) {
      // Already committed (a redelivery): published again only if it is part of the latest
      // commit transaction (see BatchRun).
      auto item = env_.system->get(schema::session_key(m.session_id));
      if (!item.ok()) return Next::Stop;
      auto s = schema::parse_session(*item);
      if (!s || s->applied_seq != m.seq || s->applied_txid < counter_.first || s->applied_txid > counter_.last) {
        out_[i] = Outcome::Done;
        return Next::Continue;
      }
      applied_at = s->applied_txid;
    } else {
      // A lease lapsed and another request took the node: this plan is stale, apply nothing.
      release_all(env_, m);
      refuse(env_, m, Error::SystemError, "the request's lease expired before it could commit; nothing was applied");
      out_[i] = Outcome::Done;
      return Next::Continue;
    }
  }
  return finish({{i, &m, applied_at}});
}

BatchRun::Group BatchRun::group(const std::vector<std::pair<size_t, const DistributorMessage*>>& ms,
                                std::vector<std::vector<TxnOp>> ops) {
  std::vector<TxnOp> all{counter_op(counter_.last, static_cast<int64_t>(ms.size()))};
  for (auto& part : ops) std::move(part.begin() + 1, part.end(), std::back_inserter(all));
  auto committed = env_.system->transact(all);
  if (!committed.ok())
    return committed.code() == Error::SystemError || committed.code() == Error::ConnectionLoss ? Group::Stop
                                                                                              : Group::Fallback;
  if (!committed->committed) {
    const auto& failed = committed->failed;
    if (std::find(failed.begin(), failed.end(), kTxidOp) != failed.end()) return Group::Stop;
    return Group::Fallback;
  }
  env_.step("distributor.committed");
  std::vector<Committed> done;
  for (size_t k = 0; k < ms.size(); ++k)
    done.push_back({ms[k].first, ms[k].second, counter_.last + 1 + static_cast<int64_t>(k)});
  counter_ = Counter{counter_.last + static_cast<int64_t>(ms.size()), counter_.last + 1};
  return finish(done) == Next::Continue ? Group::Committed : Group::Stop;
}

BatchRun::Next BatchRun::finish(const std::vector<Committed>& done) {
  std::vector<UserWrite> writes;
  for (const auto& c : done) {
    auto stamped = dispatch_watches(env_, *c.m, c.txid);
    if (!stamped.ok()) return Next::Stop;
    if (!collect_writes(env_, *c.m, c.txid, *stamped, writes).ok()) return Next::Stop;
  }
  if (!writes.empty() && !env_.user->write(writes).ok()) return Next::Stop;
  env_.step("distributor.published");
  for (const auto& c : done) {
    reply(env_, *c.m, c.txid);
    env_.step("distributor.replied");
    out_[c.index] = Outcome::Done;
  }
  return Next::Continue;
}

}  // namespace

std::vector<Outcome> Distributor::handle(const std::vector<QueueMessage>& batch) {
  std::vector<Outcome> out(batch.size(), Outcome::Retry);
  auto counter = read_counter(env_);
  if (!counter.ok()) return out;
  BatchRun run(env_, *counter, out);

  std::vector<std::optional<DistributorMessage>> msgs;
  for (const auto& b : batch) {
    auto decoded = decode_distributor_message(b.body);
    msgs.push_back(decoded.ok() ? std::optional(std::move(*decoded)) : std::nullopt);
  }
  const size_t max_items = env_.system->max_transaction_items();
  size_t i = 0;
  while (i < msgs.size()) {
    if (!msgs[i]) {
      out[i++] = Outcome::Done;  // cannot be processed, ever
      continue;
    }
    env_.step("distributor.received");
    if (!msgs[i]->clear_epochs.empty()) {
      if (!clear_epochs(env_, *msgs[i]).ok()) return out;
      out[i++] = Outcome::Done;
      continue;
    }
    // The longest run of messages from i that can commit together.
    std::vector<std::pair<size_t, const DistributorMessage*>> ms{{i, &*msgs[i]}};
    std::vector<std::vector<TxnOp>> ops{commit_ops(*msgs[i], run.last() + 1, env_.clock->now_ms())};
    std::set<std::string> keys;
    for (size_t k = 1; k < ops[0].size(); ++k) keys.insert(key_of(ops[0][k]));
    size_t items = ops[0].size();
    for (size_t j = i + 1; j < msgs.size() && msgs[j] && msgs[j]->clear_epochs.empty(); ++j) {
      auto more = commit_ops(*msgs[j], run.last() + 1 + static_cast<int64_t>(ms.size()), env_.clock->now_ms());
      if (items + more.size() - 1 > max_items) break;
      bool clash = false;
      for (size_t k = 1; k < more.size() && !clash; ++k) clash = keys.count(key_of(more[k])) > 0;
      if (clash) break;
      for (size_t k = 1; k < more.size(); ++k) keys.insert(key_of(more[k]));
      items += more.size() - 1;
      env_.step("distributor.received");
      ms.emplace_back(j, &*msgs[j]);
      ops.push_back(std::move(more));
    }
    if (ms.size() > 1) {
      auto g = run.group(ms, std::move(ops));
      if (g == BatchRun::Group::Stop) return out;
      if (g == BatchRun::Group::Committed) {
        i += ms.size();
        continue;
      }
    }
    for (const auto& [index, m] : ms)
      if (run.single(index, *m) == BatchRun::Next::Stop) return out;
    i += ms.size();
  }
  return out;
}

}  // namespace faaskeeper
