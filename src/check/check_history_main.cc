// fk_check_history: checks recorded histories and prints the report.
//
//   fk_check_history [--zk-reads] [--max-steps N] [--time-budget-ms N] [--no-sessions]
//                    [--no-linearizability] [--max-anomalies N] FILE...
//
// Several files (e.g. one per campaign process) are merged into one history.
// Exit status: 0 no anomaly, 1 anomalies, 2 undecided (budget exhausted), 3 usage or load error.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "check/checker.h"
#include "check/history_io.h"

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: fk_check_history [options] FILE...\n"
               "  --zk-reads            reads may be stale (ZooKeeper's guarantee); default: linearizable\n"
               "  --max-steps N         search steps per partition (default 5000000)\n"
               "  --time-budget-ms N    total search time (default 60000)\n"
               "  --no-sessions         skip the session and zxid rules\n"
               "  --no-linearizability  skip the linearizability search\n"
               "  --max-anomalies N     anomalies listed per kind (default 50)\n"
               "exit: 0 ok, 1 anomalies, 2 undecided, 3 usage or load error\n");
}

bool parse_number(const char* s, long long& out) {
  char* end = nullptr;
  out = std::strtoll(s, &end, 10);
  return end && *end == '\0' && out >= 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace faaskeeper::check;
  CheckOptions opt;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    long long n = 0;
    auto number = [&]() {
      if (i + 1 >= argc || !parse_number(argv[i + 1], n)) {
        std::fprintf(stderr, "%s needs a non-negative number\n", a.c_str());
        std::exit(3);
      }
      ++i;
      return n;
    };
    if (a == "--zk-reads") opt.linearizable_reads = false;
    else if (a == "--max-steps") opt.max_steps_per_partition = static_cast<uint64_t>(number());
    else if (a == "--time-budget-ms") opt.time_budget = std::chrono::milliseconds(number());
    else if (a == "--no-sessions") opt.check_sessions = false;
    else if (a == "--no-linearizability") opt.check_linearizability = false;
    else if (a == "--max-anomalies") opt.max_anomalies_per_kind = static_cast<size_t>(number());
    else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      usage();
      return 3;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) {
    usage();
    return 3;
  }
  auto h = load_histories(files);
  if (!h.ok()) {
    std::fprintf(stderr, "fk_check_history: %s\n", h.status().to_string().c_str());
    return 3;
  }
  Report r = check_history(*h, opt);
  std::fputs(r.to_string().c_str(), stdout);
  switch (r.verdict) {
    case Verdict::Ok: return 0;
    case Verdict::Anomalies: return 1;
    case Verdict::Unknown: return 2;
  }
  return 3;
}
