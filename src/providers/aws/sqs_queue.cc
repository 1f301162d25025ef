#include "providers/aws/sqs_queue.h"

#include <algorithm>
#include <random>
#include <thread>

namespace faaskeeper::aws {

using nlohmann::json;

namespace {

std::string attr_string(const json& m, const char* name) {
  if (!m.is_object() || !m.contains(name)) return "";
  const json& v = m[name];
  if (v.is_string()) return v.get<std::string>();
  return "";
}

bool stale_receipt(const std::string& code) {
  return code == "ReceiptHandleIsInvalid" || code == "MessageNotInflight" ||
         code == "AWS.SimpleQueueService.MessageNotInflight" || code == "InvalidParameterValue";
}

}  // namespace

SqsQueue::SqsQueue(std::shared_ptr<AwsJsonClient> sqs, std::string queue_url, std::optional<SqsOffload> offload)
    : sqs_(std::move(sqs)), url_(std::move(queue_url)), offload_(std::move(offload)) {
  size_t slash = url_.rfind('/');
  name_ = slash == std::string::npos ? url_ : url_.substr(slash + 1);
}

Result<std::string> SqsQueue::create_fifo_queue(AwsJsonClient& sqs, const std::string& name, int visibility_timeout_s) {
  json req = {{"QueueName", name},
              {"Attributes",
               {{"FifoQueue", "true"},
                {"ContentBasedDeduplication", "false"},
                {"VisibilityTimeout", std::to_string(visibility_timeout_s)}}}};
  auto r = sqs.call("CreateQueue", req);
  if (!r.ok()) return r.status();
  if (!r->ok()) return r->to_status("CreateQueue " + name);
  return r->body.value("QueueUrl", "");
}

Result<std::string> SqsQueue::queue_url(AwsJsonClient& sqs, const std::string& name) {
  auto r = sqs.call("GetQueueUrl", {{"QueueName", name}});
  if (!r.ok()) return r.status();
  if (!r->ok()) return r->to_status("GetQueueUrl " + name);
  return r->body.value("QueueUrl", "");
}

std::string SqsQueue::offload_key(const std::string& group, const std::string& dedup_id, const std::string& body) const {
  std::string material = group;
  material.push_back('\0');
  material += dedup_id;
  material.push_back('\0');
  material += body;
  return (offload_ ? offload_->prefix : std::string()) + name_ + "/" + sha256_hex(material);
}

Result<uint64_t> SqsQueue::send(const std::string& group, const std::string& dedup_id, const std::string& body) {
  SqsEncoded enc = sqs_encode_inline(body);
  size_t inline_max = offload_ ? offload_->inline_max : kSqsInlineMax;
  if (enc.body.size() > inline_max) {
    if (!offload_ || !offload_->s3)
      return Status(Error::BadArguments, "message of " + std::to_string(body.size()) +
                                             " bytes exceeds the SQS limit and no S3 offload is configured");
    // Deterministic key: a retried or duplicate send rewrites the same object.
    std::string key = offload_key(group, dedup_id, body);
    if (Status s = offload_->s3->put_object(offload_->bucket, key, body); !s.ok()) return s;
    enc = {sqs_offload_pointer(offload_->bucket, key, body.size()), "s3"};
  }
  // An empty dedup id means "no deduplication": a random id stands in for it.
  std::string dedup = dedup_id;
  if (dedup.empty()) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    dedup = "fk-nodedup-" + std::to_string(rng()) + "-" + std::to_string(rng());
  }
  json req = {{"QueueUrl", url_}, {"MessageBody", enc.body}, {"MessageGroupId", group},
              {"MessageDeduplicationId", dedup}};
  if (!enc.encoding.empty())
    req["MessageAttributes"] = {{kSqsEncodingAttr, {{"DataType", "String"}, {"StringValue", enc.encoding}}}};
  auto r = sqs_->call("SendMessage", req);
  if (!r.ok()) return r.status();
  if (!r->ok()) return r->to_status("SendMessage");
  return sqs_sequence_to_u64(r->body.value("SequenceNumber", ""));
}

