// FaultyClientChannel: forwards to a wrapped ClientChannel, injecting the faults of a
// FaultPlan (see fault_plan.h). Op name "<name>.send"; the detail is the session id in
// decimal. Drop applies (the message is lost but send() reports OK).
#pragma once

#include <memory>
#include <string>

#include "providers/client_channel.h"
#include "providers/fault/fault_plan.h"

namespace faaskeeper {

class FaultyClientChannel final : public ClientChannel {
 public:
  FaultyClientChannel(ClientChannel& inner, FaultPlan& plan, std::string name = "channel");
  FaultyClientChannel(std::shared_ptr<ClientChannel> inner, std::shared_ptr<FaultPlan> plan,
                      std::string name = "channel");

  Status send(int64_t session_id, const std::string& message) override;

 private:
  std::shared_ptr<ClientChannel> owned_inner_;
  std::shared_ptr<FaultPlan> owned_plan_;
  ClientChannel& inner_;
  FaultPlan& plan_;
  std::string name_;
};

}  // namespace faaskeeper
