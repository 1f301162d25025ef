// Unit tests of the aws provider with a scripted HTTP fake: no network, no emulator.
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <fstream>

#include "providers/aws/aws_config.h"
#include "providers/aws/aws_json_client.h"
#include "providers/aws/dynamo_codec.h"
#include "providers/aws/dynamo_system_store.h"
#include "providers/aws/http.h"
#include "providers/aws/lambda/events.h"
#include "providers/aws/sqs_body_codec.h"
#include "providers/aws/sqs_queue.h"

namespace faaskeeper::aws {
namespace {

using nlohmann::json;

// Replays queued responses and records every request.
class FakeTransport : public HttpTransport {
 public:
  std::deque<Result<HttpResponse>> replies;
  std::vector<HttpRequest> requests;
  Result<HttpResponse> send(const HttpRequest& r) override {
    requests.push_back(r);
    if (replies.empty()) return Status(Error::SystemError, "no scripted reply");
    auto out = replies.front();
    replies.pop_front();
    return out;
  }
  void reply(long status, json body) { replies.push_back(HttpResponse{status, {}, body.dump()}); }
};

RetryPolicy fast() { return RetryPolicy{5, std::chrono::milliseconds(1), std::chrono::milliseconds(2)}; }

TEST(AwsHttp, EncodingHelpers) {
  EXPECT_EQ(uri_encode("/a b/ü~", true), "/a%20b/%C3%BC~");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
  for (std::string s : {std::string(), std::string("f"), std::string("fo"), std::string("foo"),
                        std::string("\0\xff\x80", 3)})
    EXPECT_EQ(*base64_decode(base64_encode(s)), s);
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(base64_decode("Zm9v!").ok());
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(is_valid_utf8("h\xc3\xa9llo"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
}

TEST(AwsHttp, RetriesThrottlingAnd5xxButNotClientErrors) {
  FakeTransport t;
  t.reply(503, json::object());
  t.replies.push_back(HttpResponse{400, {}, R"({"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException"})"});
  t.replies.push_back(Status(Error::ConnectionLoss, "reset"));
  t.reply(200, json{{"ok", 1}});
  int attempts = 0;
  auto r = send_with_retries(t, HttpRequest{}, fast(), &attempts);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(attempts, 4);

  FakeTransport v;
  v.replies.push_back(HttpResponse{400, {}, R"({"__type":"x#ValidationException","message":"no"})"});
  auto bad = send_with_retries(v, HttpRequest{}, fast(), &attempts);
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(aws_error_type(*bad), "ValidationException");

  FakeTransport down;
  for (int i = 0; i < 10; ++i) down.reply(500, json::object());
  auto gave_up = send_with_retries(down, HttpRequest{}, fast(), &attempts);
  EXPECT_EQ(attempts, 5);
  EXPECT_EQ(gave_up->status, 500);
}

TEST(AwsConfigTest, ReadsProfilesAndEndpoints) {
  std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/creds") << "[default]\naws_access_key_id = AK\naws_secret_access_key=SK\n[other]\n"
                                   "aws_access_key_id=OK\naws_secret_access_key=OS\naws_session_token=T\n";
  std::ofstream(dir + "/conf") << "[profile other]\nregion = eu-west-1\n";
  for (const char* v : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                        "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_S3",
                        "AWS_ENDPOINT_URL_DYNAMODB"})
    unsetenv(v);
  setenv("AWS_SHARED_CREDENTIALS_FILE", (dir + "/creds").c_str(), 1);
  setenv("AWS_CONFIG_FILE", (dir + "/conf").c_str(), 1);
  setenv("AWS_PROFILE", "other", 1);
  setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9/", 1);
  auto c = AwsConfig::from_environment();
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->credentials.access_key_id, "OK");
  EXPECT_EQ(c->credentials.session_token, "T");
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_EQ(c->endpoint("sqs"), "http://127.0.0.1:9");
  EXPECT_EQ(c->endpoint("dynamodb"), "https://dynamodb.eu-west-1.amazonaws.com");
  setenv("AWS_ACCESS_KEY_ID", "ENV", 1);  // the environment wins over files
  setenv("AWS_SECRET_ACCESS_KEY", "ENVS", 1);
  EXPECT_EQ(AwsConfig::from_environment()->credentials.access_key_id, "ENV");
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  setenv("AWS_PROFILE", "missing", 1);
  EXPECT_EQ(AwsConfig::from_environment().code(), Error::BadArguments);
  for (const char* v : {"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_PROFILE", "AWS_ENDPOINT_URL_SQS"}) unsetenv(v);
}

TEST(DynamoCodec, ValuesRoundTripThroughAttributeValues) {
  for (const Value& v : {Value{int64_t{-42}}, Value{std::string("\0\x80", 2)}, Value{StringSet{{"a", "b"}}},
                         Value{std::vector<std::string>{"utf8", std::string("\xff", 1)}}}) {
    auto enc = encode_value(v);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(*decode_value(*enc), v);
  }
  EXPECT_EQ(encode_value(Value{std::vector<std::string>{"x", "\xff"}})->dump(), R"({"L":[{"S":"x"},{"B":"/w=="}]})");
  EXPECT_FALSE(decode_value(json{{"N", "1.5"}}).ok());
  EXPECT_FALSE(decode_value(json{{"M", json::object()}}).ok());
}

TEST(DynamoCodec, ExpressionsUsePlaceholdersAndFoldRepeatedAttributes) {
  ExpressionBuilder b;
  Condition c = Condition::all({Predicate::eq("a", int64_t{1}), Predicate::not_exists("lock")})
                    .or_all({Predicate::lt("s", StringSet{{"x"}})});
  EXPECT_EQ(*condition_expression(c, b),
            "(#n0 = :v0 AND attribute_not_exists(#n1)) OR (attribute_exists(#n2) AND attribute_not_exists(#n2))");
  EXPECT_EQ(*condition_expression(Condition::always(), b), "");
  ExpressionBuilder u;
  auto e = update_expression({Action::add("c", 1), Action::add("c", 2), Action::remove("x"),
                              Action::set("l", std::vector<std::string>{"a"}), Action::append("l", {"b"})},
                             u, {"fk_key"});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, "SET #n2 = :v1 REMOVE #n1 ADD #n0 :v0");
  json req;
  u.attach(req);
  EXPECT_EQ(req["ExpressionAttributeValues"][":v0"], json({{"N", "3"}}));
  EXPECT_EQ(req["ExpressionAttributeValues"][":v1"], json({{"L", {{{"S", "a"}}, {{"S", "b"}}}}}));
  ExpressionBuilder w;
  EXPECT_EQ(update_expression({Action::add_to_set("s", {"a"}), Action::delete_from_set("s", {"a"})}, w, {}).code(),
            Error::BadArguments);
  EXPECT_EQ(update_expression({Action::set("fk_key", int64_t{1})}, w, {"fk_key"}).code(), Error::BadArguments);
}

TEST(DynamoSystemStoreTest, UpdateRequestShapeAndConditionFailure) {
  auto t = std::make_shared<FakeTransport>();
  auto db = std::make_shared<AwsJsonClient>(t, "http://ddb", "us-east-1", "dynamodb", "DynamoDB_20120810", fast());
  DynamoSystemStore store(db, "tbl");
  t->reply(400, {{"__type", "x#ConditionalCheckFailedException"}, {"Item", {{"v", {{"N", "7"}}},
                                                                              {"fk_key", {{"B", "YQ=="}}}}}});
  auto r = store.update(UpdateOp{"n/a", Condition::all({Predicate::eq("v", int64_t{1})}), {Action::set("v", int64_t{2})}});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->applied);
  EXPECT_EQ(r->item, (Item{{"v", int64_t{7}}}));
  const auto& req = t->requests.at(0);
  EXPECT_EQ(req.service, "dynamodb");
  auto body = json::parse(req.body);
  EXPECT_EQ(body["ReturnValues"], "ALL_NEW");
  EXPECT_EQ(body["ReturnValuesOnConditionCheckFailure"], "ALL_OLD");
  EXPECT_EQ(body["Key"]["fk_pk"]["B"], base64_encode("n/"));
  EXPECT_EQ(body["ConditionExpression"], "(#n0 = :v1)");  // #n0 = v, shared with the SET
}

TEST(DynamoSystemStoreTest, TransactionCancellationReasonsAndConflictRetry) {
  auto t = std::make_shared<FakeTransport>();
  auto db = std::make_shared<AwsJsonClient>(t, "http://ddb", "us-east-1", "dynamodb", "DynamoDB_20120810", fast());
  DynamoSystemStore store(db, "tbl");
  std::vector<TxnOp> ops = {CheckOp{"a", {}}, UpdateOp{"b", {}, {Action::add("v", 1)}}, DeleteOp{"c", {}}};
  t->reply(400, {{"__type", "x#TransactionCanceledException"},
                 {"CancellationReasons", {{{"Code", "None"}}, {{"Code", "TransactionConflict"}}, {{"Code", "None"}}}}});
  t->reply(400, {{"__type", "x#TransactionCanceledException"},
                 {"CancellationReasons", {{{"Code", "ConditionalCheckFailed"}}, {{"Code", "None"}},
                                          {{"Code", "ConditionalCheckFailed"}}}}});
  auto r = store.transact(ops);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_FALSE(r->committed);
  EXPECT_EQ(r->failed, (std::vector<size_t>{0, 2}));
  ASSERT_EQ(t->requests.size(), 2u);  // the conflict was retried
  auto first = json::parse(t->requests[0].body), second = json::parse(t->requests[1].body);
  EXPECT_NE(first["ClientRequestToken"], second["ClientRequestToken"]);
  EXPECT_TRUE(first["TransactItems"][0].contains("ConditionCheck"));
  EXPECT_TRUE(first["TransactItems"][2].contains("Delete"));
}

TEST(SqsCodec, BodiesSequencesAndOffloadPointers) {
  EXPECT_TRUE(is_sqs_text("plain {json}\n"));
  EXPECT_FALSE(is_sqs_text(std::string("a\0b", 3)));
  EXPECT_FALSE(is_sqs_text("\xef\xbf\xbe"));  // U+FFFE
  for (std::string m : {std::string("text"), std::string("\x01\x02", 2), std::string()}) {
    auto e = sqs_encode_inline(m);
    EXPECT_EQ(*sqs_decode(e.body, e.encoding, nullptr), m);
  }
  S3Fetch fetch = [](const std::string& b, const std::string& k) -> Result<std::optional<std::string>> {
    if (b == "bkt" && k == "k1") return std::optional<std::string>("offloaded");
    return std::optional<std::string>();
  };
  std::string where;
  EXPECT_EQ(*sqs_decode(sqs_offload_pointer("bkt", "k1", 9), "s3", fetch, &where), "offloaded");
  EXPECT_EQ(where, "bkt/k1");
  EXPECT_EQ(sqs_decode(sqs_offload_pointer("bkt", "gone", 9), "s3", fetch).code(), Error::DataInconsistency);
  EXPECT_EQ(*sqs_sequence_to_u64("00000000000000000042"), 42u);
  auto big = parse_sqs_sequence("18849496460467696128");  // an AWS-documented value, > 2^64
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->hi, 1u);
  EXPECT_EQ(big->lo, 402752386758144512ull);  // 18849496460467696128 - 2^64
  EXPECT_LT(*sqs_sequence_to_u64("18849496460467696128"), *sqs_sequence_to_u64("18849496460467696129"));
  EXPECT_TRUE(parse_sqs_sequence("340282366920938463463374607431768211455").ok());  // 2^128-1
  EXPECT_FALSE(parse_sqs_sequence("340282366920938463463374607431768211456").ok());
  EXPECT_FALSE(parse_sqs_sequence("12a").ok());
}

TEST(SqsQueueTest, LargeBodiesAreOffloadedBeforeTheSend) {
  auto t = std::make_shared<FakeTransport>();
  auto sqs = std::make_shared<AwsJsonClient>(t, "http://sqs", "us-east-1", "sqs", "AmazonSQS", fast());
  auto s3 = std::make_shared<S3Client>(t, "http://s3", "us-east-1", true, fast());
  SqsQueue q(sqs, "http://sqs/000/w.fifo", SqsOffload{s3, "bkt", "off/", 1000});
  t->replies.push_back(HttpResponse{200, {}, ""});                 // PutObject
  t->reply(200, {{"SequenceNumber", "18849496460467696128"}});     // SendMessage
  std::string body(2000, 'x');
  auto seq = q.send("g", "d", body);
  ASSERT_TRUE(seq.ok()) << seq.status().to_string();
  ASSERT_EQ(t->requests.size(), 2u);
  EXPECT_EQ(t->requests[0].method, "PUT");
  EXPECT_EQ(t->requests[0].url, "http://s3/bkt/" + q.offload_key("g", "d", body));
  EXPECT_EQ(t->requests[0].body, body);
  auto send = json::parse(t->requests[1].body);
  EXPECT_EQ(send["MessageAttributes"]["fk-enc"]["StringValue"], "s3");
  EXPECT_EQ(json::parse(send["MessageBody"].get<std::string>())["key"], q.offload_key("g", "d", body));
  EXPECT_EQ(send["MessageGroupId"], "g");
  EXPECT_EQ(send["MessageDeduplicationId"], "d");
}

TEST(LambdaEvents, FifoFailuresBlockTheRestOfTheirGroup) {
  SqsBatch b;
  for (auto [id, g] : std::vector<std::pair<const char*, const char*>>{{"1", "a"}, {"2", "b"}, {"3", "a"}, {"4", "b"}}) {
    QueueMessage m;
    m.receipt = id;
    m.group = g;
    b.messages.push_back(m);
  }
  EXPECT_EQ(fifo_failures(b, {"1"}), (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(fifo_failures(b, {}), std::vector<std::string>{});
  EXPECT_EQ(json::parse(batch_failures_response({"x"})), json::parse(R"({"batchItemFailures":[{"itemIdentifier":"x"}]})"));
}

}  // namespace
}  // namespace faaskeeper::aws
