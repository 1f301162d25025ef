// HttpTransport on libcurl. Signs with curl's own SigV4 (CURLOPT_AWS_SIGV4) using static
// credentials; adds x-amz-content-sha256 (required by S3) and x-amz-security-token.
#pragma once

#include <chrono>

#include "providers/aws/aws_config.h"
#include "providers/aws/http.h"

namespace faaskeeper::aws {

class CurlTransport final : public HttpTransport {
 public:
  // `credentials` sign every request that names a service; the timeouts apply to each
  // request whose own timeout is zero. One easy handle per thread keeps connections alive.
  CurlTransport(Credentials credentials, std::chrono::milliseconds connect_timeout,
                std::chrono::milliseconds request_timeout);
  explicit CurlTransport(const AwsConfig& cfg)
      : CurlTransport(cfg.credentials, cfg.connect_timeout, cfg.request_timeout) {}

  Result<HttpResponse> send(const HttpRequest& request) override;

 private:
  Credentials credentials_;
  std::chrono::milliseconds connect_timeout_;
  std::chrono::milliseconds request_timeout_;
};

}  // namespace faaskeeper::aws
