#include "providers/aws/aws_provider.h"

#include <cstdlib>

#include "providers/aws/curl_transport.h"
#include "providers/aws/dynamo_system_store.h"
#include "providers/aws/dynamo_user_store.h"
#include "providers/aws/hybrid_user_store.h"
#include "providers/aws/s3_user_store.h"
#include "providers/aws/sqs_queue.h"

namespace faaskeeper::aws {

using nlohmann::json;

namespace {

std::string env_or(const char* name, const std::string& dflt) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : dflt;
}

Result<AwsProviderConfig::UserStoreKind> parse_kind(const std::string& s) {
  if (s == "s3") return AwsProviderConfig::UserStoreKind::S3;
  if (s == "dynamodb") return AwsProviderConfig::UserStoreKind::DynamoDB;
  if (s == "hybrid") return AwsProviderConfig::UserStoreKind::Hybrid;
  return Status(Error::BadArguments, "user store must be s3, dynamodb or hybrid, not " + s);
}

const char* kind_name(AwsProviderConfig::UserStoreKind k) {
  switch (k) {
    case AwsProviderConfig::UserStoreKind::S3: return "s3";
    case AwsProviderConfig::UserStoreKind::DynamoDB: return "dynamodb";
    default: return "hybrid";
  }
}

std::shared_ptr<AwsJsonClient> json_client(const AwsConfig& aws, std::shared_ptr<HttpTransport> t,
                                           const std::string& service, const std::string& prefix) {
  return std::make_shared<AwsJsonClient>(std::move(t), aws.endpoint(service), aws.region, service, prefix, aws.retry);
}

}  // namespace

Result<AwsProviderConfig> AwsProviderConfig::from_environment() {
  auto aws = AwsConfig::from_environment();
  if (!aws.ok()) return aws.status();
  AwsProviderConfig c;
  c.aws = std::move(*aws);
  c.system_table = env_or("FK_SYSTEM_TABLE", c.system_table);
  auto kind = parse_kind(env_or("FK_USER_STORE", "hybrid"));
  if (!kind.ok()) return kind.status();
  c.user_store = *kind;
  c.user_table = env_or("FK_USER_TABLE", c.user_table);
  c.bucket = env_or("FK_BUCKET", c.bucket);
  c.user_prefix = env_or("FK_USER_PREFIX", c.user_prefix);
  c.hybrid_inline_max = std::stoul(env_or("FK_HYBRID_INLINE_MAX", std::to_string(c.hybrid_inline_max)));
  c.writer_queue_url = env_or("FK_WRITER_QUEUE_URL", "");
  c.distributor_queue_url = env_or("FK_DISTRIBUTOR_QUEUE_URL", "");
  c.watch_queue_url = env_or("FK_WATCH_QUEUE_URL", "");
  c.watch_queue_name = env_or("FK_WATCH_QUEUE", c.watch_queue_name);
  c.writer_queue_name = env_or("FK_WRITER_QUEUE", c.writer_queue_name);
  c.distributor_queue_name = env_or("FK_DISTRIBUTOR_QUEUE", c.distributor_queue_name);
  c.offload_prefix = env_or("FK_SQS_OFFLOAD_PREFIX", c.offload_prefix);
  return c;
}

Result<AwsProviderConfig> AwsProviderConfig::from_json(const json& j) {
  auto base = from_environment();
  AwsProviderConfig c = base.ok() ? std::move(*base) : AwsProviderConfig{};
  try {
    c.system_table = j.value("system_table", c.system_table);
    auto kind = parse_kind(j.value("user_store", std::string(kind_name(c.user_store))));
    if (!kind.ok()) return kind.status();
    c.user_store = *kind;
    c.user_table = j.value("user_table", c.user_table);
    c.bucket = j.value("bucket", c.bucket);
    c.user_prefix = j.value("user_prefix", c.user_prefix);
    c.hybrid_inline_max = j.value("hybrid_inline_max", c.hybrid_inline_max);
    c.writer_queue_url = j.value("writer_queue_url", c.writer_queue_url);
    c.distributor_queue_url = j.value("distributor_queue_url", c.distributor_queue_url);
    c.watch_queue_url = j.value("watch_queue_url", c.watch_queue_url);
    c.watch_queue_name = j.value("watch_queue", c.watch_queue_name);
    c.writer_queue_name = j.value("writer_queue", c.writer_queue_name);
    c.distributor_queue_name = j.value("distributor_queue", c.distributor_queue_name);
    c.offload_prefix = j.value("offload_prefix", c.offload_prefix);
    if (j.contains("aws")) {
      const json& a = j["aws"];
      c.aws.region = a.value("region", c.aws.region);
      if (a.contains("endpoints"))
        for (const auto& [svc, url] : a["endpoints"].items()) c.aws.endpoints[svc] = url.get<std::string>();
    }
  } catch (const json::exception& e) {
    return Status(Error::BadArguments, std::string("aws provider config: ") + e.what());
  }
  if (!base.ok() && c.aws.credentials.access_key_id.empty()) return base.status();
  return c;
}

