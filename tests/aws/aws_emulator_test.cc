// AWS-specific behaviour on the emulators, beyond the provider contract: SQS bodies over the
// size limit go through S3, the hybrid store moves nodes between tiers and stays readable,
// DynamoDB's item limit and Query pagination, and the wiring in aws_provider.h.
#include <gtest/gtest.h>

#include "emulator_env.h"
#include "providers/aws/aws_provider.h"
#include "providers/aws/dynamo_system_store.h"
#include "providers/aws/dynamo_user_store.h"
#include "providers/aws/hybrid_user_store.h"
#include "providers/aws/s3_user_store.h"
#include "providers/aws/sqs_queue.h"

namespace faaskeeper::aws::testing {
namespace {

using std::chrono::milliseconds;

class Emulators : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!has_service("dynamodb") || !has_service("s3") || !has_service("sqs"))
      GTEST_SKIP() << "needs the emulators (tests/harness/emulators/with-emulators.sh)";
    bucket = unique_name("fk-aws");
    ASSERT_TRUE(clients().s3->create_bucket(bucket).ok());
  }
  std::string bucket;
};

std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 2654435761u + seed) >> 11);
  return s;
}

TEST_F(Emulators, SqsMessagesOverTheLimitTravelThroughS3) {
  auto url = SqsQueue::create_fifo_queue(*clients().sqs, unique_name("big") + ".fifo");
  ASSERT_TRUE(url.ok()) << url.status().to_string();
  SqsOffload offload{clients().s3, bucket, "off/", kSqsInlineMax};
  SqsQueue q(clients().sqs, *url, offload);
  const std::string small = "small text";
  const std::string big = pattern(300 * 1024, 1);   // binary: base64 alone would be 400 KiB
  const std::string huge = pattern(1536 * 1024, 2);  // over the node data limit too
  auto s1 = q.send("g", "d1", small);
  auto s2 = q.send("g", "d2", big);
  auto s3 = q.send("g", "d3", huge);
  ASSERT_TRUE(s1.ok() && s2.ok() && s3.ok()) << s2.status().to_string() << s3.status().to_string();
  EXPECT_LT(*s1, *s2);
  EXPECT_LT(*s2, *s3);
  // The bodies wait in S3 under the documented keys.
  const std::string big_key = q.offload_key("g", "d2", big);
  ASSERT_EQ(clients().s3->get_object(bucket, big_key)->value_or(""), big);

  // (fauxqs hands out one message per group per receive, real SQS up to 10: ack as we go.)
  std::vector<QueueMessage> got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (got.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    auto r = q.receive(10, milliseconds(1000), milliseconds(30000));
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    std::vector<std::string> receipts;
    for (auto& m : *r) receipts.push_back(m.receipt);
    got.insert(got.end(), r->begin(), r->end());
    ASSERT_TRUE(q.ack(receipts).ok());
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].body, small);
  EXPECT_EQ(got[1].body, big);
  EXPECT_EQ(got[2].body, huge);
  EXPECT_EQ(got[1].sequence, *s2);
  EXPECT_EQ(got[1].dedup_id, "d2");
  // Acking removed the offloaded bodies.
  EXPECT_FALSE(clients().s3->get_object(bucket, big_key)->has_value());
  EXPECT_FALSE(clients().s3->get_object(bucket, q.offload_key("g", "d3", huge))->has_value());
  // A duplicate send of an offloaded body is deduplicated like any other.
  EXPECT_EQ(*q.send("g", "d2", big), *s2);
  auto none = q.receive(10, milliseconds(0), milliseconds(30000));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(Emulators, SqsWithoutOffloadRejectsOversizedBodiesClearly) {
  auto url = SqsQueue::create_fifo_queue(*clients().sqs, unique_name("nooff") + ".fifo");
  ASSERT_TRUE(url.ok());
  SqsQueue q(clients().sqs, *url);
  auto r = q.send("g", "d", std::string(300 * 1024, 'x'));
  EXPECT_EQ(r.code(), Error::BadArguments);
  EXPECT_TRUE(q.send("g", "d2", std::string(200 * 1024, 'x')).ok());
}

TEST_F(Emulators, HybridStoreMovesNodesBetweenTiersAndAlwaysReadsThem) {
  std::string table = unique_name("hyb");
  ASSERT_TRUE(DynamoUserStore::create_table(*clients().dynamodb, table).ok());
  auto index = std::make_shared<DynamoUserStore>(clients().dynamodb, table);
  auto blobs = std::make_shared<S3UserStore>(clients().s3, bucket, "znode");
  HybridUserStore store(index, blobs, 1024);
  using Kind = DynamoUserStore::Entry::Kind;
  auto kind = [&](const std::string& p) { return index->get_entry(p)->kind; };
  auto in_s3 = [&](const std::string& p) { return clients().s3->get_object(bucket, "znode" + p)->has_value(); };

  const std::string small = "tiny", large = pattern(5000, 3), larger = pattern(600 * 1024, 4);
  ASSERT_TRUE(store.write({{"/n", small}}).ok());
  EXPECT_EQ(kind("/n"), Kind::Inline);
  EXPECT_FALSE(in_s3("/n"));
  EXPECT_EQ(store.get("/n")->value_or("?"), small);

  ASSERT_TRUE(store.write({{"/n", large}}).ok());  // small -> large
  EXPECT_EQ(kind("/n"), Kind::InS3);
  EXPECT_TRUE(in_s3("/n"));
  EXPECT_EQ(store.get("/n")->value_or("?"), large);

  ASSERT_TRUE(store.write({{"/n", larger}}).ok());  // large -> large (beyond DynamoDB's limit)
  EXPECT_EQ(store.get("/n")->value_or("?"), larger);

  ASSERT_TRUE(store.write({{"/n", small}}).ok());  // large -> small: the S3 copy goes away
  EXPECT_EQ(kind("/n"), Kind::Inline);
  EXPECT_FALSE(in_s3("/n"));
  EXPECT_EQ(store.get("/n")->value_or("?"), small);

  ASSERT_TRUE(store.write({{"/n", large}}).ok());
  ASSERT_TRUE(store.write({{"/n", std::nullopt}}).ok());  // delete a large node
  EXPECT_EQ(kind("/n"), Kind::Absent);
  EXPECT_FALSE(in_s3("/n"));
  EXPECT_FALSE(store.get("/n")->has_value());
}

