// Text answers to ZooKeeper's four-letter words, as the gateway reports itself.
#pragma once

#include <string>
#include <vector>

namespace faaskeeper::gateway {

// The version string reported by srvr/stat/mntr/envi: parseable like ZooKeeper's
// ("3.8.0-faaskeeper-gateway, built on ..."), so clients that check the version accept it.
inline constexpr const char* kReportedVersion = "3.8.0-faaskeeper-gateway";

// One open connection, as `stat` lists it (ZooKeeper's brief connection info).
struct ClientInfo {
  std::string peer;       // "/127.0.0.1:54321"
  bool four_letter = false;  // the connection asking (interest ops 0, as ZooKeeper shows it)
  long received = 0;      // frames (or the command) received on it
  long sent = 0;          // frames sent on it
};

struct GatewayCounters {
  long connections = 0;  // open connections right now
  long received = 0;     // frames received since start
  long sent = 0;         // frames sent since start
  std::vector<ClientInfo> clients;  // open connections, in accept order
};

// The reply to `word` (ruok → "imok"; srvr, stat, mntr, envi → their reports). Words the
// gateway does not implement get ZooKeeper's "not in the whitelist" answer.
std::string four_letter_answer(const std::string& word, const GatewayCounters& counters);

}  // namespace faaskeeper::gateway
