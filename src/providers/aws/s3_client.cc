#include "providers/aws/s3_client.h"

namespace faaskeeper::aws {

namespace {
Status s3_error(const std::string& what, const HttpResponse& r) {
  std::string type = aws_error_type(r);
  std::string text = "S3 " + what + ": HTTP " + std::to_string(r.status) + (type.empty() ? "" : " " + type);
  if (r.status == 429 || is_throttling_error(type)) return Status(Error::Throttled, text);
  if (r.status >= 500) return Status(Error::SystemError, text);
  return Status(Error::ApiError, text);
}
}  // namespace

S3Client::S3Client(std::shared_ptr<HttpTransport> transport, std::string endpoint, std::string region,
                   bool path_style, RetryPolicy retry)
    : transport_(std::move(transport)),
      endpoint_(std::move(endpoint)),
      region_(std::move(region)),
      path_style_(path_style),
      retry_(retry) {
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
}

S3Client::S3Client(std::shared_ptr<HttpTransport> transport, const AwsConfig& cfg)
    : S3Client(std::move(transport), cfg.endpoint("s3"), cfg.region, cfg.overridden("s3"), cfg.retry) {}

std::string S3Client::object_url(const std::string& bucket, const std::string& key) const {
  if (path_style_) return endpoint_ + "/" + bucket + "/" + uri_encode(key, true);
  return "https://" + bucket + ".s3." + region_ + ".amazonaws.com/" + uri_encode(key, true);
}

Result<HttpResponse> S3Client::call(const std::string& method, const std::string& url, const std::string& body) {
  HttpRequest req;
  req.method = method;
  req.url = url;
  req.body = body;
  req.service = "s3";
  req.region = region_;
  if (method == "PUT") req.headers.push_back({"Content-Type", "application/octet-stream"});
  return send_with_retries(*transport_, req, retry_);
}

Result<std::optional<std::string>> S3Client::get_object(const std::string& bucket, const std::string& key) {
  auto r = call("GET", object_url(bucket, key), "");
  if (!r.ok()) return r.status();
  if (r->status == 404) return std::optional<std::string>();
  if (r->status != 200) return s3_error("GetObject " + key, *r);
  return std::optional<std::string>(std::move(r->body));
}

Status S3Client::put_object(const std::string& bucket, const std::string& key, const std::string& body) {
  auto r = call("PUT", object_url(bucket, key), body);
  if (!r.ok()) return r.status();
  if (r->status != 200) return s3_error("PutObject " + key, *r);
  return Status::OK();
}

Status S3Client::delete_object(const std::string& bucket, const std::string& key) {
  auto r = call("DELETE", object_url(bucket, key), "");
  if (!r.ok()) return r.status();
  if (r->status != 204 && r->status != 200 && r->status != 404) return s3_error("DeleteObject " + key, *r);
  return Status::OK();
}

Status S3Client::create_bucket(const std::string& bucket) {
  std::string url = path_style_ ? endpoint_ + "/" + bucket : "https://" + bucket + ".s3." + region_ + ".amazonaws.com/";
  std::string body;
  if (region_ != "us-east-1")
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
           region_ + "</LocationConstraint></CreateBucketConfiguration>";
  auto r = call("PUT", url, body);
  if (!r.ok()) return r.status();
  if (r->status == 200) return Status::OK();
  std::string type = aws_error_type(*r);
  if (type == "BucketAlreadyOwnedByYou" || type == "BucketAlreadyExists") return Status::OK();
  return s3_error("CreateBucket " + bucket, *r);
}

}  // namespace faaskeeper::aws
