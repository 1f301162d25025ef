#include "providers/aws/s3_user_store.h"

namespace faaskeeper::aws {

S3UserStore::S3UserStore(std::shared_ptr<S3Client> s3, std::string bucket, std::string prefix)
    : s3_(std::move(s3)), bucket_(std::move(bucket)), prefix_(std::move(prefix)) {}

Result<std::optional<std::string>> S3UserStore::get(const std::string& path) {
  return s3_->get_object(bucket_, key_of(path));
}

Status S3UserStore::write(const std::vector<UserWrite>& writes) {
  for (const auto& w : writes) {
    Status s = w.object ? s3_->put_object(bucket_, key_of(w.path), *w.object) : s3_->delete_object(bucket_, key_of(w.path));
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace faaskeeper::aws