TEST_F(Emulators, HybridReadRetriesWhenThePointerIsReplacedUnderIt) {
  // Simulates the race of a reader that saw the pointer just before the node moved back
  // inline and its S3 copy was deleted: the reader must find the inline version.
  std::string table = unique_name("race");
  ASSERT_TRUE(DynamoUserStore::create_table(*clients().dynamodb, table).ok());
  auto index = std::make_shared<DynamoUserStore>(clients().dynamodb, table);
  auto blobs = std::make_shared<S3UserStore>(clients().s3, bucket, "znode");
  HybridUserStore store(index, blobs, 16);
  ASSERT_TRUE(index->put_pointer("/r", 100).ok());  // pointer with no object: dangling
  auto r = store.get("/r");
  EXPECT_EQ(r.code(), Error::DataInconsistency);  // bounded retries, then a clear error
  ASSERT_TRUE(index->put_inline("/r", "inline now").ok());
  EXPECT_EQ(store.get("/r")->value_or("?"), "inline now");
}

TEST_F(Emulators, DynamoUserStoreRejectsObjectsOverTheItemLimit) {
  std::string table = unique_name("kv");
  ASSERT_TRUE(DynamoUserStore::create_table(*clients().dynamodb, table).ok());
  DynamoUserStore store(clients().dynamodb, table);
  const std::string fits = pattern(DynamoUserStore::kMaxInlineObject - 100, 5);
  ASSERT_TRUE(store.write({{"/fits", fits}}).ok());
  EXPECT_EQ(store.get("/fits")->value_or(""), fits);
  EXPECT_EQ(store.write({{"/big", std::string(450 * 1024, 'x')}}).code(), Error::BadArguments);
  EXPECT_FALSE(store.get("/big")->has_value());
}

TEST_F(Emulators, ScanPagesThroughMoreThanOneMegabyte) {
  std::string table = unique_name("page");
  ASSERT_TRUE(DynamoSystemStore::create_table(*clients().dynamodb, table).ok());
  DynamoSystemStore store(clients().dynamodb, table);
  constexpr int kItems = 8;  // 8 x 300 KB: Query returns at most 1 MB per page
  for (int i = 0; i < kItems; ++i) {
    auto r = store.update(UpdateOp{"p/" + std::to_string(i), {}, {Action::set("d", pattern(300 * 1024, i))}});
    ASSERT_TRUE(r.ok() && r->applied) << r.status().to_string();
  }
  ASSERT_TRUE(store.update(UpdateOp{"other", {}, {Action::set("d", std::string("x"))}}).ok());
  auto q = store.scan("p/");
  ASSERT_TRUE(q.ok()) << q.status().to_string();
  ASSERT_EQ(q->size(), size_t(kItems));
  for (int i = 0; i < kItems; ++i) {
    EXPECT_EQ((*q)[i].first, "p/" + std::to_string(i));
    EXPECT_EQ(get_bytes((*q)[i].second, "d"), pattern(300 * 1024, i));
  }
  auto all = store.scan("");  // the Scan path pages too
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), size_t(kItems + 1));
}

TEST_F(Emulators, ProviderWiringFromConfig) {
  AwsProviderConfig cfg;
  cfg.aws = *emulator_config();
  cfg.system_table = unique_name("wsys");
  cfg.user_table = unique_name("wdata");
  cfg.bucket = unique_name("wbucket");
  cfg.writer_queue_name = unique_name("w") + ".fifo";
  cfg.distributor_queue_name = unique_name("d") + ".fifo";
  cfg.hybrid_inline_max = 10;
  ASSERT_TRUE(create_aws_resources(cfg, clients().transport).ok());
  EXPECT_FALSE(cfg.writer_queue_url.empty());
  // Queue URLs are found by name when the config does not carry them.
  AwsProviderConfig by_name = cfg;
  by_name.writer_queue_url.clear();
  by_name.distributor_queue_url.clear();
  auto p = make_aws_providers(by_name, clients().transport);
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  ASSERT_TRUE(p->user_store->write({{"/", std::string("root object")}, {"/x", std::string(50, 'y')}}).ok());
  EXPECT_EQ(p->user_store->get("/")->value_or(""), "root object");
  EXPECT_EQ(p->user_store->get("/x")->value_or(""), std::string(50, 'y'));
  EXPECT_TRUE(clients().s3->get_object(cfg.bucket, "znode/x")->has_value());  // > 10 bytes: S3
  auto seq = p->distributor_queue->send("0", "e1", "event");
  ASSERT_TRUE(seq.ok());
  auto got = p->distributor_queue->receive(1, milliseconds(2000), milliseconds(5000));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, "event");
  // The JSON form round-trips.
  auto back = AwsProviderConfig::from_json(cfg.to_json());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->to_json(), cfg.to_json());
}

}  // namespace
}  // namespace faaskeeper::aws::testing
