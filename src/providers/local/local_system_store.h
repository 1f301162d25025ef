// LocalSystemStore: the durable SystemStore of the local deployment (LMDB, DIR/system).
//
// Same semantics as every SystemStore (providers/system_store.h; the provider contract tests
// check them): conditions and actions are the shared Condition::evaluate / apply_actions.
// Each update/remove/transact is one atomic LMDB write, durable (fdatasync) before it returns;
// concurrent writes from different threads are group-committed. Reads see the last committed
// state. Keys of any length are accepted (see codec.h).
#pragma once

#include <memory>

#include "providers/local/local_database.h"
#include "providers/system_store.h"

namespace faaskeeper {

class LocalSystemStore final : public SystemStore {
 public:
  explicit LocalSystemStore(std::shared_ptr<LocalDatabase> db);

  Result<std::optional<Item>> get(const std::string& key) override;
  Result<WriteOutcome> update(const UpdateOp& op) override;
  Result<WriteOutcome> remove(const DeleteOp& op) override;
  // At most max_transaction_items() ops (default kEmbeddedMaxTxnItems: closing a session with
  // thousands of ephemerals is one transaction), on distinct keys; BadArguments otherwise.
  Result<TxnOutcome> transact(const std::vector<TxnOp>& ops) override;
  size_t max_transaction_items() const override { return max_items_; }
  // Tests that want DynamoDB's limit set it to SystemStore::kMaxTxnOps.
  void set_max_transaction_items(size_t n) { max_items_ = n; }
  Result<std::vector<std::pair<std::string, Item>>> scan(const std::string& prefix) override;

 private:
  std::shared_ptr<LocalDatabase> db_;
  LmdbEnv& env_;
  MDB_dbi dbi_;
  size_t max_items_;
};

}  // namespace faaskeeper
