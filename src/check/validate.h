// Internal: structural checks of a History before anything else looks at it.
#pragma once

#include <string>
#include <vector>

#include "check/history.h"

namespace faaskeeper::check::detail {

// Appends one message per problem: bad times, duplicate ids, sequence numbers that disagree
// with invoke order, malformed paths or multis, answers that lack what the checker needs.
void validate_history(const History& h, std::vector<std::string>& problems);

}  // namespace faaskeeper::check::detail
