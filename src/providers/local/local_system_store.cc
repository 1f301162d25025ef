#include "providers/local/local_system_store.h"

#include <algorithm>

#include "providers/local/codec.h"
#include "providers/memory/store_rules.h"

namespace faaskeeper {

namespace codec = local_codec;

namespace {

// The current item under `key` in `txn`.
Result<std::optional<Item>> load(LmdbEnv& env, MDB_txn* txn, MDB_dbi dbi, const std::string& key) {
  std::string skey = codec::store_key(key);
  MDB_val k = mdb_val(skey), v;
  int rc = mdb_get(txn, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<Item>();
  if (rc != 0) return env.error(rc, "reading " + key);
  std::string_view full, payload;
  if (Status s = codec::split_record(skey, std::string_view(static_cast<const char*>(v.mv_data), v.mv_size),
                                     &full, &payload);
      !s.ok())
    return Status(s.code(), s.message() + " (system store key " + key + ")");
  auto item = codec::decode_item(payload);
  if (!item.ok()) return Status(item.code(), item.status().message() + " (key " + key + ")");
  return std::optional<Item>(std::move(*item));
}

Status store(LmdbEnv& env, MDB_txn* txn, MDB_dbi dbi, const std::string& key, const std::optional<Item>& item) {
  std::string skey = codec::store_key(key);
  MDB_val k = mdb_val(skey);
  int rc;
  if (item) {
    std::string rec = codec::make_record(key, codec::encode_item(*item));
    MDB_val v = mdb_val(rec);
    rc = mdb_put(txn, dbi, &k, &v, 0);
  } else {
    rc = mdb_del(txn, dbi, &k, nullptr);
    if (rc == MDB_NOTFOUND) rc = 0;
  }
  return rc == 0 ? Status::OK() : env.error(rc, "writing " + key);
}

}  // namespace

LocalSystemStore::LocalSystemStore(std::shared_ptr<LocalDatabase> db)
    : db_(std::move(db)),
      env_(db_->system()),
      dbi_(env_.dbi(LocalDatabase::kItems)),
      max_items_(kEmbeddedMaxTxnItems) {}

Result<std::optional<Item>> LocalSystemStore::get(const std::string& key) {
  if (Status s = check_key(key); !s.ok()) return s;
  return env_.read<Result<std::optional<Item>>>([&](MDB_txn* txn) { return load(env_, txn, dbi_, key); });
}

Result<WriteOutcome> LocalSystemStore::update(const UpdateOp& op) {
  if (Status s = check_key(op.key); !s.ok()) return s;
  WriteOutcome out;
  Status s = env_.write([&](MDB_txn* txn) -> Status {
    auto cur = load(env_, txn, dbi_, op.key);
    if (!cur.ok()) return cur.status();
    auto plan = plan_update(*cur, op);
    if (!plan.ok()) return plan.status();
    out = std::move(plan->outcome);
    if (!out.applied) return Status::OK();
    return store(env_, txn, dbi_, op.key, plan->next);
  });
  if (!s.ok()) return s;
  return out;
}

Result<WriteOutcome> LocalSystemStore::remove(const DeleteOp& op) {
  if (Status s = check_key(op.key); !s.ok()) return s;
  WriteOutcome out;
  Status s = env_.write([&](MDB_txn* txn) -> Status {
    auto cur = load(env_, txn, dbi_, op.key);
    if (!cur.ok()) return cur.status();
    PlannedWrite plan = plan_remove(*cur, op);
    out = std::move(plan.outcome);
    if (!out.applied || !cur->has_value()) return Status::OK();
    return store(env_, txn, dbi_, op.key, std::nullopt);
  });
  if (!s.ok()) return s;
  return out;
}

Result<TxnOutcome> LocalSystemStore::transact(const std::vector<TxnOp>& ops) {
  if (Status s = validate_transaction(ops, max_items_); !s.ok()) return s;
  if (ops.empty()) return TxnOutcome{true, {}};
  TxnOutcome out;
  Status s = env_.write([&](MDB_txn* txn) -> Status {
    out = TxnOutcome{};
    std::vector<std::pair<const std::string*, std::optional<Item>>> writes;
    for (size_t i = 0; i < ops.size(); ++i) {
      const std::string& key = txn_key(ops[i]);
      auto cur = load(env_, txn, dbi_, key);
      if (!cur.ok()) return cur.status();
      if (auto* u = std::get_if<UpdateOp>(&ops[i])) {
        auto plan = plan_update(*cur, *u);
        if (!plan.ok()) return plan.status();
        if (!plan->outcome.applied)
          out.failed.push_back(i);
        else
          writes.emplace_back(&key, std::move(plan->next));
      } else if (auto* d = std::get_if<DeleteOp>(&ops[i])) {
        if (!d->condition.evaluate(*cur))
          out.failed.push_back(i);
        else if (cur->has_value())
          writes.emplace_back(&key, std::nullopt);
      } else if (!std::get<CheckOp>(ops[i]).condition.evaluate(*cur)) {
        out.failed.push_back(i);
      }
    }
    if (!out.failed.empty()) return Status::OK();  // cancelled: nothing written
    for (auto& [key, item] : writes)
      if (Status w = store(env_, txn, dbi_, *key, item); !w.ok()) return w;
    out.committed = true;
    return Status::OK();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<std::pair<std::string, Item>>> LocalSystemStore::scan(const std::string& prefix) {
  using Rows = std::vector<std::pair<std::string, Item>>;
  return env_.read<Result<Rows>>([&](MDB_txn* txn) -> Result<Rows> {
    Rows rows;
    bool any_long = false;
    std::string seek = prefix.substr(0, std::min(prefix.size(), codec::kDirectKeyBytes));
    MDB_cursor* cur = nullptr;
    int rc = mdb_cursor_open(txn, dbi_, &cur);
    if (rc != 0) return env_.error(rc, "scanning");
    MDB_val k = mdb_val(seek), v;
    rc = mdb_cursor_get(cur, &k, &v, seek.empty() ? MDB_FIRST : MDB_SET_RANGE);
    for (; rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      std::string_view skey(static_cast<const char*>(k.mv_data), k.mv_size);
      if (skey.substr(0, seek.size()) != seek) break;
      std::string_view full, payload;
      Status s = codec::split_record(skey, std::string_view(static_cast<const char*>(v.mv_data), v.mv_size),
                                     &full, &payload);
      if (!s.ok()) {
        mdb_cursor_close(cur);
        return s;
      }
      if (full.substr(0, prefix.size()) != prefix) continue;
      auto item = codec::decode_item(payload);
      if (!item.ok()) {
        mdb_cursor_close(cur);
        return item.status();
      }
      any_long = any_long || codec::is_long_key(full);
      rows.emplace_back(std::string(full), std::move(*item));
    }
    mdb_cursor_close(cur);
    if (rc != 0 && rc != MDB_NOTFOUND) return env_.error(rc, "scanning");
    if (any_long)
      std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return rows;
  });
}

}  // namespace faaskeeper
