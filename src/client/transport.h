// ClientTransport: the client's view of a deployment. A narrow seam so one client works over the
// embedded deployment (tests), the local deployment's endpoint, and the cloud.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "faaskeeper/error.h"
#include "protocol/messages.h"

namespace faaskeeper {

class ClientTransport {
 public:
  using Receiver = std::function<void(const std::string& server_message)>;
  virtual ~ClientTransport() = default;

  // Starts delivery of the session's server messages (encoded ServerMessage) to `receiver`.
  virtual Status attach(int64_t session_id, Receiver receiver) = 0;
  // Stops delivery; after it returns the receiver is not called again.
  virtual void detach(int64_t session_id) = 0;
  // Enqueues a request in the writer queue (group = session, dedup id = request_id()).
  virtual Status submit(const ClientRequest& request) = 0;
  // Reads a node object from the user store; nullopt when absent.
  virtual Result<std::optional<std::string>> read(const std::string& path) = 0;
};

}  // namespace faaskeeper
