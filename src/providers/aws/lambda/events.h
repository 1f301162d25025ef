// Lambda event shapes the FaaSKeeper functions receive: SQS batches (event source mappings on
// the writer and distributor queues) and EventBridge scheduled events (the heartbeat).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/aws/sqs_body_codec.h"
#include "providers/queue.h"

namespace faaskeeper::aws {

// An SQS batch as the handlers see it: QueueMessages decoded exactly as SqsQueue::receive
// decodes them (base64 and S3-offloaded bodies), with `receipt` set to the SQS messageId: the
// identity a handler reports back for a failed message (Lambda deletes the rest itself).
struct SqsBatch {
  std::string queue_arn;
  std::vector<QueueMessage> messages;
};

bool is_sqs_event(const nlohmann::json& event);
// EventBridge "Scheduled Event" (source aws.events).
bool is_scheduled_event(const nlohmann::json& event);

// Decodes the Records of an SQS event. `fetch` reads offloaded bodies (may be empty when none
// are expected: an offloaded body is then an error).
Result<SqsBatch> parse_sqs_event(const nlohmann::json& event, const S3Fetch& fetch);

// The ids to report as failed: `failed` plus, for FIFO order, every later message of a group
// in which a message failed (Lambda must not apply them ahead of the failed one).
std::vector<std::string> fifo_failures(const SqsBatch& batch, const std::vector<std::string>& failed);

// {"batchItemFailures": [{"itemIdentifier": id}, ...]} (ReportBatchItemFailures).
std::string batch_failures_response(const std::vector<std::string>& ids);

}  // namespace faaskeeper::aws
