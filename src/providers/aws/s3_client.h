// The few S3 REST calls the provider needs: GetObject, PutObject, DeleteObject (+ CreateBucket
// for tests and tooling).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "providers/aws/aws_config.h"
#include "providers/aws/http.h"

namespace faaskeeper::aws {

class S3Client {
 public:
  // path_style: URLs are <endpoint>/<bucket>/<key> (emulators, endpoint overrides);
  // otherwise https://<bucket>.s3.<region>.amazonaws.com/<key>.
  S3Client(std::shared_ptr<HttpTransport> transport, std::string endpoint, std::string region, bool path_style,
           RetryPolicy retry);
  // From a config: the "s3" endpoint, path-style iff it is overridden.
  S3Client(std::shared_ptr<HttpTransport> transport, const AwsConfig& cfg);

  // The object's bytes; nullopt on 404 (NoSuchKey).
  Result<std::optional<std::string>> get_object(const std::string& bucket, const std::string& key);
  // Stores the object (replacing any). Durable and readable by get_object on return.
  Status put_object(const std::string& bucket, const std::string& key, const std::string& body);
  // Removes the object; removing an absent object is OK.
  Status delete_object(const std::string& bucket, const std::string& key);
  // Creates the bucket; an existing bucket owned by us is OK.
  Status create_bucket(const std::string& bucket);

  std::string object_url(const std::string& bucket, const std::string& key) const;

 private:
  Result<HttpResponse> call(const std::string& method, const std::string& url, const std::string& body);
  std::shared_ptr<HttpTransport> transport_;
  std::string endpoint_, region_;
  bool path_style_;
  RetryPolicy retry_;
};

}  // namespace faaskeeper::aws
