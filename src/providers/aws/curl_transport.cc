#include "providers/aws/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace faaskeeper::aws {

namespace {

std::once_flag g_curl_init;

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

// One easy handle per thread: reuse keeps the connection cache (keep-alive) warm.
CURL* thread_handle() {
  thread_local std::unique_ptr<CURL, EasyDeleter> handle;
  if (!handle) handle.reset(curl_easy_init());
  else curl_easy_reset(handle.get());
  return handle.get();
}

struct Transfer {
  HttpResponse* response = nullptr;
  const std::atomic<uint64_t>* cancel = nullptr;
  uint64_t cancel_start = 0;
};

size_t on_write(char* ptr, size_t size, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  t->response->body.append(ptr, size * n);
  return size * n;
}

size_t on_header(char* buf, size_t size, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  std::string line(buf, size * n);
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (e.g. after 100-continue): reset
    t->response->headers.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    size_t b = value.find_first_not_of(" \t");
    size_t e = value.find_last_not_of(" \t\r\n");
    value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
    t->response->headers[name] = value;
  }
  return size * n;
}

int on_progress(void* ud, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(ud);
  return (t->cancel && t->cancel->load() != t->cancel_start) ? 1 : 0;
}

}  // namespace

CurlTransport::CurlTransport(Credentials credentials, std::chrono::milliseconds connect_timeout,
                             std::chrono::milliseconds request_timeout)
    : credentials_(std::move(credentials)), connect_timeout_(connect_timeout), request_timeout_(request_timeout) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_ALL); });
}

Result<HttpResponse> CurlTransport::send(const HttpRequest& req) {
  CURL* c = thread_handle();
  if (!c) return Status(Error::SystemError, "curl_easy_init failed");
  HttpResponse response;
  Transfer t;
  t.response = &response;
  t.cancel = req.cancel_generation;
  if (t.cancel) t.cancel_start = t.cancel->load();

  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);  // S3 keys are not paths to normalise
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(connect_timeout_.count()));
  long timeout = req.timeout.count() == 0 ? long(request_timeout_.count()) : long(req.timeout.count());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout < 0 ? 0L : timeout);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);

  if (req.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    // PUT/POST/DELETE with an in-memory body. CURLOPT_POSTFIELDS lets curl's SigV4 code hash
    // the payload itself (it agrees with the x-amz-content-sha256 header added below).
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(req.body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
    if (req.method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }

  struct curl_slist* headers = nullptr;
  bool has_type = false;
  for (const auto& [k, v] : req.headers) {
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
    if (k == "Content-Type" || k == "content-type") has_type = true;
  }
  // Suppress curl defaults that would otherwise be sent (and signed) implicitly.
  headers = curl_slist_append(headers, "Expect:");
  if (!has_type && req.method != "GET" && req.method != "HEAD")
    headers = curl_slist_append(headers, "Content-Type:");
  std::string sigv4;
  if (!req.service.empty()) {
    headers = curl_slist_append(headers, ("x-amz-content-sha256: " + sha256_hex(req.body)).c_str());
    if (!credentials_.session_token.empty())
      headers = curl_slist_append(headers, ("x-amz-security-token: " + credentials_.session_token).c_str());
    sigv4 = "aws:amz:" + req.region + ":" + req.service;
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(c, CURLOPT_USERNAME, credentials_.access_key_id.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, credentials_.secret_access_key.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    std::string msg = std::string(curl_easy_strerror(rc)) + " (" + req.method + " " + req.url + ")";
    switch (rc) {
      case CURLE_OPERATION_TIMEDOUT: return Status(Error::OperationTimeout, msg);
      case CURLE_ABORTED_BY_CALLBACK: return Status(Error::Closing, msg);
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
      case CURLE_SSL_CONNECT_ERROR: return Status(Error::ConnectionLoss, msg);
      default: return Status(Error::SystemError, msg);
    }
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace faaskeeper::aws
