#include "workload.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fkbench {

bool load_workload(const std::string& file, Workload& w, std::string& why) {
  std::ifstream in(file);
  if (!in) {
    why = "cannot read " + file;
    return false;
  }
  w = Workload{};
  w.name = std::filesystem::path(file).stem().string();
  std::string line;
  int lineno = 0;
  auto trim = [](std::string s) {
    auto b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  while (std::getline(in, line)) {
    ++lineno;
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) {
      why = file + ":" + std::to_string(lineno) + ": expected key = value";
      return false;
    }
    std::string k = trim(line.substr(0, eq)), v = trim(line.substr(eq + 1));
    try {
      if (k == "name") w.name = v;
      else if (k == "get") w.get = std::stoi(v);
      else if (k == "set") w.set = std::stoi(v);
      else if (k == "create") w.create = std::stoi(v);
      else if (k == "delete") w.del = std::stoi(v);
      else if (k == "value_size") w.value_size = std::stoul(v);
      else if (k == "keys") w.keys = std::stoi(v);
      else if (k == "clients") w.clients = std::stoi(v);
      else if (k == "seconds") w.seconds = std::stod(v);
      else if (k == "ops") w.ops = std::stoul(v);
      else if (k == "script") w.script = v;
      else if (k == "znodes") w.znodes = std::stoul(v);
      else if (k == "quick_znodes") w.quick_znodes = std::stoul(v);
      else if (k == "parents") w.parents = std::stoi(v);
      else {
        why = file + ":" + std::to_string(lineno) + ": unknown key " + k;
        return false;
      }
    } catch (const std::exception&) {
      why = file + ":" + std::to_string(lineno) + ": bad value for " + k;
      return false;
    }
  }
  if (w.script != "" && w.script != "service-latency" && w.script != "load") {
    why = file + ": unknown script " + w.script + " (service-latency, load)";
    return false;
  }
  if (w.quick_znodes == 0) w.quick_znodes = std::max<size_t>(1, w.znodes / 10);
  if (w.script.empty() ? w.total_weight() <= 0 : (w.znodes == 0 || w.parents <= 0)) {
    why = file + ": needs a positive op weight (or a script with znodes and parents)";
    return false;
  }
  if (w.clients <= 0 || w.keys <= 0) {
    why = file + ": needs positive clients and keys";
    return false;
  }
  return true;
}

}  // namespace fkbench
