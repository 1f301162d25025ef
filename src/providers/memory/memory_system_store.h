// MemorySystemStore: an in-process, thread-safe SystemStore (see providers/system_store.h).
// All operations are linearizable (one mutex; reads share it). Nothing is durable.
#pragma once

#include <map>
#include <shared_mutex>

#include "providers/memory/store_rules.h"
#include "providers/system_store.h"

namespace faaskeeper {

class MemorySystemStore final : public SystemStore {
 public:
  MemorySystemStore() = default;

  // Every call returns BadArguments for an empty key; update() returns BadArguments (and
  // writes nothing) when an action does not fit the attribute's kind.
  Result<std::optional<Item>> get(const std::string& key) override;
  Result<WriteOutcome> update(const UpdateOp& op) override;
  Result<WriteOutcome> remove(const DeleteOp& op) override;
  // BadArguments for more than kMaxTxnOps ops or a key used twice; an empty transaction commits.
  Result<TxnOutcome> transact(const std::vector<TxnOp>& ops) override;
  size_t max_transaction_items() const override { return max_items_; }
  // Tests that want DynamoDB's limit set it back to SystemStore::kMaxTxnOps.
  void set_max_transaction_items(size_t n) { max_items_ = n; }
  Result<std::vector<std::pair<std::string, Item>>> scan(const std::string& prefix) override;

  // Number of items (for tests).
  size_t size() const;

 private:
  std::optional<Item> current(const std::string& key) const;  // caller holds mu_
  void store(const std::string& key, const std::optional<Item>& item);

  mutable std::shared_mutex mu_;
  std::map<std::string, Item> items_;
  size_t max_items_ = kEmbeddedMaxTxnItems;
};

}  // namespace faaskeeper
