// The `faaskeeper` command. Subcommands each live in their own file:
//   local, stop            local_command.cc   the local deployment
//   gateway                gateway_command.cc the ZooKeeper protocol gateway (src/gateway)
//   create get set delete stat ls (watch)      verbs.cc   zkCli-style verbs against a deployment
//   demo (demo-member)     demo.cc, election_demo.cc, demo_member.cc
//   cost                   src/cost/cost_command.cc (its own parser)
//   bench                  bench_command.cc   (its own parser) the side-by-side vs ZooKeeper
#include <CLI/CLI.hpp>
#include <string>

#include "cost/cost_command.h"
#include "tools/faaskeeper/bench_command.h"
#include "tools/faaskeeper/election_demo.h"
#include "tools/faaskeeper/gateway_command.h"
#include "tools/faaskeeper/local_command.h"
#include "tools/faaskeeper/verbs.h"

int main(int argc, char** argv) {
  // `cost` parses its own arguments (and prints its own --help).
  if (argc >= 2 && std::string(argv[1]) == "cost") return faaskeeper::run_cost_command(argc - 1, argv + 1);
  // `bench` passes options through to the benchmark (and prints its own --help).
  if (argc >= 2 && std::string(argv[1]) == "bench") return faaskeeper::cli::run_bench_command(argc - 1, argv + 1);

  CLI::App app{"FaaSKeeper: ZooKeeper-compatible coordination built from serverless functions and cloud storage"};
  app.require_subcommand(1);
  int exit_code = 0;
  faaskeeper::cli::add_local_commands(app, exit_code);
  faaskeeper::cli::add_gateway_command(app, exit_code);
  faaskeeper::cli::add_verbs(app, exit_code);
  faaskeeper::cli::add_demo_commands(app, exit_code);
  app.add_subcommand("cost", "Estimate FaaSKeeper vs ZooKeeper cost per day (faaskeeper cost --help)");
  app.add_subcommand("bench",
                     "Side-by-side benchmark vs Apache ZooKeeper: table, JSON and plots (faaskeeper bench --help)");

  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
