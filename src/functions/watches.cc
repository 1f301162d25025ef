#include "functions/watches.h"

#include <map>
#include <set>
#include <tuple>

#include "functions/schema.h"

namespace faaskeeper {

using namespace schema::attr;

namespace {

Result<int64_t> read_last_txid(const FunctionEnv& env) {
  auto item = env.system->get(schema::kTxidKey);
  if (!item.ok()) return item.status();
  return *item ? get_int(**item, kValue).value_or(0) : int64_t{0};
}

Reply answer(uint64_t seq, Error e, std::string msg, int64_t txid = 0) {
  Reply r;
  r.seq = seq;
  r.err = e;
  r.message = std::move(msg);
  r.txid = txid;
  r.results.push_back(OpResult{e, {}, {}});
  return r;
}

bool covers(const std::string& root, const std::string& path) {
  if (root == "/" || root == path) return true;
  return path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
}

}  // namespace

Reply register_watch(const FunctionEnv& env, int64_t session, uint64_t seq, const RegisterWatchRequest& r) {
  auto last = read_last_txid(env);
  if (!last.ok()) return answer(seq, Error::SystemError, last.status().to_string());
  std::vector<TxnOp> ops;
  ops.push_back(CheckOp{schema::kTxidKey, *last == 0 ? Condition::all({Predicate::not_exists(kValue)})
                                                      : Condition::all({Predicate::eq(kValue, *last)})});
  std::string node = schema::node_key(r.path);
  schema::WatchEntry entry{session, seq, *last, {}};
  switch (r.kind) {
    case WatchKind::Data:
      ops.push_back(CheckOp{node, r.expect_exists ? Condition::all({Predicate::eq(kModified, r.expect_zxid)})
                                                  : Condition::all({Predicate::not_exists(kCreated)})});
      ops.push_back(UpdateOp{schema::watch_key(r.path), {}, {Action::add_to_set(kDataWatches, {schema::format_watch_entry(entry)})}});
      break;
    case WatchKind::Child:
      ops.push_back(CheckOp{node, Condition::all({Predicate::eq(kChildZxid, r.expect_zxid)})});
      ops.push_back(UpdateOp{schema::watch_key(r.path), {}, {Action::add_to_set(kChildWatches, {schema::format_watch_entry(entry)})}});
      break;
    case WatchKind::Persistent:
      ops.push_back(UpdateOp{schema::watch_key(r.path), {}, {Action::add_to_set(kPersistentWatches, {schema::format_watch_entry(entry)})}});
      break;
    case WatchKind::PersistentRecursive:
      entry.path = r.path;
      ops.push_back(UpdateOp{schema::kRecursiveWatchesKey, {}, {Action::add_to_set(kRecursiveWatches, {schema::format_watch_entry(entry)})}});
      break;
  }
  auto out = env.system->transact(ops);
  if (!out.ok()) return answer(seq, Error::SystemError, out.status().to_string());
  if (!out->committed) return answer(seq, Error::RuntimeInconsistency, "node changed since it was read");
  return answer(seq, Error::Ok, {}, *last);
}

Reply remove_watches(const FunctionEnv& env, int64_t session, uint64_t seq, const RemoveWatchesRequest& r) {
  std::vector<std::string> tables;
  switch (r.type) {
    case 1: tables = {kChildWatches}; break;
    case 2: tables = {kDataWatches}; break;
    case 3: tables = {kDataWatches, kChildWatches, kPersistentWatches, kRecursiveWatches}; break;
    case 4: tables = {kPersistentWatches}; break;
    case 5: tables = {kRecursiveWatches}; break;
    default: return answer(seq, Error::BadArguments, "unknown watcher type " + std::to_string(r.type));
  }
  std::vector<UpdateOp> removals;
  for (const auto& table : tables) {
    bool recursive = table == kRecursiveWatches;
    std::string key = recursive ? schema::kRecursiveWatchesKey : schema::watch_key(r.path);
    auto item = env.system->get(key);
    if (!item.ok()) return answer(seq, Error::SystemError, item.status().to_string());
    if (!*item) continue;
    std::vector<std::string> mine;
    for (const auto& s : get_set(**item, table)) {
      auto e = schema::parse_watch_entry(s);
      if (e && e->session == session && (!recursive || e->path == r.path)) mine.push_back(s);
    }
    if (!mine.empty()) removals.push_back(UpdateOp{key, {}, {Action::delete_from_set(table, mine)}});
  }
  if (removals.empty()) return answer(seq, Error::NoWatcher, "no watch of that type on " + r.path);
  for (const auto& op : removals) {
    auto out = env.system->update(op);
    if (!out.ok()) return answer(seq, Error::SystemError, out.status().to_string());
  }
  return answer(seq, Error::Ok, {});
}

Result<FiredWatches> fire_watches(const FunctionEnv& env, const std::vector<WatchTrigger>& triggers, int64_t txid) {
  FiredWatches fired;
  auto& out = fired.notifications;
  if (triggers.empty()) return fired;
  std::map<std::string, Item> items;
  for (const auto& t : triggers) {
    if (items.count(t.path)) continue;
    auto item = env.system->get(schema::watch_key(t.path));
    if (!item.ok()) return item.status();
    items[t.path] = item->value_or(Item{});
  }
  auto rec = env.system->get(schema::kRecursiveWatchesKey);
  if (!rec.ok()) return rec.status();
  std::vector<schema::WatchEntry> recursive;
  if (*rec)
    for (const auto& s : get_set(**rec, kRecursiveWatches))
      if (auto e = schema::parse_watch_entry(s); e && e->armed_after < txid) recursive.push_back(*e);

  std::set<std::tuple<int64_t, std::string, EventType>> seen;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> consumed;  // (path, table) -> entries
  auto notify = [&](int64_t session, EventType type, const std::string& path) {
    if (seen.emplace(session, path, type).second) out.push_back({session, type, path});
  };
  auto fire = [&](const std::string& path, const std::string& table, EventType type, bool one_shot) {
    auto& used = consumed[{path, table}];
    for (const auto& s : get_set(items[path], table)) {
      auto e = schema::parse_watch_entry(s);
      if (!e || e->armed_after >= txid) continue;
      if (one_shot) {
        if (std::find(used.begin(), used.end(), s) != used.end()) continue;
        used.push_back(s);
      }
      notify(e->session, type, path);
    }
  };
  for (const auto& t : triggers) {
    switch (t.type) {
      case EventType::NodeCreated:
      case EventType::NodeDataChanged:
        fire(t.path, kDataWatches, t.type, true);
        break;
      case EventType::NodeDeleted:
        fire(t.path, kDataWatches, t.type, true);
        fire(t.path, kChildWatches, t.type, true);  // at most one NodeDeleted per session
        break;
      case EventType::NodeChildrenChanged:
        fire(t.path, kChildWatches, t.type, true);
        break;
      default:
        break;
    }
    fire(t.path, kPersistentWatches, t.type, false);
    if (t.type != EventType::NodeChildrenChanged)
      for (const auto& e : recursive)
        if (covers(e.path, t.path)) notify(e.session, t.type, t.path);
  }
  for (const auto& [key, entries] : consumed)
    if (!entries.empty())
      fired.consume.push_back(UpdateOp{schema::watch_key(key.first), {}, {Action::delete_from_set(key.second, entries)}});
  return fired;
}

}  // namespace faaskeeper
