// `faaskeeper demo-member`: one member process of the multi-process demo (election_demo.h).
// It opens a session, reads /config, joins the election with an ephemeral-sequential node
// under /election, and reports on stdout, one line per event, until SIGINT/SIGTERM (then it
// closes its session, which deletes its node):
//   session <id hex> | joined <node path> <config version> <config data> | leader |
//   follower <leader node name> | config <version> <data> | left | error <message>
#pragma once

#include <string>

namespace faaskeeper::cli {

struct MemberArgs {
  std::string data_dir;
  std::string server;
  std::string name;
  int session_timeout_ms = 3000;
  int poll_ms = 100;
};

int run_member(const MemberArgs& args);

}  // namespace faaskeeper::cli
