// Semantics of single SystemStore operations over the current value of one item, shared by
// the memory and local stores so they agree with each other (and with DynamoDB) exactly.
// Conditions and actions themselves come from providers/system_store.cc.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "providers/system_store.h"

namespace faaskeeper {

// The key a transaction op addresses.
const std::string& txn_key(const TxnOp& op);

// BadArguments for an empty key.
Status check_key(const std::string& key);

// BadArguments unless the transaction has at most `max_items` ops, on distinct, non-empty
// keys. An empty transaction is valid (it commits and changes nothing).
Status validate_transaction(const std::vector<TxnOp>& ops, size_t max_items = SystemStore::kMaxTxnOps);

// Embedded stores commit large transactions in one piece (closing a session with thousands of
// ephemerals is one transaction), unlike DynamoDB's 100 items.
inline constexpr size_t kEmbeddedMaxTxnItems = 1'000'000;

// One planned write: what update()/remove() return, and the item to store afterwards.
struct PlannedWrite {
  WriteOutcome outcome;
  std::optional<Item> next;  // item after the write (nullopt: absent); == current if !applied
};

// Evaluates op.condition on `current`; when it holds, applies op.actions to a copy (creating
// the item when absent). BadArguments (from apply_actions) when an action does not fit; then
// nothing must be written.
Result<PlannedWrite> plan_update(const std::optional<Item>& current, const UpdateOp& op);

// Evaluates op.condition on `current`; when it holds, the item becomes absent.
PlannedWrite plan_remove(const std::optional<Item>& current, const DeleteOp& op);

}  // namespace faaskeeper
