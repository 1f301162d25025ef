#include "providers/aws/dynamo_system_store.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "providers/aws/dynamo_codec.h"

namespace faaskeeper::aws {

using nlohmann::json;

namespace {

const std::vector<std::string>& reserved_attrs() {
  static const std::vector<std::string> r = {DynamoSystemStore::kPartitionAttr, DynamoSystemStore::kKeyAttr, "fk_noop"};
  return r;
}

// Errors DynamoDB reports for requests it considers malformed map to BadArguments, so a
// caller bug is not mistaken for an outage.
Status reply_error(const JsonReply& r, const std::string& action) {
  if (r.error_type == "ValidationException" || r.error_type == "SerializationException")
    return Status(Error::BadArguments, action + ": " + r.message);
  return r.to_status(action);
}

std::string random_token() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string t;
  for (int i = 0; i < 32; ++i) t += hex[rng() & 15];
  return t;
}

}  // namespace

DynamoSystemStore::DynamoSystemStore(std::shared_ptr<AwsJsonClient> dynamodb, std::string table, char delimiter)
    : db_(std::move(dynamodb)), table_(std::move(table)), delimiter_(delimiter) {}

std::string DynamoSystemStore::partition_of(const std::string& key, char delimiter) {
  size_t p = key.find(delimiter);
  return p == std::string::npos ? key : key.substr(0, p + 1);
}

Status DynamoSystemStore::create_table(AwsJsonClient& db, const std::string& table) {
  json req = {{"TableName", table},
              {"AttributeDefinitions", json::array({{{"AttributeName", kPartitionAttr}, {"AttributeType", "B"}},
                                                    {{"AttributeName", kKeyAttr}, {"AttributeType", "B"}}})},
              {"KeySchema", json::array({{{"AttributeName", kPartitionAttr}, {"KeyType", "HASH"}},
                                         {{"AttributeName", kKeyAttr}, {"KeyType", "RANGE"}}})},
              {"BillingMode", "PAY_PER_REQUEST"}};
  auto r = db.call("CreateTable", req);
  if (!r.ok()) return r.status();
  if (!r->ok() && r->error_type != "ResourceInUseException") return r->to_status("CreateTable " + table);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    auto d = db.call("DescribeTable", {{"TableName", table}});
    if (!d.ok()) return d.status();
    if (!d->ok()) return d->to_status("DescribeTable " + table);
    if (d->body["Table"].value("TableStatus", "") == "ACTIVE") return Status::OK();
    if (std::chrono::steady_clock::now() > deadline)
      return Status(Error::OperationTimeout, "table " + table + " not ACTIVE after 120 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // polling a remote state
  }
}

Result<json> DynamoSystemStore::key_json(const std::string& key) const {
  if (key.empty()) return Status(Error::BadArguments, "system-store key must not be empty");
  return json{{kPartitionAttr, {{"B", base64_encode(partition_of(key, delimiter_))}}},
              {kKeyAttr, {{"B", base64_encode(key)}}}};
}

Result<std::optional<Item>> DynamoSystemStore::item_from(const json& body, const char* field) const {
  if (!body.is_object() || !body.contains(field)) return std::optional<Item>();
  auto item = decode_item(body[field], reserved_attrs());
  if (!item.ok()) return item.status();
  return std::optional<Item>(std::move(*item));
}

Result<std::optional<Item>> DynamoSystemStore::get(const std::string& key) {
  auto k = key_json(key);
  if (!k.ok()) return k.status();
  auto r = db_->call("GetItem", {{"TableName", table_}, {"Key", *k}, {"ConsistentRead", true}});
  if (!r.ok()) return r.status();
  if (!r->ok()) return reply_error(*r, "GetItem " + key);
  return item_from(r->body, "Item");
}

