// Where and as whom the aws provider talks to AWS (or to API-compatible emulators).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "faaskeeper/error.h"

namespace faaskeeper::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials (Lambda, STS)
};

// Retries with "full jitter" exponential backoff: attempt n (1-based) sleeps a uniformly random
// time in [0, min(cap, base * 2^(n-1))] before attempt n+1.
struct RetryPolicy {
  int max_attempts = 6;  // including the first
  std::chrono::milliseconds base{25};
  std::chrono::milliseconds cap{2000};
};

struct AwsConfig {
  std::string region = "us-east-1";
  Credentials credentials;
  // Endpoint overrides by service name ("dynamodb", "s3", "sqs"), e.g. "http://127.0.0.1:8000".
  // Absent: the public regional endpoint https://<service>.<region>.amazonaws.com.
  std::map<std::string, std::string> endpoints;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{10000};  // per attempt; long polls add their wait
  RetryPolicy retry;

  // The endpoint URL (no trailing '/') for `service`.
  std::string endpoint(const std::string& service) const;
  // True when `service` uses an override (emulators): S3 then uses path-style URLs.
  bool overridden(const std::string& service) const { return endpoints.count(service) > 0; }

  // Reads the standard AWS sources, first match wins:
  //  credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the
  //    profile AWS_PROFILE (default "default") of AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials)
  //    and of AWS_CONFIG_FILE (~/.aws/config, section "profile NAME" or "default");
  //  region: AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, else us-east-1;
  //  endpoints: AWS_ENDPOINT_URL_<SERVICE> (DYNAMODB, S3, SQS), then AWS_ENDPOINT_URL for all.
  // Fails with BadArguments when no credentials are found.
  static Result<AwsConfig> from_environment();
};

// Parses an INI file of the ~/.aws kind into section -> key -> value (keys lower-cased,
// values trimmed). Comments start with '#' or ';'.
std::map<std::string, std::map<std::string, std::string>> parse_aws_ini(const std::string& text);

}  // namespace faaskeeper::aws
