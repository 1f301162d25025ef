// ClientChannel: how functions reach a client session (replies, watch notifications, pings).
//
// Messages are opaque encoded ServerMessage bodies (src/protocol/messages.h). Delivery to one
// session preserves send order. A session with no reachable client gets ConnectionLoss, which
// the heartbeat uses to find dead sessions.
#pragma once

#include <cstdint>
#include <string>

#include "faaskeeper/error.h"

namespace faaskeeper {

class ClientChannel {
 public:
  virtual ~ClientChannel() = default;

  // Delivers `message` to the client of `session_id`. Returns ConnectionLoss when the session
  // has no reachable client right now; the message is then dropped (replies are re-derivable).
  virtual Status send(int64_t session_id, const std::string& message) = 0;
};

}  // namespace faaskeeper
