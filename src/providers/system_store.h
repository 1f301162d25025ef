// SystemStore: the strongly consistent key-value store that holds the authoritative znode
// metadata, leases, sessions and the txid counter.
//
// The model is DynamoDB's: an item is a map of named attributes; updates are conditional and
// upsert; a transaction applies several conditional writes atomically or none of them.
// Every operation here maps 1:1 onto GetItem(ConsistentRead) / UpdateItem with
// ConditionExpression and ReturnValues / DeleteItem / TransactWriteItems / Query.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "faaskeeper/error.h"

namespace faaskeeper {

// A sorted set of distinct strings (DynamoDB SS). An empty set is the same as an absent
// attribute: stores remove the attribute when its set becomes empty.
struct StringSet {
  std::vector<std::string> items;  // sorted, unique
  bool operator==(const StringSet&) const = default;
};

// Attribute values: number (N), bytes (B), string set (SS), list of strings (L).
using Value = std::variant<int64_t, std::string, StringSet, std::vector<std::string>>;
using Item = std::map<std::string, Value>;

// One comparison on one attribute of the item being written.
struct Predicate {
  enum class Op { Exists, NotExists, Eq, Ne, Lt, Le, Gt, Ge };
  std::string attr;
  Op op = Op::Exists;
  Value value{int64_t{0}};  // ignored for Exists/NotExists

  static Predicate exists(std::string a) { return {std::move(a), Op::Exists, int64_t{0}}; }
  static Predicate not_exists(std::string a) { return {std::move(a), Op::NotExists, int64_t{0}}; }
  static Predicate eq(std::string a, Value v) { return {std::move(a), Op::Eq, std::move(v)}; }
  static Predicate ne(std::string a, Value v) { return {std::move(a), Op::Ne, std::move(v)}; }
  static Predicate lt(std::string a, Value v) { return {std::move(a), Op::Lt, std::move(v)}; }
  static Predicate le(std::string a, Value v) { return {std::move(a), Op::Le, std::move(v)}; }
  static Predicate gt(std::string a, Value v) { return {std::move(a), Op::Gt, std::move(v)}; }
  static Predicate ge(std::string a, Value v) { return {std::move(a), Op::Ge, std::move(v)}; }
};

// A condition in disjunctive normal form: OR over clauses, each clause an AND of predicates.
// The empty condition is true. Comparisons between different value kinds, or against a
// missing attribute, are false (Ne against a missing attribute is true), as in DynamoDB.
struct Condition {
  std::vector<std::vector<Predicate>> any_of;

  static Condition always() { return {}; }
  static Condition all(std::vector<Predicate> preds) { return {{std::move(preds)}}; }
  Condition& or_all(std::vector<Predicate> preds) {
    any_of.push_back(std::move(preds));
    return *this;
  }
  bool evaluate(const std::optional<Item>& item) const;
};

// One change to one attribute.
struct Action {
  enum class Kind {
    Set,            // attr = value
    Remove,         // delete attr
    Add,            // number: attr += value (absent counts as 0)
    AddToSet,       // string set: attr |= value
    DeleteFromSet,  // string set: attr -= value
    Append,         // list: attr = attr ++ value (absent counts as [])
  };
  Kind kind = Kind::Set;
  std::string attr;
  Value value{int64_t{0}};

  static Action set(std::string a, Value v) { return {Kind::Set, std::move(a), std::move(v)}; }
  static Action remove(std::string a) { return {Kind::Remove, std::move(a), int64_t{0}}; }
  static Action add(std::string a, int64_t d) { return {Kind::Add, std::move(a), d}; }
  static Action add_to_set(std::string a, std::vector<std::string> s);
  static Action delete_from_set(std::string a, std::vector<std::string> s);
  static Action append(std::string a, std::vector<std::string> l) {
    return {Kind::Append, std::move(a), std::move(l)};
  }
};

// Applies `actions` to `item` (creating it when absent). Returns BadArguments when an action
// does not fit the attribute's kind. Shared by every provider so they agree on semantics.
Status apply_actions(Item& item, const std::vector<Action>& actions);

// Conditional upsert of one item.
struct UpdateOp {
  std::string key;
  Condition condition;
  std::vector<Action> actions;
};
// Conditional removal of one item.
struct DeleteOp {
  std::string key;
  Condition condition;
};
// A condition on an item that the transaction does not write.
struct CheckOp {
  std::string key;
  Condition condition;
};
using TxnOp = std::variant<UpdateOp, DeleteOp, CheckOp>;

// Result of a conditional write. When `applied` is false nothing was written and `item` is the
// item as it is now (DynamoDB's ReturnValuesOnConditionCheckFailure=ALL_OLD); when true, `item`
// is the item after the write (ALL_NEW), or nullopt after a delete.
struct WriteOutcome {
  bool applied = false;
  std::optional<Item> item;
};

// Result of a transaction: either every op applied, or none did and `failed` lists the
// indexes of the ops whose condition was false (DynamoDB's CancellationReasons).
struct TxnOutcome {
  bool committed = false;
  std::vector<size_t> failed;
};

class SystemStore {
 public:
  virtual ~SystemStore() = default;

  // Strongly consistent read. nullopt when the item does not exist.
  virtual Result<std::optional<Item>> get(const std::string& key) = 0;

  // Applies op.actions to the item (creating it if absent) iff op.condition holds.
  virtual Result<WriteOutcome> update(const UpdateOp& op) = 0;

  // Removes the item iff op.condition holds (removing an absent item is not an error).
  virtual Result<WriteOutcome> remove(const DeleteOp& op) = 0;

  // All ops or none. At most max_transaction_items() ops, each on a distinct key; more is
  // BadArguments (a permanent refusal, never worth retrying).
  virtual Result<TxnOutcome> transact(const std::vector<TxnOp>& ops) = 0;
  virtual size_t max_transaction_items() const { return kMaxTxnOps; }

  // All items whose key starts with `prefix`, in key order (a Query on a partition).
  virtual Result<std::vector<std::pair<std::string, Item>>> scan(const std::string& prefix) = 0;

  static constexpr size_t kMaxTxnOps = 100;  // DynamoDB TransactWriteItems limit
};

// Typed accessors; nullopt when absent or of another kind.
std::optional<int64_t> get_int(const Item& item, const std::string& attr);
std::optional<std::string> get_bytes(const Item& item, const std::string& attr);
std::vector<std::string> get_set(const Item& item, const std::string& attr);
std::vector<std::string> get_list(const Item& item, const std::string& attr);

}  // namespace faaskeeper
