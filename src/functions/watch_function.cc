#include "functions/watch_function.h"

#include "protocol/messages.h"

namespace faaskeeper {

Outcome WatchFunction::handle(const QueueMessage& message) {
  auto batch = decode_watch_batch(message.body);
  if (!batch.ok()) return Outcome::Done;
  env_.step("watch.received");
  for (const auto& n : batch->notifications) {
    // A session without a reachable client misses the event, as a disconnected ZooKeeper client
    // does; it learns about changes when it reconnects and re-reads.
    env_.channel->send(n.session_id, encode(ServerMessage{WatchNotification{n.type, n.path, batch->txid}}));
  }
  env_.step("watch.delivered");
  if (!batch->stamped_paths.empty()) {
    DistributorMessage clear;
    for (const auto& p : batch->stamped_paths) clear.clear_epochs.emplace_back(p, batch->txid);
    auto sent = env_.distributor_queue->send(kDistributorGroup, "epoch:" + std::to_string(batch->txid), encode(clear));
    if (!sent.ok()) return Outcome::Retry;
  }
  return Outcome::Done;
}

}  // namespace faaskeeper
