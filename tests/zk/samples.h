// Valid example values of every request and response the codec knows, shared by the unit tests,
// the random-mutation harness and the fuzz seed-corpus generator.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "zk/codec.h"

namespace faaskeeper::zk::testing {

// At least one sample of every Request alternative (several for multi).
std::vector<Request> sample_requests();

// (opcode, response) pairs covering every Response alternative and every MultiResult kind.
std::vector<std::pair<OpCode, Response>> sample_responses();

// A Stat with every field distinct, so a swapped field cannot go unnoticed.
Stat distinct_stat();

// Bytes from a hex string; spaces and newlines are ignored ("00 00 00 2d").
std::string unhex(std::string_view hex);
// Lower-case hex of bytes, no separators.
std::string hex(std::string_view bytes);

}  // namespace faaskeeper::zk::testing
