#include "providers/fault/faulty_client_channel.h"

#include "providers/fault/fault_call.h"

namespace faaskeeper {

using fault_detail::run;

FaultyClientChannel::FaultyClientChannel(ClientChannel& inner, FaultPlan& plan, std::string name)
    : inner_(inner), plan_(plan), name_(std::move(name)) {}

FaultyClientChannel::FaultyClientChannel(std::shared_ptr<ClientChannel> inner,
                                         std::shared_ptr<FaultPlan> plan, std::string name)
    : owned_inner_(std::move(inner)),
      owned_plan_(std::move(plan)),
      inner_(*owned_inner_),
      plan_(*owned_plan_),
      name_(std::move(name)) {}

Status FaultyClientChannel::send(int64_t session_id, const std::string& message) {
  return run<Status>(plan_, name_ + ".send", std::to_string(session_id),
                     [&] { return inner_.send(session_id, message); }, true);
}

}  // namespace faaskeeper
