// Queue on an SQS FIFO queue, spoken through SQS's JSON protocol (AmazonSQS.<Action>).
//
// - send: SendMessage with MessageGroupId / MessageDeduplicationId; the returned
//   SequenceNumber becomes QueueMessage::sequence via sqs_sequence_to_u64 (an ordering hint:
//   see sqs_body_codec.h). Bodies are encoded per sqs_body_codec.h; bodies whose encoding is
//   over the inline limit are written to S3 first and sent as a pointer (needs `offload`).
// - receive: ReceiveMessage (all system attributes), long polling in whole seconds and short
//   polls for the sub-second rest; a batch is at most 10 messages (SQS's limit), regrouped so
//   each group's messages are contiguous, in order.
// - ack: DeleteMessageBatch (stale receipts are ignored), then deletes offloaded bodies.
//   A receipt this object handed out whose visibility timeout has passed (by the local clock,
//   measured from before the ReceiveMessage call, so never later than SQS's own deadline) is
//   not sent: acking an expired delivery must not delete the message (SQS FIFO rejects it;
//   some emulators do not), and a redelivery is always safe.
// - release: ChangeMessageVisibility to 0 (expired receipts likewise skipped).
// - interrupt: aborts in-flight receives (curl progress callback; within about 1 s) and makes
//   every later receive return at once (it is for shutdown).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "providers/aws/aws_json_client.h"
#include "providers/aws/s3_client.h"
#include "providers/aws/sqs_body_codec.h"
#include "providers/queue.h"

namespace faaskeeper::aws {

struct SqsOffload {
  std::shared_ptr<S3Client> s3;
  std::string bucket;
  std::string prefix = "sqs-offload/";  // object keys: prefix + <queue name>/<sha256>
  size_t inline_max = kSqsInlineMax;     // encoded bodies above this go to S3
};

class SqsQueue final : public Queue {
 public:
  // `sqs` talks to the SQS endpoint (target prefix "AmazonSQS"); `queue_url` names the queue.
  SqsQueue(std::shared_ptr<AwsJsonClient> sqs, std::string queue_url, std::optional<SqsOffload> offload = std::nullopt);

  // Creates (or finds) a FIFO queue named `name` (must end in ".fifo") and returns its URL.
  // Deduplication is by explicit id only (ContentBasedDeduplication=false).
  static Result<std::string> create_fifo_queue(AwsJsonClient& sqs, const std::string& name,
                                               int visibility_timeout_s = 30);
  static Result<std::string> queue_url(AwsJsonClient& sqs, const std::string& name);

  Result<uint64_t> send(const std::string& group, const std::string& dedup_id, const std::string& body) override;
  Result<std::vector<QueueMessage>> receive(size_t max, std::chrono::milliseconds wait,
                                            std::chrono::milliseconds visibility) override;
  Status ack(const std::vector<std::string>& receipts) override;
  Status release(const std::string& receipt) override;
  void interrupt() override;

  const std::string& url() const { return url_; }
  // The S3 key an offloaded body of this queue is stored under.
  std::string offload_key(const std::string& group, const std::string& dedup_id, const std::string& body) const;

 private:
  std::shared_ptr<AwsJsonClient> sqs_;
  std::string url_;
  std::string name_;
  std::optional<SqsOffload> offload_;
  std::atomic<uint64_t> interrupts_{0};
  std::mutex mu_;
  std::map<std::string, std::string> offloaded_;  // receipt -> "bucket/key", deleted at ack
  std::map<std::string, std::chrono::steady_clock::time_point> inflight_;  // receipt -> deadline
  // Removes receipts from `receipts` whose delivery expired (and forgets them all).
  std::vector<std::string> live_receipts(const std::vector<std::string>& receipts);
};

}  // namespace faaskeeper::aws
