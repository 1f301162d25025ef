// AwsTransport: how a client reaches a FaaSKeeper deployment on AWS (docs/aws.md).
//
//   writes   -> the writer queue (SQS FIFO), message group = the session id, dedup id =
//               request_id(session, seq): a retried submit is dropped by SQS, not applied twice
//   reads    -> the user store (S3, DynamoDB or hybrid), straight from the client, no function
//   replies, watch notifications, pings
//            <- the functions connect to a ChannelListener this transport runs; every frame is
//               authenticated with a per-session secret (tcp_channel.h)
//
// attach() creates the session's secret, starts accepting it, and registers the listener's
// address and the secret in the session item of the system store, all before the client sends
// OpenSession (the registration is refused once the session exists: nobody can take over
// another client's session by registering a channel for it).
//
// The functions must be able to dial `advertise_host`:`port`. For functions on Lambda that is a
// public or VPC address of this machine (listen on 0.0.0.0); for functions hosted on the same
// machine (the emulator tests, a development setup) 127.0.0.1.
#pragma once

#include <memory>
#include <string>

#include "client/transport.h"
#include "providers/aws/aws_provider.h"
#include "providers/aws/tcp_channel.h"

namespace faaskeeper::aws {

struct AwsTransportOptions {
  AwsProviderConfig provider;
  ChannelListenerOptions listener;  // listen_host, port (0: any free port)
  std::string advertise_host;       // empty: listener.listen_host
};

class AwsTransport final : public ClientTransport {
 public:
  // Builds the AWS clients, resolves the queues and starts the listener. ConnectionLoss or the
  // AWS error when a store or queue cannot be reached; SystemError when the listener cannot bind.
  static Result<std::shared_ptr<AwsTransport>> open(AwsTransportOptions options);
  ~AwsTransport() override;

  Status attach(int64_t session_id, Receiver receiver) override;
  void detach(int64_t session_id) override;
  Status submit(const ClientRequest& request) override;
  Result<std::optional<std::string>> read(const std::string& path) override;

  // "host:port" the functions dial.
  const std::string& channel_address() const { return address_; }

  class Receivers;

 private:
  AwsTransport(AwsProviders providers, std::shared_ptr<Receivers> receivers,
               std::unique_ptr<ChannelListener> listener, std::string address);
  AwsProviders providers_;
  std::shared_ptr<Receivers> receivers_;
  std::unique_ptr<ChannelListener> listener_;
  std::string address_;
};

}  // namespace faaskeeper::aws
