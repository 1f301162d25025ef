// The FaaSKeeper functions as the Lambda bootstrap runs them (make_function_handlers +
// dispatch_invocation, exactly what lambda_main does per event) over the real emulators, with
// a client-side ChannelListener receiving replies, notifications and pings over the
// authenticated TCP channel. Run under with-emulators.sh (skipped without it).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "emulator_env.h"
#include "functions/schema.h"
#include "protocol/messages.h"
#include "providers/aws/lambda/functions.h"
#include "providers/aws/sqs_body_codec.h"
#include "providers/aws/sqs_queue.h"

using namespace faaskeeper;
using namespace faaskeeper::aws;
using namespace faaskeeper::aws::testing;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

json record(const std::string& id, const std::string& group, const std::string& message, int seq) {
  SqsEncoded enc = sqs_encode_inline(message);
  json r = {{"messageId", id},
            {"receiptHandle", "rh-" + id},
            {"body", enc.body},
            {"attributes",
             {{"ApproximateReceiveCount", "1"}, {"SequenceNumber", std::to_string(1000 + seq)},
              {"MessageGroupId", group}, {"MessageDeduplicationId", "d-" + id}}},
            {"messageAttributes", json::object()},
            {"eventSource", "aws:sqs"},
            {"eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:q.fifo"}};
  if (!enc.encoding.empty())
    r["messageAttributes"]["fk-enc"] = {{"stringValue", enc.encoding}, {"dataType", "String"}};
  return r;
}

std::string sqs_event(const std::vector<json>& records) { return json{{"Records", records}}.dump(); }

LambdaRuntimeClient::Invocation invocation(std::string payload) {
  static std::atomic<int> n{0};
  LambdaRuntimeClient::Invocation inv;
  inv.context.request_id = "req-" + std::to_string(n++);
  inv.payload = std::move(payload);
  return inv;
}

std::vector<std::string> failures(const std::string& response) {
  std::vector<std::string> ids;
  json j = json::parse(response);
  for (const auto& f : j.at("batchItemFailures")) ids.push_back(f.at("itemIdentifier").get<std::string>());
  return ids;
}

struct Inbox {
  std::mutex mu;
  std::vector<ServerMessage> messages;
  std::vector<ServerMessage> take() {
    std::lock_guard lock(mu);
    return std::exchange(messages, {});
  }
};

class AwsFunctions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!emulator_config()) GTEST_SKIP() << "emulators not running (FK_AWS_EMULATORS unset)";
    cfg.aws = *emulator_config();
    cfg.system_table = unique_name("fsys");
    cfg.user_table = unique_name("fdata");
    cfg.bucket = unique_name("fbucket");
    cfg.writer_queue_name = unique_name("fw") + ".fifo";
    cfg.distributor_queue_name = unique_name("fd") + ".fifo";
    cfg.watch_queue_name = unique_name("fwatch") + ".fifo";
    ASSERT_TRUE(create_aws_resources(cfg, clients().transport).ok());
    auto i = make_function_instance(cfg);
    ASSERT_TRUE(i.ok()) << i.status().to_string();
    inst = *i;
    for (const char* name : {"writer", "distributor", "watch", "heartbeat"}) {
      auto h = make_function_handlers(name, inst);
      ASSERT_TRUE(h.ok()) << h.status().to_string();
      handlers[name] = *h;
    }
    auto l = ChannelListener::start({}, [this](int64_t s, const std::string& m) {
      auto d = decode_server_message(m);
      ASSERT_TRUE(d.ok());
      std::lock_guard lock(inbox.mu);
      if (s == kSession) inbox.messages.push_back(*d);
    });
    ASSERT_TRUE(l.ok());
    listener = std::move(*l);
  }

  // Runs the messages queued in `q` (as Lambda's event source mapping would) through `fn`.
  std::string drain(Queue& q, const std::string& fn, size_t expect) {
    auto got = q.receive(10, milliseconds(3000), milliseconds(30000));
    EXPECT_TRUE(got.ok());
    EXPECT_EQ(got->size(), expect);
    std::vector<json> recs;
    int n = 0;
    for (const auto& m : *got) {
      ++n;
      recs.push_back(record(fn + std::to_string(n), m.group, m.body, n));
    }
    auto out = dispatch_invocation(handlers[fn], invocation(sqs_event(recs)));
    EXPECT_TRUE(out.ok()) << out.status().to_string();
    std::vector<std::string> receipts;
    for (const auto& m : *got) receipts.push_back(m.receipt);
    EXPECT_TRUE(q.ack(receipts).ok());
    return out.ok() ? *out : "";
  }

  static constexpr int64_t kSession = 910001;
  AwsProviderConfig cfg;
  std::shared_ptr<AwsFunctionInstance> inst;
  std::map<std::string, LambdaHandlers> handlers;
  std::unique_ptr<ChannelListener> listener;
  Inbox inbox;
};

