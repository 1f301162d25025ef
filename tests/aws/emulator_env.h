// Shared set-up for tests that run against the AWS API emulators started by
// tests/harness/emulators/with-emulators.sh (which exports AWS_ENDPOINT_URL_* and credentials).
#pragma once

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include <unistd.h>

#include "providers/aws/aws_config.h"
#include "providers/aws/aws_json_client.h"
#include "providers/aws/curl_transport.h"
#include "providers/aws/s3_client.h"

namespace faaskeeper::aws::testing {

// The emulators' config, or nullptr when the harness did not start them.
inline const AwsConfig* emulator_config() {
  static std::unique_ptr<AwsConfig> cfg = []() -> std::unique_ptr<AwsConfig> {
    if (!std::getenv("FK_AWS_EMULATORS")) return nullptr;
    auto c = AwsConfig::from_environment();
    if (!c.ok()) return nullptr;
    c->request_timeout = std::chrono::milliseconds(30000);
    return std::make_unique<AwsConfig>(*c);
  }();
  return cfg.get();
}

inline bool has_service(const char* svc) {
  const AwsConfig* c = emulator_config();
  return c && c->overridden(svc);
}

struct Clients {
  std::shared_ptr<HttpTransport> transport;
  std::shared_ptr<AwsJsonClient> dynamodb, sqs;
  std::shared_ptr<S3Client> s3;
};

inline Clients& clients() {
  static Clients c = [] {
    Clients k;
    const AwsConfig& cfg = *emulator_config();
    k.transport = std::make_shared<CurlTransport>(cfg);
    k.dynamodb = std::make_shared<AwsJsonClient>(k.transport, cfg.endpoint("dynamodb"), cfg.region, "dynamodb",
                                                 "DynamoDB_20120810", cfg.retry);
    k.sqs = std::make_shared<AwsJsonClient>(k.transport, cfg.endpoint("sqs"), cfg.region, "sqs", "AmazonSQS", cfg.retry);
    k.s3 = std::make_shared<S3Client>(k.transport, cfg);
    return k;
  }();
  return c;
}

// A name no earlier call in this process (or another test process) returned.
inline std::string unique_name(const std::string& base) {
  static std::atomic<int> n{0};
  return base + "-" + std::to_string(getpid()) + "-" + std::to_string(n++);
}

}  // namespace faaskeeper::aws::testing
