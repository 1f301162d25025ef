#include "check/validate.h"

#include <algorithm>
#include <map>
#include <set>

namespace faaskeeper::check::detail {

namespace {

bool valid_path(const std::string& p) { return !p.empty() && p[0] == '/'; }

void validate_request(const Operation& op, const Request& r, bool in_multi,
                      std::vector<std::string>& problems) {
  auto bad = [&](const std::string& what) {
    problems.push_back("op #" + std::to_string(op.id) + ": " + what);
  };
  if (r.type == OpType::Multi) {
    if (in_multi) bad("nested multi");
    for (const auto& sub : r.ops) validate_request(op, sub, true, problems);
    return;
  }
  if (in_multi && is_read(r.type)) bad("a multi may only hold create, delete, setData and check");
  if (!valid_path(r.path)) bad("path \"" + r.path + "\" does not start with /");
}

}  // namespace

void validate_history(const History& h, std::vector<std::string>& problems) {
  for (const auto& n : h.initial)
    if (!valid_path(n.path)) problems.push_back("initial node path \"" + n.path + "\" does not start with /");

  std::set<uint64_t> ids;
  std::map<int64_t, std::vector<const Operation*>> sessions;
  for (const auto& op : h.ops) {
    auto bad = [&](const std::string& what) {
      problems.push_back("op #" + std::to_string(op.id) + ": " + what);
    };
    if (!ids.insert(op.id).second) bad("duplicate op id");
    if (op.complete != kNever && op.complete < op.invoke) bad("completes before it is invoked");
    if (op.outcome.kind != OutcomeKind::Unknown && op.complete == kNever)
      bad("has an answer but no completion time");
    validate_request(op, op.request, false, problems);
    const Outcome& o = op.outcome;
    const Request& r = op.request;
    if (o.kind == OutcomeKind::Ok) {
      if (r.type == OpType::Create && is_sequential(r.mode) && o.path.empty())
        bad("an acknowledged sequential create must report the created path");
      if (r.type == OpType::Multi && !o.results.empty() && o.results.size() != r.ops.size())
        bad("multi reports " + std::to_string(o.results.size()) + " results for " +
            std::to_string(r.ops.size()) + " sub-operations");
    }
    sessions[op.session].push_back(&op);
  }
  for (auto& [session, ops] : sessions) {
    std::sort(ops.begin(), ops.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
    for (size_t i = 1; i < ops.size(); ++i) {
      if (ops[i]->seq == ops[i - 1]->seq)
        problems.push_back("session " + std::to_string(session) + ": ops #" + std::to_string(ops[i - 1]->id) +
                           " and #" + std::to_string(ops[i]->id) + " share seq " + std::to_string(ops[i]->seq));
      else if (ops[i]->invoke < ops[i - 1]->invoke)
        problems.push_back("session " + std::to_string(session) + ": op #" + std::to_string(ops[i]->id) +
                           " has a later seq but an earlier invoke time than #" + std::to_string(ops[i - 1]->id));
    }
  }
  for (const auto& e : h.session_ends)
    if (e.complete != kNever && e.complete < e.invoke)
      problems.push_back("session end of " + std::to_string(e.session) + " completes before it starts");
}

}  // namespace faaskeeper::check::detail
