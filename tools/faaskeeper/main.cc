// The `faaskeeper` command. Subcommands each live in their own file.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "tools/faaskeeper/demo.h"

int main(int argc, char** argv) {
  CLI::App app{"FaaSKeeper: ZooKeeper-compatible coordination built from serverless functions and cloud storage"};
  app.require_subcommand(1);

  int members = 4;
  auto* demo = app.add_subcommand("demo", "Run an in-process deployment with several clients (leader election, configuration)");
  demo->add_option("--members", members, "number of election members")->check(CLI::Range(1, 64));

  CLI11_PARSE(app, argc, argv);
  if (*demo) return faaskeeper::run_demo(members);
  return 0;
}
