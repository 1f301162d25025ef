// FunctionCrash: thrown by the fault-injecting providers to simulate the death of a function
// instance in the middle of a handler.
//
// The function runtime (local or test) catches it around a handler invocation and treats the
// invocation as a crashed instance: it does NOT ack the batch (nor release it), so the queue
// redelivers the messages after their visibility timeout, exactly as when a Lambda instance
// dies. Handlers must never catch it.
#pragma once

#include <stdexcept>
#include <string>

namespace faaskeeper {

class FunctionCrash : public std::runtime_error {
 public:
  explicit FunctionCrash(const std::string& where)
      : std::runtime_error("injected function crash " + where) {}
};

}  // namespace faaskeeper
