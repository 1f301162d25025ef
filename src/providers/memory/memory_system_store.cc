#include "providers/memory/memory_system_store.h"

#include <mutex>

#include "providers/memory/store_rules.h"

namespace faaskeeper {

std::optional<Item> MemorySystemStore::current(const std::string& key) const {
  auto it = items_.find(key);
  if (it == items_.end()) return std::nullopt;
  return it->second;
}

void MemorySystemStore::store(const std::string& key, const std::optional<Item>& item) {
  if (item)
    items_[key] = *item;
  else
    items_.erase(key);
}

Result<std::optional<Item>> MemorySystemStore::get(const std::string& key) {
  if (Status s = check_key(key); !s.ok()) return s;
  std::shared_lock lock(mu_);
  return current(key);
}

Result<WriteOutcome> MemorySystemStore::update(const UpdateOp& op) {
  if (Status s = check_key(op.key); !s.ok()) return s;
  std::unique_lock lock(mu_);
  auto plan = plan_update(current(op.key), op);
  if (!plan.ok()) return plan.status();
  if (plan->outcome.applied) store(op.key, plan->next);
  return std::move(plan->outcome);
}

Result<WriteOutcome> MemorySystemStore::remove(const DeleteOp& op) {
  if (Status s = check_key(op.key); !s.ok()) return s;
  std::unique_lock lock(mu_);
  PlannedWrite plan = plan_remove(current(op.key), op);
  if (plan.outcome.applied) store(op.key, plan.next);
  return std::move(plan.outcome);
}

Result<TxnOutcome> MemorySystemStore::transact(const std::vector<TxnOp>& ops) {
  if (Status s = validate_transaction(ops, max_transaction_items()); !s.ok()) return s;
  std::unique_lock lock(mu_);
  // Plan every op against the state before the transaction (keys are distinct), then write
  // all or nothing.
  TxnOutcome outcome;
  std::vector<std::pair<const std::string*, std::optional<Item>>> writes;
  for (size_t i = 0; i < ops.size(); ++i) {
    const TxnOp& op = ops[i];
    std::optional<Item> cur = current(txn_key(op));
    if (auto* u = std::get_if<UpdateOp>(&op)) {
      auto plan = plan_update(cur, *u);
      if (!plan.ok()) return plan.status();
      if (!plan->outcome.applied)
        outcome.failed.push_back(i);
      else
        writes.emplace_back(&u->key, std::move(plan->next));
    } else if (auto* d = std::get_if<DeleteOp>(&op)) {
      PlannedWrite plan = plan_remove(cur, *d);
      if (!plan.outcome.applied)
        outcome.failed.push_back(i);
      else
        writes.emplace_back(&d->key, std::nullopt);
    } else {
      const auto& c = std::get<CheckOp>(op);
      if (!c.condition.evaluate(cur)) outcome.failed.push_back(i);
    }
  }
  if (!outcome.failed.empty()) return outcome;
  for (auto& [key, item] : writes) store(*key, item);
  outcome.committed = true;
  return outcome;
}

Result<std::vector<std::pair<std::string, Item>>> MemorySystemStore::scan(const std::string& prefix) {
  std::shared_lock lock(mu_);
  std::vector<std::pair<std::string, Item>> out;
  for (auto it = items_.lower_bound(prefix);
       it != items_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    out.emplace_back(it->first, it->second);
  return out;
}

size_t MemorySystemStore::size() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

}  // namespace faaskeeper