TEST_F(AwsFunctions, SessionItemKeyMatchesSchema) {
  EXPECT_EQ(channel_session_key(kSession), schema::session_key(kSession));
}

TEST_F(AwsFunctions, UnknownHandlerIsAnInitError) {
  auto h = make_function_handlers("nope", inst);
  EXPECT_EQ(h.code(), Error::BadArguments);
}

TEST_F(AwsFunctions, WriterDistributorWatchAndHeartbeatOverLambdaEvents) {
  // Deploy step: the distributor initializes the stores on a direct invocation.
  auto init = dispatch_invocation(handlers["distributor"], invocation(R"({"action":"initialize"})"));
  ASSERT_TRUE(init.ok()) << init.status().to_string();
  EXPECT_EQ(*init, R"({"initialized":true})");
  EXPECT_TRUE(inst->providers.user_store->get("/")->has_value());
  EXPECT_EQ(dispatch_invocation(handlers["distributor"], invocation(R"({"action":"other"})")).code(), Error::BadArguments);

  // The client: channel registered in the session item before OpenSession is sent.
  std::string secret = random_channel_secret();
  listener->add_session(kSession, secret);
  ASSERT_TRUE(register_channel(*inst->providers.system_store, kSession,
                               "127.0.0.1:" + std::to_string(listener->port()), secret).ok());

  // Writer batch: the open, and a malformed message (dropped, not retried).
  std::string g = std::to_string(kSession);
  auto out = dispatch_invocation(
      handlers["writer"],
      invocation(sqs_event({record("w1", g, encode(ClientRequest{kSession, 1, OpenSessionRequest{30000}}), 1),
                            record("w2", "junk", std::string("\x07\x00garbage", 9), 2)})));
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_TRUE(failures(*out).empty()) << *out;
  // Distributor: commits the open; the reply arrives over the channel.
  out = Result<std::string>(drain(*inst->providers.distributor_queue, "distributor", 1));
  EXPECT_TRUE(failures(*out).empty()) << *out;
  auto msgs = inbox.take();
  ASSERT_EQ(msgs.size(), 1u);
  auto* r1 = std::get_if<Reply>(&msgs[0]);
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->seq, 1u);
  EXPECT_EQ(r1->err, Error::Ok) << r1->message;

  // The client waited for the open; now a create.
  out = dispatch_invocation(handlers["writer"], invocation(sqs_event({record(
                                                    "w3", g, encode(ClientRequest{kSession, 2, CreateRequest{"/a", "hello"}}), 3)})));
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_TRUE(failures(*out).empty()) << *out;
  drain(*inst->providers.distributor_queue, "distributor", 1);
  msgs = inbox.take();
  ASSERT_EQ(msgs.size(), 1u);
  auto* r2 = std::get_if<Reply>(&msgs[0]);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->seq, 2u);
  EXPECT_EQ(r2->err, Error::Ok) << r2->message;
  int64_t created = r2->txid;
  EXPECT_GT(created, 0);
  EXPECT_TRUE(inst->providers.user_store->get("/a")->has_value());
  auto session = schema::parse_session(*inst->providers.system_store->get(schema::session_key(kSession)));
  ASSERT_TRUE(session.has_value());
  EXPECT_EQ(session->applied_seq, 2u);

  // Partial batch failure: the writer crashes on the first message (session kSession, seq 3):
  // it and the later message of the same group are reported; the malformed message and the
  // other session's open go through.
  std::atomic<int> crashes{1};
  inst->env.step_hook = [&](std::string_view step) {
    if (step == "writer.received" && crashes.fetch_sub(1) > 0) throw std::runtime_error("injected crash");
  };
  out = dispatch_invocation(
      handlers["writer"],
      invocation(sqs_event({record("p1", g, encode(ClientRequest{kSession, 3, RegisterWatchRequest{"/a", WatchKind::Data, true, created}}), 4),
                            record("p2", g, encode(ClientRequest{kSession, 4, SetDataRequest{"/a", "world"}}), 5),
                            record("p3", "junk", "not a request", 6),
                            record("p4", "910002", encode(ClientRequest{910002, 1, OpenSessionRequest{30000}}), 7)})));
  inst->env.step_hook = nullptr;
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(failures(*out), (std::vector<std::string>{"p1", "p2"})) << *out;
  drain(*inst->providers.distributor_queue, "distributor", 1);  // 910002's open (no channel: reply dropped)
  EXPECT_TRUE(inbox.take().empty());

  // Lambda redelivers p1, p2: the watch is armed (the writer answers directly), then the
  // SetData commits and fires it through the watch queue and the watch function.
  out = dispatch_invocation(
      handlers["writer"],
      invocation(sqs_event({record("p1", g, encode(ClientRequest{kSession, 3, RegisterWatchRequest{"/a", WatchKind::Data, true, created}}), 4),
                            record("p2", g, encode(ClientRequest{kSession, 4, SetDataRequest{"/a", "world"}}), 5)})));
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(failures(*out).empty()) << *out;
  drain(*inst->providers.distributor_queue, "distributor", 1);
  msgs = inbox.take();
  ASSERT_EQ(msgs.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<Reply>(msgs[0]));
  EXPECT_EQ(std::get<Reply>(msgs[0]).seq, 3u);
  EXPECT_EQ(std::get<Reply>(msgs[0]).err, Error::Ok) << std::get<Reply>(msgs[0]).message;
  ASSERT_TRUE(std::holds_alternative<Reply>(msgs[1]));
  int64_t set_txid = std::get<Reply>(msgs[1]).txid;
  EXPECT_EQ(std::get<Reply>(msgs[1]).seq, 4u);

  ASSERT_NE(inst->providers.watch_queue, nullptr);
  out = Result<std::string>(drain(*inst->providers.watch_queue, "watch", 1));
  EXPECT_TRUE(failures(*out).empty());
  msgs = inbox.take();
  ASSERT_EQ(msgs.size(), 1u);
  auto* note = std::get_if<WatchNotification>(&msgs[0]);
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(note->path, "/a");
  EXPECT_EQ(note->type, EventType::NodeDataChanged);
  EXPECT_EQ(note->txid, set_txid);
  drain(*inst->providers.distributor_queue, "distributor", 1);  // the watch function's epoch clear

  // Heartbeat on its schedule: our session answers the ping; 910002 has no channel.
  json sched = {{"detail-type", "Scheduled Event"}, {"source", "aws.events"}, {"detail", json::object()}};
  out = dispatch_invocation(handlers["heartbeat"], invocation(sched.dump()));
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(*out, "{}");
  msgs = inbox.take();
  ASSERT_EQ(msgs.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Ping>(msgs[0]));
  out = dispatch_invocation(handlers["heartbeat"], invocation(R"("run")"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(json::parse(*out), (json{{"alive", 1}, {"expired", 0}}));
}

}  // namespace
