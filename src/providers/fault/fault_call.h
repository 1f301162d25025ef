// Internal: the common "consult the plan, then forward" step of every faulty wrapper.
#pragma once

#include <string>
#include <utility>

#include "providers/fault/fault_plan.h"
#include "providers/fault/function_crash.h"

namespace faaskeeper::fault_detail {

// Runs `call` under the plan's decision for (op, detail). R is Status or Result<T>.
// `droppable`: whether a Drop fault applies (Status-returning calls only).
template <class R, class F>
R run(FaultPlan& plan, const std::string& op, const std::string& detail, F&& call,
      bool droppable = false) {
  FaultDecision d = plan.on_call(op, detail);
  if (d.delay.count() > 0) plan.sleep(d.delay);
  if (d.crash_before) throw FunctionCrash("before " + op + " " + detail);
  if (d.fail) return R(*d.fail);
  if (droppable && d.drop) return R(Status::OK());
  R r = std::forward<F>(call)();
  if (d.crash_after) throw FunctionCrash("after " + op + " " + detail);
  return r;
}

}  // namespace faaskeeper::fault_detail
