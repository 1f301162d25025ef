// UserStore on a DynamoDB table: one item per node, hash key `path` (S), the node object in
// `obj` (B). Reads are strongly consistent GetItems. DynamoDB caps an item at 400 KB, so
// objects larger than kMaxInlineObject are rejected with BadArguments: use HybridUserStore to
// keep large nodes in S3.
//
// The same table also holds HybridUserStore's pointer items: `path` plus `s3` (N, the object
// size), meaning "the object is in S3".
#pragma once

#include <memory>
#include <string>

#include "providers/aws/aws_json_client.h"
#include "providers/user_store.h"

namespace faaskeeper::aws {

class DynamoUserStore final : public UserStore {
 public:
  // Largest object stored inline: 400 KB item limit less room for the key and names.
  static constexpr size_t kMaxInlineObject = 400 * 1024 - 2048;

  DynamoUserStore(std::shared_ptr<AwsJsonClient> dynamodb, std::string table);
  static Status create_table(AwsJsonClient& dynamodb, const std::string& table);

  // What the table holds for a path.
  struct Entry {
    enum class Kind { Absent, Inline, InS3 } kind = Kind::Absent;
    std::string object;  // Inline only
  };
  Result<Entry> get_entry(const std::string& path);
  // Stores the object inline; returns what the item was before (Absent/Inline/InS3).
  Result<Entry::Kind> put_inline(const std::string& path, const std::string& object);
  // Replaces the item by a pointer to S3; returns the previous kind.
  Result<Entry::Kind> put_pointer(const std::string& path, size_t size);
  // Deletes the item; returns the previous kind.
  Result<Entry::Kind> remove_entry(const std::string& path);

  Result<std::optional<std::string>> get(const std::string& path) override;
  // One PutItem/DeleteItem per write, in order; an InS3 pointer read by get() is an error
  // (DataInconsistency): this store alone cannot follow it.
  Status write(const std::vector<UserWrite>& writes) override;

 private:
  Result<Entry::Kind> put(const nlohmann::json& item, const std::string& path);
  std::shared_ptr<AwsJsonClient> db_;
  std::string table_;
};

}  // namespace faaskeeper::aws