Result<std::vector<QueueMessage>> SqsQueue::receive(size_t max, std::chrono::milliseconds wait,
                                                    std::chrono::milliseconds visibility) {
  std::vector<QueueMessage> out;
  if (max == 0) return Status(Error::BadArguments, "receive of 0 messages");
  if (visibility.count() < 0) return Status(Error::BadArguments, "negative visibility timeout");
  if (interrupts_.load() != 0) return out;  // shut down: never block again
  const uint64_t gen = interrupts_.load();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  json msgs;
  std::chrono::steady_clock::time_point call_start;
  for (;;) {
    call_start = std::chrono::steady_clock::now();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    int64_t wait_s = std::clamp<int64_t>(left.count() / 1000, 0, 20);
    json req = {{"QueueUrl", url_},
                {"MaxNumberOfMessages", int(std::min<size_t>(max, 10))},
                {"WaitTimeSeconds", wait_s},
                {"VisibilityTimeout", int((visibility.count() + 999) / 1000)},
                {"AttributeNames", json::array({"All"})},
                {"MessageSystemAttributeNames", json::array({"All"})},
                {"MessageAttributeNames", json::array({"All"})}};
    auto r = sqs_->call("ReceiveMessage", req, std::chrono::milliseconds(wait_s * 1000 + 10000), &interrupts_);
    if (!r.ok()) {
      if (r.code() == Error::Closing) return out;  // interrupted
      return r.status();
    }
    if (!r->ok()) return r->to_status("ReceiveMessage");
    msgs = r->body.is_object() ? r->body.value("Messages", json::array()) : json::array();
    if (!msgs.empty() || interrupts_.load() != gen) break;
    left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return out;
    if (wait_s == 0) std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(25)));  // short-poll pacing
  }
  S3Fetch fetch;
  if (offload_ && offload_->s3)
    fetch = [s3 = offload_->s3](const std::string& b, const std::string& k) { return s3->get_object(b, k); };
  for (const auto& m : msgs) {
    QueueMessage q;
    const json attrs = m.value("Attributes", json::object());
    const json mattrs = m.value("MessageAttributes", json::object());
    std::string encoding;
    if (mattrs.contains(kSqsEncodingAttr)) encoding = attr_string(mattrs[kSqsEncodingAttr], "StringValue");
    std::string location;
    auto body = sqs_decode(m.value("Body", ""), encoding, fetch, &location);
    if (!body.ok()) return body.status();
    q.body = std::move(*body);
    q.group = attr_string(attrs, "MessageGroupId");
    q.dedup_id = attr_string(attrs, "MessageDeduplicationId");
    auto seq = sqs_sequence_to_u64(attr_string(attrs, "SequenceNumber"));
    if (!seq.ok()) return seq.status();
    q.sequence = *seq;
    q.receipt = m.value("ReceiptHandle", "");
    std::string count = attr_string(attrs, "ApproximateReceiveCount");
    q.delivery_count = count.empty() ? 1 : std::stoi(count);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!location.empty()) offloaded_[q.receipt] = location;
      inflight_[q.receipt] = call_start + visibility;
    }
    out.push_back(std::move(q));
  }
  // Make each group's messages contiguous, keeping their order (SQS keeps per-group order).
  std::vector<std::string> groups;
  for (const auto& q : out)
    if (std::find(groups.begin(), groups.end(), q.group) == groups.end()) groups.push_back(q.group);
  std::stable_sort(out.begin(), out.end(), [&](const QueueMessage& a, const QueueMessage& b) {
    return std::find(groups.begin(), groups.end(), a.group) < std::find(groups.begin(), groups.end(), b.group);
  });
  return out;
}

std::vector<std::string> SqsQueue::live_receipts(const std::vector<std::string>& receipts) {
  auto now = std::chrono::steady_clock::now();
  std::vector<std::string> live;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& r : receipts) {
    if (r.empty()) continue;
    auto it = inflight_.find(r);
    if (it == inflight_.end()) {
      live.push_back(r);  // not ours (or forgotten): let SQS judge it
      continue;
    }
    bool expired = now >= it->second;
    inflight_.erase(it);
    if (expired) offloaded_.erase(r);
    else live.push_back(r);
  }
  // Forget deliveries nobody acked long after they expired.
  if (inflight_.size() > 10000)
    std::erase_if(inflight_, [&](const auto& e) { return now - e.second > std::chrono::minutes(15); });
  return live;
}

Status SqsQueue::ack(const std::vector<std::string>& all_receipts) {
  std::vector<std::string> receipts = live_receipts(all_receipts);
  std::vector<std::string> deleted;
  for (size_t i = 0; i < receipts.size(); i += 10) {
    json entries = json::array();
    for (size_t j = i; j < std::min(receipts.size(), i + 10); ++j)
      entries.push_back({{"Id", std::to_string(j - i)}, {"ReceiptHandle", receipts[j]}});
    auto r = sqs_->call("DeleteMessageBatch", {{"QueueUrl", url_}, {"Entries", entries}});
    if (!r.ok()) return r.status();
    if (!r->ok()) return r->to_status("DeleteMessageBatch");
    for (const auto& f : r->body.value("Failed", json::array())) {
      std::string code = f.value("Code", "");
      if (!stale_receipt(code)) return Status(Error::SystemError, "DeleteMessageBatch: " + code + ": " + f.value("Message", ""));
    }
    for (const auto& s : r->body.value("Successful", json::array()))
      deleted.push_back(receipts[i + std::stoul(s.value("Id", "0"))]);
  }
  if (!offload_ || !offload_->s3) return Status::OK();
  for (const auto& receipt : deleted) {
    std::string location;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = offloaded_.find(receipt);
      if (it == offloaded_.end()) continue;
      location = it->second;
      offloaded_.erase(it);
    }
    size_t slash = location.find('/');
    // Best effort: an object left behind is removed by the bucket's lifecycle rule.
    (void)offload_->s3->delete_object(location.substr(0, slash), location.substr(slash + 1));
  }
  return Status::OK();
}

Status SqsQueue::release(const std::string& receipt) {
  if (live_receipts({receipt}).empty()) return Status::OK();  // expired or empty: a no-op
  auto r = sqs_->call("ChangeMessageVisibility", {{"QueueUrl", url_}, {"ReceiptHandle", receipt}, {"VisibilityTimeout", 0}});
  if (!r.ok()) return r.status();
  if (!r->ok() && !stale_receipt(r->error_type)) return r->to_status("ChangeMessageVisibility");
  return Status::OK();
}

void SqsQueue::interrupt() { interrupts_.fetch_add(1); }

}  // namespace faaskeeper::aws
