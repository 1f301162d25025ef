#include "providers/aws/lambda/runtime.h"

#include <cstdlib>
#include <iostream>

#include "providers/aws/curl_transport.h"

namespace faaskeeper::aws {

using nlohmann::json;

LambdaRuntimeClient::LambdaRuntimeClient(std::string api, std::shared_ptr<HttpTransport> http)
    : base_("http://" + std::move(api) + "/2018-06-01/runtime"), http_(std::move(http)) {}

Result<LambdaRuntimeClient::Invocation> LambdaRuntimeClient::next() {
  HttpRequest req;
  req.method = "GET";
  req.url = base_ + "/invocation/next";
  req.timeout = std::chrono::milliseconds(-1);  // blocks until an event arrives
  auto r = http_->send(req);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Status(Error::SystemError, "runtime API next: HTTP " + std::to_string(r->status));
  Invocation inv;
  inv.context.request_id = r->header("lambda-runtime-aws-request-id");
  inv.context.deadline_ms = std::atoll(r->header("lambda-runtime-deadline-ms").c_str());
  inv.context.function_arn = r->header("lambda-runtime-invoked-function-arn");
  inv.context.trace_id = r->header("lambda-runtime-trace-id");
  inv.payload = std::move(r->body);
  if (inv.context.request_id.empty()) return Status(Error::MarshallingError, "runtime API next: no request id");
  return inv;
}

Status LambdaRuntimeClient::post(const std::string& path, const std::string& body, const std::string& error_type) {
  HttpRequest req;
  req.method = "POST";
  req.url = base_ + path;
  req.body = body;
  req.headers.push_back({"Content-Type", "application/json"});
  if (!error_type.empty()) req.headers.push_back({"Lambda-Runtime-Function-Error-Type", error_type});
  auto r = http_->send(req);
  if (!r.ok()) return r.status();
  if (r->status != 202 && r->status != 200)
    return Status(Error::SystemError, "runtime API " + path + ": HTTP " + std::to_string(r->status) + " " + r->body);
  return Status::OK();
}

Status LambdaRuntimeClient::respond(const std::string& id, const std::string& body) {
  return post("/invocation/" + id + "/response", body);
}

namespace {
std::string error_body(const std::string& type, const std::string& message) {
  return json{{"errorType", type}, {"errorMessage", message}, {"stackTrace", json::array()}}.dump();
}
}  // namespace

Status LambdaRuntimeClient::fail(const std::string& id, const std::string& type, const std::string& message) {
  return post("/invocation/" + id + "/error", error_body(type, message), type);
}

Status LambdaRuntimeClient::init_error(const std::string& type, const std::string& message) {
  return post("/init/error", error_body(type, message), type);
}

Result<std::string> dispatch_invocation(const LambdaHandlers& h, const LambdaRuntimeClient::Invocation& inv) {
  json event = json::parse(inv.payload, nullptr, false);
  if (!event.is_discarded() && is_sqs_event(event)) {
    if (!h.on_sqs) return Status(Error::Unimplemented, "this function does not handle SQS events");
    auto batch = parse_sqs_event(event, h.fetch);
    if (!batch.ok()) return batch.status();
    auto failed = h.on_sqs(*batch, inv.context);
    if (!failed.ok()) return failed.status();
    return batch_failures_response(fifo_failures(*batch, *failed));
  }
  if (!event.is_discarded() && is_scheduled_event(event)) {
    if (!h.on_schedule) return Status(Error::Unimplemented, "this function does not handle scheduled events");
    Status s = h.on_schedule(event, inv.context);
    if (!s.ok()) return s;
    return std::string("{}");
  }
  if (!h.on_invoke) return Status(Error::Unimplemented, "this function does not handle direct invocations");
  return h.on_invoke(inv.payload, inv.context);
}

int lambda_main(const std::function<Result<LambdaHandlers>(const std::string& handler)>& init) {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (!api || !*api) {
    std::cerr << "bootstrap: AWS_LAMBDA_RUNTIME_API is not set (not running in Lambda)\n";
    return 2;
  }
  auto http = std::make_shared<CurlTransport>(Credentials{}, std::chrono::milliseconds(2000), std::chrono::milliseconds(10000));
  LambdaRuntimeClient rt(api, http);
  const char* handler = std::getenv("_HANDLER");
  auto handlers = init(handler ? handler : "");
  if (!handlers.ok()) {
    std::cerr << "bootstrap: init failed: " << handlers.status().to_string() << "\n";
    (void)rt.init_error("Runtime.InitError", handlers.status().to_string());
    return 1;
  }
  long max = -1;
  if (const char* m = std::getenv("FK_LAMBDA_MAX_INVOCATIONS")) max = std::atol(m);
  for (long n = 0; max < 0 || n < max; ++n) {
    auto inv = rt.next();
    if (!inv.ok()) {
      std::cerr << "bootstrap: next invocation: " << inv.status().to_string() << "\n";
      return 1;
    }
    if (!inv->context.trace_id.empty()) setenv("_X_AMZN_TRACE_ID", inv->context.trace_id.c_str(), 1);
    auto out = dispatch_invocation(*handlers, *inv);
    Status s = out.ok() ? rt.respond(inv->context.request_id, *out)
                        : rt.fail(inv->context.request_id, "FaaSKeeper." + error_name(out.code()), out.status().to_string());
    if (!s.ok()) {
      std::cerr << "bootstrap: reporting " << inv->context.request_id << ": " << s.to_string() << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace faaskeeper::aws
