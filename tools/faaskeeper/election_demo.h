// `faaskeeper demo --data DIR`: the multi-process demo against a running local deployment.
// Several member processes (`faaskeeper demo-member`, one session each) join a leader election
// with ephemeral-sequential nodes under /election and read the configuration node /config; the
// demo updates /config, kills the leader's process with SIGKILL and shows the new leader once
// the dead session has expired; finally the members leave (closing their sessions).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace faaskeeper::cli {

// Registers `demo` (in-process without --data, multi-process with it) and the hidden
// `demo-member` on `app`; the one that runs stores its exit code in `exit_code`.
void add_demo_commands(CLI::App& app, int& exit_code);

}  // namespace faaskeeper::cli
