// Wiring of the aws provider: one config, one call that builds every store and queue.
//
//   auto cfg = aws::AwsProviderConfig::from_environment();   // in a Lambda, or a tool
//   auto p = aws::make_aws_providers(*cfg);                  // stores + queues
//   p->system_store, p->user_store, p->writer_queue, p->distributor_queue
//
// Environment (set by deploy/aws/faaskeeper.yaml on every function; defaults in brackets):
//   FK_SYSTEM_TABLE [faaskeeper-system]   SystemStore table (DynamoSystemStore layout)
//   FK_USER_STORE   [hybrid]              s3 | dynamodb | hybrid
//   FK_USER_TABLE   [faaskeeper-data]     DynamoDB user-store table (dynamodb, hybrid)
//   FK_BUCKET       [faaskeeper-data]     S3 bucket (s3, hybrid, and SQS offload)
//   FK_USER_PREFIX  [znode]               S3 key prefix of node objects
//   FK_HYBRID_INLINE_MAX [4096]           hybrid: largest object kept in DynamoDB
//   FK_WRITER_QUEUE_URL / FK_DISTRIBUTOR_QUEUE_URL / FK_WATCH_QUEUE_URL   queue URLs, or
//   FK_WRITER_QUEUE [faaskeeper-writer.fifo] / FK_DISTRIBUTOR_QUEUE [faaskeeper-distributor.fifo]
//   / FK_WATCH_QUEUE [faaskeeper-watch.fifo]   queue names resolved with GetQueueUrl
//                                         (the watch queue carries distributor -> watch function)
//   FK_SQS_OFFLOAD_PREFIX [sqs-offload/]  S3 prefix of message bodies over the SQS limit
// The function bootstrap (lambda/bootstrap.cc) also reads:
//   FK_CHANNEL_CONNECT_TIMEOUT_MS [1000] / FK_CHANNEL_IO_TIMEOUT_MS [2000]   TcpClientChannel
// plus AwsConfig::from_environment (credentials, region, AWS_ENDPOINT_URL_*).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "providers/aws/aws_config.h"
#include "providers/aws/aws_json_client.h"
#include "providers/aws/http.h"
#include "providers/aws/s3_client.h"
#include "providers/queue.h"
#include "providers/system_store.h"
#include "providers/user_store.h"

namespace faaskeeper::aws {

struct AwsProviderConfig {
  AwsConfig aws;
  std::string system_table = "faaskeeper-system";
  enum class UserStoreKind { S3, DynamoDB, Hybrid } user_store = UserStoreKind::Hybrid;
  std::string user_table = "faaskeeper-data";
  std::string bucket = "faaskeeper-data";
  std::string user_prefix = "znode";
  size_t hybrid_inline_max = 4096;
  std::string writer_queue_url, distributor_queue_url, watch_queue_url;  // empty: resolved from the names
  std::string writer_queue_name = "faaskeeper-writer.fifo";
  std::string distributor_queue_name = "faaskeeper-distributor.fifo";
  std::string watch_queue_name = "faaskeeper-watch.fifo";
  std::string offload_prefix = "sqs-offload/";

  static Result<AwsProviderConfig> from_environment();
  // The same keys as JSON ({"system_table": ..., "user_store": "hybrid", "aws": {"region":
  // ..., "endpoints": {"dynamodb": ...}}}); credentials always come from the environment.
  static Result<AwsProviderConfig> from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;
};

struct AwsProviders {
  std::shared_ptr<HttpTransport> transport;
  std::shared_ptr<AwsJsonClient> dynamodb, sqs;
  std::shared_ptr<S3Client> s3;
  std::shared_ptr<SystemStore> system_store;
  std::shared_ptr<UserStore> user_store;
  std::shared_ptr<Queue> writer_queue, distributor_queue, watch_queue;
};

// Builds clients, stores and queues. Resolves queue URLs by name when not given (one
// GetQueueUrl each). `transport` defaults to a CurlTransport on cfg.aws.
Result<AwsProviders> make_aws_providers(const AwsProviderConfig& cfg, std::shared_ptr<HttpTransport> transport = nullptr);

// Creates the tables, bucket and FIFO queues the config names (idempotent) and fills in the
// queue URLs: for emulators and development accounts; production uses deploy/aws.
Status create_aws_resources(AwsProviderConfig& cfg, std::shared_ptr<HttpTransport> transport = nullptr);

}  // namespace faaskeeper::aws
