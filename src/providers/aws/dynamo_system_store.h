// SystemStore on one DynamoDB table.
//
// Table layout (docs/aws.md "System store table"):
//   fk_pk  (B, HASH)   partition: the key up to and including its first delimiter ('/' by
//                      default), or the whole key when it has none;
//   fk_key (B, RANGE)  the SystemStore key itself (binary: keys are arbitrary bytes and sort
//                      as unsigned bytes, as the interface requires);
//   every other attribute is an Item attribute (see dynamo_codec.h for the type mapping).
// scan(prefix) is a strongly consistent Query (fk_pk = partition(prefix) AND
// begins_with(fk_key, prefix)) when the prefix contains the delimiter, so every key with that
// prefix shares the partition; otherwise a consistent Scan with the same filter, sorted here.
// Item attribute names must not be fk_pk, fk_key or fk_noop.
#pragma once

#include <memory>
#include <string>

#include "providers/aws/aws_json_client.h"
#include "providers/system_store.h"

namespace faaskeeper::aws {

class DynamoSystemStore final : public SystemStore {
 public:
  static constexpr const char* kPartitionAttr = "fk_pk";
  static constexpr const char* kKeyAttr = "fk_key";

  // `dynamodb` is a client for the DynamoDB endpoint (target prefix DynamoDB_20120810).
  DynamoSystemStore(std::shared_ptr<AwsJsonClient> dynamodb, std::string table, char delimiter = '/');

  // Creates the table (on-demand billing) if it does not exist and waits until it is ACTIVE.
  static Status create_table(AwsJsonClient& dynamodb, const std::string& table);
  // The partition value of `key` for `delimiter`.
  static std::string partition_of(const std::string& key, char delimiter);

  Result<std::optional<Item>> get(const std::string& key) override;
  Result<WriteOutcome> update(const UpdateOp& op) override;
  Result<WriteOutcome> remove(const DeleteOp& op) override;
  // Retries (with backoff) transactions cancelled only by TransactionConflict; a transaction
  // cancelled by conditions reports those ops in `failed`.
  Result<TxnOutcome> transact(const std::vector<TxnOp>& ops) override;
  Result<std::vector<std::pair<std::string, Item>>> scan(const std::string& prefix) override;

 private:
  Result<nlohmann::json> key_json(const std::string& key) const;
  Result<std::optional<Item>> item_from(const nlohmann::json& body, const char* field) const;

  std::shared_ptr<AwsJsonClient> db_;
  std::string table_;
  char delimiter_;
};

}  // namespace faaskeeper::aws
