// The paper's "hybrid" user store: small nodes live in DynamoDB (one consistent GetItem per
// read), large ones in S3, chosen per write by object size.
//
// Every node has an item in the DynamoDB table (see DynamoUserStore): either the object
// itself (`obj`, size <= inline_max) or a pointer (`s3`) to the S3 object <prefix><path>.
// Lookup rule (any client, any language):
//   1. GetItem(path, ConsistentRead). No item: the node does not exist.
//   2. `obj` present: that is the node.
//   3. `s3` present: GetObject(bucket, prefix + path). On 404 start again at 1 (the node moved
//      back inline or was deleted between the two reads); give up after a few rounds.
// Write order keeps "a pointer implies the S3 object exists" at every instant:
//   small -> large : PUT S3 object, then PutItem pointer (the switch is the PutItem).
//   large -> large : PUT S3 object (overwrite), then PutItem pointer (same pointer).
//   large -> small : PutItem inline, then DELETE the S3 object (PutItem's ALL_OLD tells
//                    whether the old item was a pointer, so small writes cost no S3 call).
//   delete         : DeleteItem, then DELETE the S3 object if the item was a pointer.
// A crash between the two steps leaves at most an unreferenced S3 object, which the
// distributor's redo of the batch removes or overwrites.
#pragma once

#include <memory>

#include "providers/aws/dynamo_user_store.h"
#include "providers/aws/s3_user_store.h"

namespace faaskeeper::aws {

class HybridUserStore final : public UserStore {
 public:
  // Objects of at most `inline_max` bytes are stored in DynamoDB. The default, 4 KiB, is where
  // a DynamoDB write (1 WRU per KB) starts to cost more than an S3 PUT.
  static constexpr size_t kDefaultInlineMax = 4096;

  HybridUserStore(std::shared_ptr<DynamoUserStore> index, std::shared_ptr<S3UserStore> blobs,
                  size_t inline_max = kDefaultInlineMax);

  Result<std::optional<std::string>> get(const std::string& path) override;
  Status write(const std::vector<UserWrite>& writes) override;

 private:
  Status write_one(const UserWrite& w);
  std::shared_ptr<DynamoUserStore> index_;
  std::shared_ptr<S3UserStore> blobs_;
  size_t inline_max_;
};

}  // namespace faaskeeper::aws
