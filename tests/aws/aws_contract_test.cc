// The provider contract (tests/providers/contract.h) against the AWS provider on emulators:
// DynamoSystemStore on DynamoDB Local, S3UserStore and HybridUserStore on s3rver + DynamoDB
// Local, SqsQueue on fauxqs. Every factory call makes a fresh table / prefix / queue.
// Run through tests/harness/emulators/with-emulators.sh; skipped without the emulators.
#include <gtest/gtest.h>

#include "emulator_env.h"
#include "providers/aws/dynamo_system_store.h"
#include "providers/aws/dynamo_user_store.h"
#include "providers/aws/hybrid_user_store.h"
#include "providers/aws/s3_user_store.h"
#include "providers/aws/sqs_queue.h"
#include "tests/providers/contract.h"

namespace faaskeeper::aws::testing {
namespace {

const std::string& shared_bucket() {
  static std::string bucket = [] {
    std::string b = "fk-contract-" + std::to_string(getpid());
    Status s = clients().s3->create_bucket(b);
    if (!s.ok()) ADD_FAILURE() << s.to_string();
    return b;
  }();
  return bucket;
}

std::unique_ptr<SystemStore> make_system_store() {
  std::string table = unique_name("sys");
  Status s = DynamoSystemStore::create_table(*clients().dynamodb, table);
  if (!s.ok()) {
    ADD_FAILURE() << s.to_string();
    return nullptr;
  }
  return std::make_unique<DynamoSystemStore>(clients().dynamodb, table);
}

std::unique_ptr<UserStore> make_s3_user_store() {
  return std::make_unique<S3UserStore>(clients().s3, shared_bucket(), unique_name("s3store") + "/znode");
}

std::unique_ptr<UserStore> make_hybrid_user_store() {
  std::string table = unique_name("data");
  Status s = DynamoUserStore::create_table(*clients().dynamodb, table);
  if (!s.ok()) {
    ADD_FAILURE() << s.to_string();
    return nullptr;
  }
  auto index = std::make_shared<DynamoUserStore>(clients().dynamodb, table);
  auto blobs = std::make_shared<S3UserStore>(clients().s3, shared_bucket(), unique_name("hybrid") + "/znode");
  return std::make_unique<HybridUserStore>(index, blobs, 64);  // small threshold: both tiers used
}

std::unique_ptr<Queue> make_queue(Clock&) {
  auto url = SqsQueue::create_fifo_queue(*clients().sqs, unique_name("q") + ".fifo");
  if (!url.ok()) {
    ADD_FAILURE() << url.status().to_string();
    return nullptr;
  }
  SqsOffload offload{clients().s3, shared_bucket(), "sqs-offload/", kSqsInlineMax};
  return std::make_unique<SqsQueue>(clients().sqs, *url, offload);
}

contract::ProviderFactory skipped(const char* name) {
  contract::ProviderFactory f;
  f.name = std::string(name) + " (emulators not running)";
  return f;  // every member empty: the suites skip
}

contract::ProviderFactory dynamo_sqs_s3() {
  if (!emulator_config()) return skipped("aws");
  contract::ProviderFactory f;
  f.name = "aws: DynamoDB Local + s3rver + fauxqs";
  if (has_service("dynamodb")) f.system_store = make_system_store;
  if (has_service("s3")) f.user_store = make_s3_user_store;
  if (has_service("sqs") && has_service("s3")) f.queue = make_queue;
  f.queue_follows_clock = false;
  f.visibility = std::chrono::milliseconds(1000);
  return f;
}

contract::ProviderFactory hybrid() {
  if (!emulator_config() || !has_service("dynamodb") || !has_service("s3")) return skipped("hybrid");
  contract::ProviderFactory f;
  f.name = "aws hybrid user store";
  f.user_store = make_hybrid_user_store;
  return f;
}

}  // namespace
}  // namespace faaskeeper::aws::testing

FK_INSTANTIATE_PROVIDER_CONTRACT(Aws, faaskeeper::aws::testing::dynamo_sqs_s3());
INSTANTIATE_TEST_SUITE_P(AwsHybrid, UserStoreContract, ::testing::Values(faaskeeper::aws::testing::hybrid()));
