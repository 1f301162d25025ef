// The CLI verbs against a running deployment, named as zkCli names them:
//   create [-e] [-s] [-c] [-t ttl] path [data]   get [-s] path   set [-s] [-v version] path data
//   delete [-v version] path   stat path   ls [-s] path   watch [-r] path
// Each opens a session, runs one operation and closes the session. Exit code 0 on success;
// 1 with "ERRORNAME: reason" on stderr when the operation fails (ZooKeeper error names).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "faaskeeper/types.h"

namespace faaskeeper::cli {

// Registers the verbs on `app`; the one that runs stores its exit code in `exit_code`.
void add_verbs(CLI::App& app, int& exit_code);

// zkCli's rendering of a Stat ("cZxid = 0x...", one field per line).
std::string format_stat(const Stat& stat);

}  // namespace faaskeeper::cli
