#pragma once

namespace faaskeeper {
// Runs the in-process demo with `members` clients; returns the process exit code.
int run_demo(int members);
}  // namespace faaskeeper
