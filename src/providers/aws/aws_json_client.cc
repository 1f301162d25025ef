#include "providers/aws/aws_json_client.h"

namespace faaskeeper::aws {

Status JsonReply::to_status(const std::string& action) const {
  std::string text = action + ": " + error_type + (message.empty() ? "" : ": " + message) + " (HTTP " +
                     std::to_string(status) + ")";
  if (is_throttling_error(error_type) || status == 429) return Status(Error::Throttled, text);
  if (status >= 500) return Status(Error::SystemError, text);
  return Status(Error::ApiError, text);
}

AwsJsonClient::AwsJsonClient(std::shared_ptr<HttpTransport> transport, std::string endpoint, std::string region,
                             std::string service, std::string target_prefix, RetryPolicy retry)
    : transport_(std::move(transport)),
      endpoint_(std::move(endpoint)),
      region_(std::move(region)),
      service_(std::move(service)),
      target_prefix_(std::move(target_prefix)),
      retry_(retry) {}

Result<JsonReply> AwsJsonClient::call(const std::string& action, const nlohmann::json& request,
                                      std::chrono::milliseconds timeout, const std::atomic<uint64_t>* cancel) {
  HttpRequest req;
  req.method = "POST";
  req.url = endpoint_ + "/";
  req.service = service_;
  req.region = region_;
  req.timeout = timeout;
  req.cancel_generation = cancel;
  req.headers = {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", target_prefix_ + "." + action}};
  try {
    req.body = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    return Status(Error::MarshallingError, action + ": request is not valid UTF-8 JSON: " + e.what());
  }
  auto r = send_with_retries(*transport_, req, retry_);
  if (!r.ok()) return r.status();
  JsonReply reply;
  reply.status = r->status;
  if (!r->body.empty()) {
    reply.body = nlohmann::json::parse(r->body, nullptr, false);
    if (reply.body.is_discarded()) {
      if (reply.ok()) return Status(Error::MarshallingError, action + ": unparsable response: " + r->body.substr(0, 200));
      reply.body = nlohmann::json::object();
      reply.message = r->body.substr(0, 500);
    }
  } else {
    reply.body = nlohmann::json::object();
  }
  if (!reply.ok()) {
    reply.error_type = aws_error_type(*r);
    if (reply.error_type.empty()) reply.error_type = "HTTP" + std::to_string(r->status);
    for (const char* k : {"message", "Message"})
      if (reply.body.is_object() && reply.body.contains(k) && reply.body[k].is_string())
        reply.message = reply.body[k].get<std::string>();
  }
  return reply;
}

}  // namespace faaskeeper::aws
