#include "gateway/four_letter.h"

namespace faaskeeper::gateway {

std::string four_letter_answer(const std::string& word, const GatewayCounters& c) {
  const std::string version = kReportedVersion;
  if (word == "ruok") return "imok";
  if (word == "srvr" || word == "stat") {
    std::string s = "Zookeeper version: " + version + ", built on 01/01/2024 00:00 GMT\n";
    if (word == "stat") {
      // ZooKeeper's form: " /ip:port[interestOps](queued=N,recved=N,sent=N)", then a blank line.
      s += "Clients:\n";
      for (const auto& cl : c.clients)
        s += " " + cl.peer + "[" + (cl.four_letter ? "0" : "1") + "](queued=0,recved=" +
             std::to_string(cl.received) + ",sent=" + std::to_string(cl.sent) + ")\n";
      s += "\n";
    }
    s += "Latency min/avg/max: 0/0.0/0\n";
    s += "Received: " + std::to_string(c.received) + "\n";
    s += "Sent: " + std::to_string(c.sent) + "\n";
    s += "Connections: " + std::to_string(c.connections) + "\n";
    s += "Outstanding: 0\nZxid: 0x0\nMode: standalone\nNode count: 0\n";
    return s;
  }
  if (word == "mntr") {
    return "zk_version\t" + version + ", built on 01/01/2024 00:00 GMT\n" +
           "zk_server_state\tstandalone\n" + "zk_num_alive_connections\t" + std::to_string(c.connections) +
           "\n" + "zk_packets_received\t" + std::to_string(c.received) + "\n" + "zk_packets_sent\t" +
           std::to_string(c.sent) + "\n" + "zk_outstanding_requests\t0\n";
  }
  if (word == "envi") {
    return "Environment:\nzookeeper.version=" + version + ", built on 01/01/2024 00:00 GMT\n" +
           "host.name=localhost\nfaaskeeper.gateway=true\n";
  }
  return word + " is not executed because it is not in the whitelist.\n";
}

}  // namespace faaskeeper::gateway
