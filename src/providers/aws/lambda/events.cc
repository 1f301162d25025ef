#include "providers/aws/lambda/events.h"

#include <algorithm>
#include <set>

namespace faaskeeper::aws {

using nlohmann::json;

bool is_sqs_event(const json& e) {
  if (!e.is_object() || !e.contains("Records") || !e["Records"].is_array() || e["Records"].empty()) return false;
  const json& r = e["Records"][0];
  return r.is_object() && r.value("eventSource", "") == "aws:sqs";
}

bool is_scheduled_event(const json& e) {
  return e.is_object() && e.value("source", "") == "aws.events" && e.value("detail-type", "") == "Scheduled Event";
}

Result<SqsBatch> parse_sqs_event(const json& event, const S3Fetch& fetch) {
  if (!is_sqs_event(event)) return Status(Error::MarshallingError, "not an SQS event");
  SqsBatch batch;
  try {
    for (const auto& r : event["Records"]) {
      QueueMessage m;
      const json attrs = r.value("attributes", json::object());
      const json mattrs = r.value("messageAttributes", json::object());
      std::string encoding;
      if (mattrs.contains(kSqsEncodingAttr)) encoding = mattrs[kSqsEncodingAttr].value("stringValue", "");
      auto body = sqs_decode(r.value("body", ""), encoding, fetch);
      if (!body.ok()) return body.status();
      m.body = std::move(*body);
      m.group = attrs.value("MessageGroupId", "");
      m.dedup_id = attrs.value("MessageDeduplicationId", "");
      std::string seq = attrs.value("SequenceNumber", "");
      if (!seq.empty()) {
        auto s = sqs_sequence_to_u64(seq);
        if (!s.ok()) return s.status();
        m.sequence = *s;
      }
      std::string count = attrs.value("ApproximateReceiveCount", "1");
      m.delivery_count = std::max(1, std::atoi(count.c_str()));
      m.receipt = r.value("messageId", "");
      if (batch.queue_arn.empty()) batch.queue_arn = r.value("eventSourceARN", "");
      batch.messages.push_back(std::move(m));
    }
  } catch (const json::exception& e) {
    return Status(Error::MarshallingError, std::string("malformed SQS event: ") + e.what());
  }
  return batch;
}

std::vector<std::string> fifo_failures(const SqsBatch& batch, const std::vector<std::string>& failed) {
  std::set<std::string> bad(failed.begin(), failed.end());
  std::set<std::string> blocked_groups;
  std::vector<std::string> out;
  for (const auto& m : batch.messages) {
    if (bad.count(m.receipt) || blocked_groups.count(m.group)) {
      out.push_back(m.receipt);
      blocked_groups.insert(m.group);
    }
  }
  return out;
}

std::string batch_failures_response(const std::vector<std::string>& ids) {
  json arr = json::array();
  for (const auto& id : ids) arr.push_back({{"itemIdentifier", id}});
  return json{{"batchItemFailures", arr}}.dump();
}

}  // namespace faaskeeper::aws