json AwsProviderConfig::to_json() const {
  json j = {{"system_table", system_table}, {"user_store", kind_name(user_store)}, {"user_table", user_table},
            {"bucket", bucket}, {"user_prefix", user_prefix}, {"hybrid_inline_max", hybrid_inline_max},
            {"writer_queue_url", writer_queue_url}, {"distributor_queue_url", distributor_queue_url},
            {"watch_queue_url", watch_queue_url}, {"watch_queue", watch_queue_name},
            {"writer_queue", writer_queue_name}, {"distributor_queue", distributor_queue_name},
            {"offload_prefix", offload_prefix}, {"aws", {{"region", aws.region}, {"endpoints", aws.endpoints}}}};
  return j;
}

Result<AwsProviders> make_aws_providers(const AwsProviderConfig& cfg, std::shared_ptr<HttpTransport> transport) {
  AwsProviders p;
  p.transport = transport ? std::move(transport) : std::make_shared<CurlTransport>(cfg.aws);
  p.dynamodb = json_client(cfg.aws, p.transport, "dynamodb", "DynamoDB_20120810");
  p.sqs = json_client(cfg.aws, p.transport, "sqs", "AmazonSQS");
  p.s3 = std::make_shared<S3Client>(p.transport, cfg.aws);
  p.system_store = std::make_shared<DynamoSystemStore>(p.dynamodb, cfg.system_table);
  auto blobs = std::make_shared<S3UserStore>(p.s3, cfg.bucket, cfg.user_prefix);
  auto index = std::make_shared<DynamoUserStore>(p.dynamodb, cfg.user_table);
  switch (cfg.user_store) {
    case AwsProviderConfig::UserStoreKind::S3: p.user_store = blobs; break;
    case AwsProviderConfig::UserStoreKind::DynamoDB: p.user_store = index; break;
    case AwsProviderConfig::UserStoreKind::Hybrid:
      p.user_store = std::make_shared<HybridUserStore>(index, blobs, cfg.hybrid_inline_max);
      break;
  }
  SqsOffload offload{p.s3, cfg.bucket, cfg.offload_prefix, kSqsInlineMax};
  std::string writer = cfg.writer_queue_url, distributor = cfg.distributor_queue_url;
  if (writer.empty()) {
    auto u = SqsQueue::queue_url(*p.sqs, cfg.writer_queue_name);
    if (!u.ok()) return u.status();
    writer = *u;
  }
  if (distributor.empty()) {
    auto u = SqsQueue::queue_url(*p.sqs, cfg.distributor_queue_name);
    if (!u.ok()) return u.status();
    distributor = *u;
  }
  p.writer_queue = std::make_shared<SqsQueue>(p.sqs, writer, offload);
  p.distributor_queue = std::make_shared<SqsQueue>(p.sqs, distributor, offload);
  // The watch queue is optional for clients (they never use it): resolved only when named by
  // URL, or when its name resolves.
  std::string watch = cfg.watch_queue_url;
  if (watch.empty()) {
    auto u = SqsQueue::queue_url(*p.sqs, cfg.watch_queue_name);
    if (u.ok()) watch = *u;
  }
  if (!watch.empty()) p.watch_queue = std::make_shared<SqsQueue>(p.sqs, watch, offload);
  return p;
}

Status create_aws_resources(AwsProviderConfig& cfg, std::shared_ptr<HttpTransport> transport) {
  if (!transport) transport = std::make_shared<CurlTransport>(cfg.aws);
  auto db = json_client(cfg.aws, transport, "dynamodb", "DynamoDB_20120810");
  auto sqs = json_client(cfg.aws, transport, "sqs", "AmazonSQS");
  S3Client s3(transport, cfg.aws);
  if (Status s = DynamoSystemStore::create_table(*db, cfg.system_table); !s.ok()) return s;
  if (cfg.user_store != AwsProviderConfig::UserStoreKind::S3)
    if (Status s = DynamoUserStore::create_table(*db, cfg.user_table); !s.ok()) return s;
  if (Status s = s3.create_bucket(cfg.bucket); !s.ok()) return s;
  auto w = SqsQueue::create_fifo_queue(*sqs, cfg.writer_queue_name);
  if (!w.ok()) return w.status();
  auto d = SqsQueue::create_fifo_queue(*sqs, cfg.distributor_queue_name);
  if (!d.ok()) return d.status();
  auto wq = SqsQueue::create_fifo_queue(*sqs, cfg.watch_queue_name);
  if (!wq.ok()) return wq.status();
  cfg.writer_queue_url = *w;
  cfg.distributor_queue_url = *d;
  cfg.watch_queue_url = *wq;
  return Status::OK();
}

}  // namespace faaskeeper::aws
