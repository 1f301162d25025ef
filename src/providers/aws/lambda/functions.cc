#include "providers/aws/lambda/functions.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <thread>

#include "functions/distributor.h"
#include "functions/heartbeat.h"
#include "functions/watch_function.h"
#include "functions/writer.h"

namespace faaskeeper::aws {

using nlohmann::json;

namespace {

int64_t env_ms(const char* name, int64_t dflt) {
  const char* v = std::getenv(name);
  if (!v || !*v) return dflt;
  char* end = nullptr;
  long long x = std::strtoll(v, &end, 10);
  return end && *end == '\0' && x > 0 ? x : dflt;
}

// Per-message handlers (writer, watch): in order; a Retry blocks the rest of its group, an
// exception fails the message and everything after it.
template <class Handle>
std::vector<std::string> run_in_order(const SqsBatch& batch, Handle&& handle, const char* what) {
  std::vector<std::string> failed;
  std::set<std::string> blocked;
  for (const QueueMessage& m : batch.messages) {
    if (blocked.count(m.group)) {
      failed.push_back(m.receipt);
      continue;
    }
    try {
      if (handle(m) == Outcome::Retry) {
        blocked.insert(m.group);
        failed.push_back(m.receipt);
      }
    } catch (const std::exception& e) {
      // The handler keeps no state across messages, so the other groups can go on.
      std::fprintf(stderr, "%s crashed on message %s: %s\n", what, m.receipt.c_str(), e.what());
      blocked.insert(m.group);
      failed.push_back(m.receipt);
    }
  }
  return failed;
}

S3Fetch fetch_from(const std::shared_ptr<S3Client>& s3) {
  return [s3](const std::string& bucket, const std::string& key) { return s3->get_object(bucket, key); };
}

}  // namespace

Result<std::shared_ptr<AwsFunctionInstance>> make_function_instance(const AwsProviderConfig& cfg) {
  auto p = make_aws_providers(cfg);
  if (!p.ok()) return p.status();
  auto inst = std::make_shared<AwsFunctionInstance>();
  inst->providers = std::move(*p);
  TcpChannelOptions copt;
  copt.connect_timeout = std::chrono::milliseconds(env_ms("FK_CHANNEL_CONNECT_TIMEOUT_MS", 1000));
  copt.io_timeout = std::chrono::milliseconds(env_ms("FK_CHANNEL_IO_TIMEOUT_MS", 2000));
  inst->channel = std::make_unique<TcpClientChannel>(inst->providers.system_store.get(), copt);
  inst->clock = std::make_unique<SystemClock>();
  FunctionEnv& env = inst->env;
  env.system = inst->providers.system_store.get();
  env.user = inst->providers.user_store.get();
  env.writer_queue = inst->providers.writer_queue.get();
  env.distributor_queue = inst->providers.distributor_queue.get();
  env.watch_queue = inst->providers.watch_queue.get();
  env.channel = inst->channel.get();
  env.clock = inst->clock.get();
  env.sleep_ms = [](int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
  return inst;
}

Result<LambdaHandlers> make_function_handlers(const std::string& handler, std::shared_ptr<AwsFunctionInstance> inst) {
  LambdaHandlers h;
  h.fetch = fetch_from(inst->providers.s3);
  if (handler == "writer") {
    h.on_sqs = [inst](const SqsBatch& batch, const LambdaContext&) -> Result<std::vector<std::string>> {
      Writer writer(inst->env);
      return run_in_order(batch, [&](const QueueMessage& m) { return writer.handle(m); }, "writer");
    };
    return h;
  }
  if (handler == "distributor") {
    if (!inst->env.watch_queue)
      return Status(Error::BadArguments, "the distributor needs the watch queue (FK_WATCH_QUEUE_URL)");
    h.on_sqs = [inst](const SqsBatch& batch, const LambdaContext&) -> Result<std::vector<std::string>> {
      Distributor distributor(inst->env);
      std::vector<Outcome> outcomes;
      try {
        outcomes = distributor.handle(batch.messages);
      } catch (const std::exception& e) {
        return Status(Error::SystemError, std::string("distributor crashed: ") + e.what());
      }
      std::vector<std::string> failed;
      for (size_t i = 0; i < batch.messages.size() && i < outcomes.size(); ++i)
        if (outcomes[i] == Outcome::Retry) failed.push_back(batch.messages[i].receipt);
      return failed;
    };
    h.on_invoke = [inst](const std::string& payload, const LambdaContext&) -> Result<std::string> {
      json j = json::parse(payload, nullptr, false);
      if (j.is_discarded() || !j.is_object() || j.value("action", "") != "initialize")
        return Status(Error::BadArguments, "the distributor accepts only {\"action\":\"initialize\"}");
      Status s = initialize_stores(*inst->env.system, *inst->env.user, *inst->env.clock);
      if (!s.ok()) return s;
      return std::string(R"({"initialized":true})");
    };
    return h;
  }
  if (handler == "watch") {
    h.on_sqs = [inst](const SqsBatch& batch, const LambdaContext&) -> Result<std::vector<std::string>> {
      WatchFunction watch(inst->env);
      return run_in_order(batch, [&](const QueueMessage& m) { return watch.handle(m); }, "watch");
    };
    return h;
  }
  if (handler == "heartbeat") {
    auto run = [inst]() -> Result<HeartbeatReport> {
      try {
        return Heartbeat(inst->env).run();
      } catch (const std::exception& e) {
        return Status(Error::SystemError, std::string("heartbeat crashed: ") + e.what());
      }
    };
    h.on_schedule = [run](const json&, const LambdaContext&) -> Status {
      auto r = run();
      if (!r.ok()) return r.status();
      std::fprintf(stderr, "heartbeat: %d alive, %d expired\n", r->alive, r->expired);
      return Status::OK();
    };
    h.on_invoke = [run](const std::string&, const LambdaContext&) -> Result<std::string> {
      auto r = run();
      if (!r.ok()) return r.status();
      return json{{"alive", r->alive}, {"expired", r->expired}}.dump();
    };
    return h;
  }
  return Status(Error::BadArguments, "unknown handler '" + handler + "' (writer, distributor, watch, heartbeat)");
}

Result<LambdaHandlers> init_aws_function(const std::string& handler) {
  if (handler != "writer" && handler != "distributor" && handler != "watch" && handler != "heartbeat")
    return Status(Error::BadArguments, "unknown handler '" + handler + "' (writer, distributor, watch, heartbeat)");
  auto cfg = AwsProviderConfig::from_environment();
  if (!cfg.ok()) return cfg.status();
  auto inst = make_function_instance(*cfg);
  if (!inst.ok()) return inst.status();
  return make_function_handlers(handler, *inst);
}

}  // namespace faaskeeper::aws