namespace {
// Builds the Update part shared by UpdateItem and a transaction's Update.
Status fill_update(json& req, const UpdateOp& op, ExpressionBuilder& b) {
  auto update = update_expression(op.actions, b, reserved_attrs());
  if (!update.ok()) return update.status();
  // UpdateItem upserts even with nothing to set; REMOVE of an attribute no item has keeps the
  // expression non-empty (a transaction's Update requires one) without changing anything.
  req["UpdateExpression"] = update->empty() ? "REMOVE " + b.name("fk_noop") : *update;
  auto cond = condition_expression(op.condition, b);
  if (!cond.ok()) return cond.status();
  if (!cond->empty()) req["ConditionExpression"] = *cond;
  return Status::OK();
}
}  // namespace

Result<WriteOutcome> DynamoSystemStore::update(const UpdateOp& op) {
  auto k = key_json(op.key);
  if (!k.ok()) return k.status();
  json req = {{"TableName", table_}, {"Key", *k}, {"ReturnValues", "ALL_NEW"},
              {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}};
  ExpressionBuilder b;
  if (Status s = fill_update(req, op, b); !s.ok()) return s;
  b.attach(req);
  auto r = db_->call("UpdateItem", req);
  if (!r.ok()) return r.status();
  WriteOutcome out;
  if (r->ok()) {
    out.applied = true;
    auto item = item_from(r->body, "Attributes");
    if (!item.ok()) return item.status();
    out.item = item->has_value() ? std::move(*item) : std::optional<Item>(Item{});
    return out;
  }
  if (r->error_type == "ConditionalCheckFailedException") {
    auto item = item_from(r->body, "Item");
    if (!item.ok()) return item.status();
    out.item = std::move(*item);
    return out;
  }
  return reply_error(*r, "UpdateItem " + op.key);
}

Result<WriteOutcome> DynamoSystemStore::remove(const DeleteOp& op) {
  auto k = key_json(op.key);
  if (!k.ok()) return k.status();
  json req = {{"TableName", table_}, {"Key", *k}, {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}};
  ExpressionBuilder b;
  auto cond = condition_expression(op.condition, b);
  if (!cond.ok()) return cond.status();
  if (!cond->empty()) req["ConditionExpression"] = *cond;
  b.attach(req);
  auto r = db_->call("DeleteItem", req);
  if (!r.ok()) return r.status();
  WriteOutcome out;
  if (r->ok()) {
    out.applied = true;
    return out;
  }
  if (r->error_type == "ConditionalCheckFailedException") {
    auto item = item_from(r->body, "Item");
    if (!item.ok()) return item.status();
    out.item = std::move(*item);
    return out;
  }
  return reply_error(*r, "DeleteItem " + op.key);
}

