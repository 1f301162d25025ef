#include "providers/aws/dynamo_user_store.h"

#include <chrono>
#include <thread>

namespace faaskeeper::aws {

using nlohmann::json;

namespace {
DynamoUserStore::Entry::Kind kind_of(const json& item) {
  if (!item.is_object() || item.empty()) return DynamoUserStore::Entry::Kind::Absent;
  if (item.contains("s3")) return DynamoUserStore::Entry::Kind::InS3;
  return DynamoUserStore::Entry::Kind::Inline;
}
Status check_path(const std::string& path) {
  if (path.empty() || !is_valid_utf8(path)) return Status(Error::BadArguments, "user-store path must be non-empty UTF-8");
  return Status::OK();
}
}  // namespace

DynamoUserStore::DynamoUserStore(std::shared_ptr<AwsJsonClient> dynamodb, std::string table)
    : db_(std::move(dynamodb)), table_(std::move(table)) {}

Status DynamoUserStore::create_table(AwsJsonClient& db, const std::string& table) {
  json req = {{"TableName", table},
              {"AttributeDefinitions", json::array({{{"AttributeName", "path"}, {"AttributeType", "S"}}})},
              {"KeySchema", json::array({{{"AttributeName", "path"}, {"KeyType", "HASH"}}})},
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
    if (std::chrono::steady_clock::now() > deadline) return Status(Error::OperationTimeout, "table not ACTIVE");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // polling a remote state
  }
}

Result<DynamoUserStore::Entry> DynamoUserStore::get_entry(const std::string& path) {
  if (Status s = check_path(path); !s.ok()) return s;
  auto r = db_->call("GetItem", {{"TableName", table_}, {"Key", {{"path", {{"S", path}}}}}, {"ConsistentRead", true}});
  if (!r.ok()) return r.status();
  if (!r->ok()) return r->to_status("GetItem " + path);
  Entry e;
  if (!r->body.contains("Item")) return e;
  const json& item = r->body["Item"];
  e.kind = kind_of(item);
  if (e.kind == Entry::Kind::Inline) {
    if (!item.contains("obj") || !item["obj"].contains("B"))
      return Status(Error::MarshallingError, "user-store item without obj: " + path);
    auto b = base64_decode(item["obj"]["B"].get<std::string>());
    if (!b.ok()) return b.status();
    e.object = std::move(*b);
  }
  return e;
}

Result<DynamoUserStore::Entry::Kind> DynamoUserStore::put(const json& item, const std::string& path) {
  auto r = db_->call("PutItem", {{"TableName", table_}, {"Item", item}, {"ReturnValues", "ALL_OLD"}});
  if (!r.ok()) return r.status();
  if (!r->ok()) {
    if (r->error_type == "ValidationException") return Status(Error::BadArguments, "PutItem " + path + ": " + r->message);
    return r->to_status("PutItem " + path);
  }
  return kind_of(r->body.value("Attributes", json::object()));
}

Result<DynamoUserStore::Entry::Kind> DynamoUserStore::put_inline(const std::string& path, const std::string& object) {
  if (Status s = check_path(path); !s.ok()) return s;
  if (object.size() + path.size() > kMaxInlineObject)
    return Status(Error::BadArguments, "object of " + std::to_string(object.size()) +
                                           " bytes exceeds the DynamoDB item limit (use the hybrid user store)");
  return put({{"path", {{"S", path}}}, {"obj", {{"B", base64_encode(object)}}}}, path);
}

Result<DynamoUserStore::Entry::Kind> DynamoUserStore::put_pointer(const std::string& path, size_t size) {
  if (Status s = check_path(path); !s.ok()) return s;
  return put({{"path", {{"S", path}}}, {"s3", {{"N", std::to_string(size)}}}}, path);
}

Result<DynamoUserStore::Entry::Kind> DynamoUserStore::remove_entry(const std::string& path) {
  if (Status s = check_path(path); !s.ok()) return s;
  auto r = db_->call("DeleteItem",
                     {{"TableName", table_}, {"Key", {{"path", {{"S", path}}}}}, {"ReturnValues", "ALL_OLD"}});
  if (!r.ok()) return r.status();
  if (!r->ok()) return r->to_status("DeleteItem " + path);
  return kind_of(r->body.value("Attributes", json::object()));
}

Result<std::optional<std::string>> DynamoUserStore::get(const std::string& path) {
  auto e = get_entry(path);
  if (!e.ok()) return e.status();
  switch (e->kind) {
    case Entry::Kind::Absent: return std::optional<std::string>();
    case Entry::Kind::Inline: return std::optional<std::string>(std::move(e->object));
    case Entry::Kind::InS3: break;
  }
  return Status(Error::DataInconsistency, "node " + path + " is stored in S3; read it through HybridUserStore");
}

Status DynamoUserStore::write(const std::vector<UserWrite>& writes) {
  for (const auto& w : writes) {
    if (w.object) {
      auto r = put_inline(w.path, *w.object);
      if (!r.ok()) return r.status();
    } else if (auto r = remove_entry(w.path); !r.ok()) {
      return r.status();
    }
  }
  return Status::OK();
}

}  // namespace faaskeeper::aws
