// UserStore on S3: one object per node, key = <prefix> + path ("znode/a/b"; the root is
// "znode/"). Objects are the node-object bytes unchanged, so any S3 client can read a node.
#pragma once

#include <memory>
#include <string>

#include "providers/aws/s3_client.h"
#include "providers/user_store.h"

namespace faaskeeper::aws {

class S3UserStore final : public UserStore {
 public:
  S3UserStore(std::shared_ptr<S3Client> s3, std::string bucket, std::string prefix = "znode");

  // The S3 key of `path`.
  std::string key_of(const std::string& path) const { return prefix_ + path; }

  Result<std::optional<std::string>> get(const std::string& path) override;
  // Applies the writes in order, one request each (PUT or DELETE, both idempotent); stops at
  // the first failure.
  Status write(const std::vector<UserWrite>& writes) override;

 private:
  std::shared_ptr<S3Client> s3_;
  std::string bucket_, prefix_;
};

}  // namespace faaskeeper::aws