Result<TxnOutcome> DynamoSystemStore::transact(const std::vector<TxnOp>& ops) {
  if (ops.empty()) return TxnOutcome{true, {}};
  if (ops.size() > kMaxTxnOps) return Status(Error::BadArguments, "transaction has more than 100 ops");
  json items = json::array();
  for (const auto& op : ops) {
    json entry;
    ExpressionBuilder b;
    if (auto* u = std::get_if<UpdateOp>(&op)) {
      auto k = key_json(u->key);
      if (!k.ok()) return k.status();
      entry = {{"TableName", table_}, {"Key", *k}};
      if (Status s = fill_update(entry, *u, b); !s.ok()) return s;
      b.attach(entry);
      items.push_back({{"Update", entry}});
      continue;
    }
    const std::string& key = std::holds_alternative<DeleteOp>(op) ? std::get<DeleteOp>(op).key : std::get<CheckOp>(op).key;
    const Condition& c =
        std::holds_alternative<DeleteOp>(op) ? std::get<DeleteOp>(op).condition : std::get<CheckOp>(op).condition;
    auto k = key_json(key);
    if (!k.ok()) return k.status();
    entry = {{"TableName", table_}, {"Key", *k}};
    auto cond = condition_expression(c, b);
    if (!cond.ok()) return cond.status();
    if (cond->empty() && std::holds_alternative<CheckOp>(op)) {
      std::string n = b.name(kKeyAttr);  // a check that always holds
      *cond = "attribute_exists(" + n + ") OR attribute_not_exists(" + n + ")";
    }
    if (!cond->empty()) entry["ConditionExpression"] = *cond;
    b.attach(entry);
    items.push_back({{std::holds_alternative<DeleteOp>(op) ? "Delete" : "ConditionCheck", entry}});
  }

  thread_local std::mt19937_64 rng{std::random_device{}()};
  constexpr int kConflictAttempts = 8;
  for (int attempt = 1;; ++attempt) {
    json req = {{"TransactItems", items}, {"ClientRequestToken", random_token()}};
    auto r = db_->call("TransactWriteItems", req);
    if (!r.ok()) return r.status();
    if (r->ok()) return TxnOutcome{true, {}};
    if (r->error_type != "TransactionCanceledException") return reply_error(*r, "TransactWriteItems");
    TxnOutcome out;
    bool conflict = false, other = false;
    std::string other_code;
    const json& reasons = r->body.contains("CancellationReasons") ? r->body["CancellationReasons"] : json::array();
    for (size_t i = 0; i < reasons.size(); ++i) {
      std::string code = reasons[i].value("Code", "None");
      if (code == "ConditionalCheckFailed") out.failed.push_back(i);
      else if (code == "TransactionConflict" || code == "ThrottlingError" || code == "ProvisionedThroughputExceeded")
        conflict = true;
      else if (code != "None") other = true, other_code = code;
    }
    if (!out.failed.empty()) return out;
    if (other) return Status(Error::BadArguments, "TransactWriteItems cancelled: " + other_code + ": " + r->message);
    if (!conflict) return Status(Error::SystemError, "TransactWriteItems cancelled without reasons: " + r->message);
    if (attempt >= kConflictAttempts)
      return Status(Error::Throttled, "TransactWriteItems: transaction conflict persisted after retries");
    std::uniform_int_distribution<int> d(0, std::min(25 << attempt, 1000));
    std::this_thread::sleep_for(std::chrono::milliseconds(d(rng)));
  }
}

Result<std::vector<std::pair<std::string, Item>>> DynamoSystemStore::scan(const std::string& prefix) {
  bool query = prefix.find(delimiter_) != std::string::npos;
  std::vector<std::pair<std::string, Item>> out;
  json start;
  for (;;) {
    json req = {{"TableName", table_}, {"ConsistentRead", true}};
    ExpressionBuilder b;
    if (query) {
      std::string pn = b.name(kPartitionAttr);
      std::string pv = b.raw_value({{"B", base64_encode(partition_of(prefix, delimiter_))}});
      std::string expr = pn + " = " + pv;
      if (prefix != partition_of(prefix, delimiter_))
        expr += " AND begins_with(" + b.name(kKeyAttr) + ", " + b.raw_value({{"B", base64_encode(prefix)}}) + ")";
      req["KeyConditionExpression"] = expr;
    } else if (!prefix.empty()) {
      req["FilterExpression"] = "begins_with(" + b.name(kKeyAttr) + ", " + b.raw_value({{"B", base64_encode(prefix)}}) + ")";
    }
    b.attach(req);
    if (!start.is_null()) req["ExclusiveStartKey"] = start;
    auto r = db_->call(query ? "Query" : "Scan", req);
    if (!r.ok()) return r.status();
    if (!r->ok()) return reply_error(*r, query ? "Query" : "Scan");
    for (const auto& raw : r->body.value("Items", json::array())) {
      auto key = base64_decode(raw[kKeyAttr]["B"].get<std::string>());
      if (!key.ok()) return key.status();
      auto item = decode_item(raw, reserved_attrs());
      if (!item.ok()) return item.status();
      out.emplace_back(std::move(*key), std::move(*item));
    }
    if (!r->body.contains("LastEvaluatedKey")) break;
    start = r->body["LastEvaluatedKey"];
  }
  if (!query) std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace faaskeeper::aws
