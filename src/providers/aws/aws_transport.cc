#include "providers/aws/aws_transport.h"

#include <map>
#include <mutex>

#include "protocol/messages.h"

namespace faaskeeper::aws {

// The receiver of each attached session. The listener calls deliver() on its thread; detach()
// removes a receiver under the same mutex, so after detach returns it is not called again.
class AwsTransport::Receivers {
 public:
  void add(int64_t session, Receiver r) {
    std::lock_guard lock(mu_);
    receivers_[session] = std::move(r);
  }
  void remove(int64_t session) {
    std::lock_guard lock(mu_);
    receivers_.erase(session);
  }
  void deliver(int64_t session, const std::string& message) {
    std::lock_guard lock(mu_);
    if (auto it = receivers_.find(session); it != receivers_.end()) it->second(message);
  }

 private:
  std::mutex mu_;
  std::map<int64_t, Receiver> receivers_;
};

Result<std::shared_ptr<AwsTransport>> AwsTransport::open(AwsTransportOptions options) {
  auto providers = make_aws_providers(options.provider);
  if (!providers.ok()) return providers.status();
  auto receivers = std::make_shared<Receivers>();
  auto listener = ChannelListener::start(options.listener, [receivers](int64_t session, const std::string& m) {
    receivers->deliver(session, m);
  });
  if (!listener.ok()) return listener.status();
  std::string host = options.advertise_host.empty() ? options.listener.listen_host : options.advertise_host;
  if (host == "0.0.0.0" || host.empty())
    return Status(Error::BadArguments, "AwsTransport: advertise_host must name an address the functions can dial");
  std::string address = host + ":" + std::to_string((*listener)->port());
  return std::shared_ptr<AwsTransport>(
      new AwsTransport(std::move(*providers), std::move(receivers), std::move(*listener), std::move(address)));
}

AwsTransport::AwsTransport(AwsProviders providers, std::shared_ptr<Receivers> receivers,
                           std::unique_ptr<ChannelListener> listener, std::string address)
    : providers_(std::move(providers)),
      receivers_(std::move(receivers)),
      listener_(std::move(listener)),
      address_(std::move(address)) {}

AwsTransport::~AwsTransport() { listener_.reset(); }  // no delivery after this

Status AwsTransport::attach(int64_t session_id, Receiver receiver) {
  std::string secret = random_channel_secret();
  receivers_->add(session_id, std::move(receiver));
  listener_->add_session(session_id, secret);
  Status s = register_channel(*providers_.system_store, session_id, address_, secret);
  if (!s.ok()) detach(session_id);
  return s;
}

void AwsTransport::detach(int64_t session_id) {
  listener_->remove_session(session_id);
  receivers_->remove(session_id);
}

Status AwsTransport::submit(const ClientRequest& request) {
  auto sent = providers_.writer_queue->send(std::to_string(request.session_id),
                                            request_id(request.session_id, request.seq), encode(request));
  return sent.ok() ? Status::OK() : sent.status();
}

Result<std::optional<std::string>> AwsTransport::read(const std::string& path) {
  return providers_.user_store->get(path);
}

}  // namespace faaskeeper::aws
