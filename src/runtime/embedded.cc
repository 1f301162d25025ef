#include "runtime/embedded.h"

#include "client/transport.h"

namespace faaskeeper {

namespace {

class EmbeddedTransport final : public ClientTransport {
 public:
  EmbeddedTransport(Queue& writer_queue, UserStore& user, MemoryClientChannel& channel)
      : writer_queue_(writer_queue), user_(user), channel_(channel) {}

  Status attach(int64_t session_id, Receiver receiver) override {
    channel_.register_session(session_id, std::move(receiver));
    return Status::OK();
  }
  void detach(int64_t session_id) override { channel_.unregister_session(session_id); }
  Status submit(const ClientRequest& request) override {
    auto sent = writer_queue_.send(std::to_string(request.session_id),
                                   request_id(request.session_id, request.seq), encode(request));
    return sent.ok() ? Status::OK() : sent.status();
  }
  Result<std::optional<std::string>> read(const std::string& path) override { return user_.get(path); }

 private:
  Queue& writer_queue_;
  UserStore& user_;
  MemoryClientChannel& channel_;
};

}  // namespace

EmbeddedDeployment::EmbeddedDeployment(EmbeddedOptions options)
    : clock_(options.clock ? options.clock : &system_clock_) {
  writer_queue_ = std::make_unique<MemoryQueue>(*clock_);
  distributor_queue_ = std::make_unique<MemoryQueue>(*clock_);
  watch_queue_ = std::make_unique<MemoryQueue>(*clock_);
  transport_ = std::make_shared<EmbeddedTransport>(*writer_queue_, user_, channel_);
  Status init = initialize_stores(system_, user_, *clock_);
  if (!init.ok()) throw std::runtime_error("cannot initialise the embedded stores: " + init.to_string());

  FunctionEnv env;
  env.system = options.wrap_system_store ? options.wrap_system_store(&system_) : &system_;
  env.user = &user_;
  env.writer_queue = writer_queue_.get();
  env.distributor_queue = options.wrap_distributor_queue ? options.wrap_distributor_queue(distributor_queue_.get())
                                                         : distributor_queue_.get();
  env.watch_queue = watch_queue_.get();
  env.channel = &channel_;
  env.clock = clock_;
  env.config = options.functions;
  env.step_hook = options.step_hook;
  runtime_ = std::make_unique<FunctionRuntime>(std::move(env), options.runtime);
  runtime_->start();
}

EmbeddedDeployment::~EmbeddedDeployment() { runtime_->stop(); }

Result<std::unique_ptr<Client>> EmbeddedDeployment::connect(ClientOptions options) {
  return Client::open(transport_, options);
}

}  // namespace faaskeeper
