// The native client on an AWS deployment, end to end over the emulators: the client's
// AwsTransport writes to the SQS writer queue and reads the user store directly; the functions
// (hosted here by the local function runtime, as make_function_instance builds them for Lambda)
// use DynamoDB Local, the S3 and SQS emulators, and answer over the authenticated TCP channel.
// Run under with-emulators.sh (skipped without it).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <future>
#include <tuple>

#include "emulator_env.h"
#include "faaskeeper/client.h"
#include "providers/aws/aws_transport.h"
#include "providers/aws/lambda/functions.h"
#include "runtime/function_runtime.h"

using namespace faaskeeper;
using namespace faaskeeper::aws;
using namespace faaskeeper::aws::testing;
using namespace std::chrono_literals;

namespace {

template <class T>
T must(Result<T> r, const std::string& what) {
  EXPECT_TRUE(r.ok()) << what << ": " << r.status().to_string();
  if (!r.ok()) throw std::runtime_error(what);
  return std::move(*r);
}

class AwsClient : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!emulator_config()) GTEST_SKIP() << "emulators not running (FK_AWS_EMULATORS unset)";
    cfg_.aws = *emulator_config();
    cfg_.system_table = unique_name("csys");
    cfg_.user_table = unique_name("cdata");
    cfg_.bucket = unique_name("cbucket");
    cfg_.user_store = AwsProviderConfig::UserStoreKind::Hybrid;
    cfg_.writer_queue_name = unique_name("cw") + ".fifo";
    cfg_.distributor_queue_name = unique_name("cd") + ".fifo";
    cfg_.watch_queue_name = unique_name("cwatch") + ".fifo";
    ASSERT_TRUE(create_aws_resources(cfg_, clients().transport).ok());
    instance_ = must(make_function_instance(cfg_), "function instance");
    ASSERT_TRUE(initialize_stores(*instance_->env.system, *instance_->env.user, *instance_->env.clock).ok());
    RuntimeConfig rc;
    rc.writer_concurrency = 2;
    rc.visibility = 30s;
    rc.heartbeat_interval = 0ms;
    runtime_ = std::make_unique<FunctionRuntime>(instance_->env, rc);
    runtime_->start();
    AwsTransportOptions o;
    o.provider = cfg_;
    transport_ = must(AwsTransport::open(o), "transport");
  }
  void TearDown() override {
    if (runtime_) runtime_->stop();
  }

  std::unique_ptr<Client> connect() {
    ClientOptions o;
    o.request_timeout = 30s;
    return must(Client::open(transport_, o), "open session");
  }

  AwsProviderConfig cfg_;
  std::shared_ptr<AwsFunctionInstance> instance_;
  std::unique_ptr<FunctionRuntime> runtime_;
  std::shared_ptr<AwsTransport> transport_;
};

