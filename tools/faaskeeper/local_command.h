// `faaskeeper local --data DIR [--port P] [--writers N] [--batch N]`: runs the local
// deployment in the foreground until SIGINT/SIGTERM, and `faaskeeper stop --data DIR`.
#pragma once

#include <CLI/CLI.hpp>

namespace faaskeeper::cli {

// Registers `local` and `stop` on `app`; the one that runs stores its exit code in `exit_code`.
// Signals: call before any thread starts, so SIGINT/SIGTERM can be waited for synchronously.
void add_local_commands(CLI::App& app, int& exit_code);

}  // namespace faaskeeper::cli
