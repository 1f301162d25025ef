// fk_cost_cli: the `faaskeeper cost` command as a standalone program, until the main
// `faaskeeper` command dispatches to run_cost_command() itself.
#include "cost/cost_command.h"

int main(int argc, char** argv) { return faaskeeper::run_cost_command(argc, argv); }