TEST_F(AwsClient, SessionsWritesReadsWatchesAndEphemeralsThroughTheCloudPath) {
  auto a = connect();
  auto b = connect();
  EXPECT_NE(a->session_id(), b->session_id());

  auto created = must(a->create("/app", std::string("v1")), "create");
  EXPECT_EQ(created.path, "/app");
  EXPECT_GT(created.stat.czxid, 0);
  // b reads a's write straight from the user store (hybrid: DynamoDB for small nodes).
  must(b->sync("/app"), "sync");
  auto got = must(b->get("/app"), "get");
  EXPECT_EQ(got.data, std::optional<std::string>("v1"));
  EXPECT_EQ(got.stat.version, 0);
  EXPECT_EQ(got.stat.czxid, created.stat.czxid);

  // Versioned writes and ZooKeeper's error codes.
  EXPECT_EQ(a->set("/app", std::string("v2"), 5).code(), Error::BadVersion);
  EXPECT_EQ(a->create("/app", std::string()).code(), Error::NodeExists);
  EXPECT_EQ(a->create("/none/x", std::string()).code(), Error::NoNode);

  // A watch armed by b fires when a changes the node, before b can read the new data.
  std::promise<WatchedEvent> fired;
  auto event = fired.get_future();
  must(b->get("/app", [&fired](const WatchedEvent& e) { fired.set_value(e); }), "get with watch");
  auto stat = must(a->set("/app", std::string("v2"), 0), "set");
  EXPECT_EQ(stat.version, 1);
  ASSERT_EQ(event.wait_for(30s), std::future_status::ready) << "no notification over the TCP channel";
  WatchedEvent e = event.get();
  EXPECT_EQ(e.type, EventType::NodeDataChanged);
  EXPECT_EQ(e.path, "/app");
  EXPECT_EQ(e.zxid, stat.mzxid);
  EXPECT_EQ(must(b->get("/app"), "get after event").data, std::optional<std::string>("v2"));

  // Sequential and ephemeral nodes; closing a's session removes its ephemerals.
  auto s1 = must(a->create("/app/m-", std::string(), CreateMode::EphemeralSequential), "seq");
  auto s2 = must(a->create("/app/m-", std::string(), CreateMode::EphemeralSequential), "seq");
  EXPECT_EQ(s1.path, "/app/m-0000000000");
  EXPECT_EQ(s2.path, "/app/m-0000000001");
  EXPECT_EQ(must(b->get_children("/app"), "children").names.size(), 2u);
  ASSERT_TRUE(a->close().ok());
  must(b->sync("/app"), "sync");
  auto after = must(b->get_children("/app"), "children after close");
  EXPECT_TRUE(after.names.empty());
  EXPECT_EQ(after.stat.num_children, 0);
}

// Nobody can point an existing session's replies at their own listener: the registration is
// refused once the session is open.
TEST_F(AwsClient, AChannelCannotBeRegisteredForAnOpenSession) {
  auto a = connect();
  auto other = must(AwsTransport::open({cfg_, {}, ""}), "second transport");
  Status s = other->attach(a->session_id(), [](const std::string&) {});
  EXPECT_EQ(s.code(), Error::AuthFailed) << s.to_string();
  // a is unaffected.
  EXPECT_TRUE(a->create("/still-mine", std::string()).ok());
}

}  // namespace

namespace {

// Runs `cmd` through the shell; returns its exit status and stdout.
std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return {-1, out};
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// The faaskeeper CLI reads the client configuration (the stack outputs as JSON) and works
// against the AWS deployment like against a local one.
TEST_F(AwsClient, CliVerbsWithAnAwsClientConfiguration) {
  const char* bin = std::getenv("FK_FAASKEEPER_BIN");
  if (!bin) GTEST_SKIP() << "FK_FAASKEEPER_BIN not set";
  std::string file = ::testing::TempDir() + "/" + unique_name("fk-aws-client") + ".json";
  {
    std::ofstream out(file);
    out << cfg_.to_json().dump(2);
  }
  std::string base = std::string(bin) + " %s --aws-config " + file + " --channel-listen 127.0.0.1 2>&1";
  auto verb = [&](const std::string& args) {
    char cmd[4096];
    std::snprintf(cmd, sizeof cmd, base.c_str(), args.c_str());
    return run(cmd);
  };
  auto [rc, out] = verb("create /cli hello");
  EXPECT_EQ(rc, 0) << out;
  std::tie(rc, out) = verb("get /cli");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "hello\n");
  std::tie(rc, out) = verb("set /cli again -v 7");
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("BADVERSION"), std::string::npos) << out;
  // The native client sees the CLI's write.
  auto c = connect();
  must(c->sync("/cli"), "sync");
  EXPECT_EQ(must(c->get("/cli"), "get").data, std::optional<std::string>("hello"));
  // A configuration that is not JSON is refused with a message naming the file.
  std::string bad = file + ".bad";
  std::ofstream(bad) << "not json";
  std::tie(rc, out) = run(std::string(bin) + " ls / --aws-config " + bad + " 2>&1");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("is not a JSON object"), std::string::npos) << out;
}

}  // namespace
