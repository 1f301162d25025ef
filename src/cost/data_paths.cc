#include "cost/data_paths.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#ifndef FK_DATA_DIR
#error "FK_DATA_DIR must be defined by the build (see src/cost/CMakeLists.txt)"
#endif

namespace faaskeeper::cost {

namespace fs = std::filesystem;

std::string data_dir() {
  const char* env = std::getenv("FAASKEEPER_DATA_DIR");
  if (env != nullptr && *env != '\0') return env;
  return FK_DATA_DIR;
}

std::string default_price_file() { return (fs::path(data_dir()) / "cost" / "aws-us-east-1.json").string(); }

std::string profile_file(const std::string& name_or_path) {
  const bool is_path = name_or_path.find('/') != std::string::npos ||
                       (name_or_path.size() >= 5 && name_or_path.ends_with(".json"));
  if (is_path) return name_or_path;
  return (fs::path(data_dir()) / "cost" / "profiles" / (name_or_path + ".json")).string();
}

std::vector<std::string> known_profiles() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(data_dir()) / "cost" / "profiles", ec)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace faaskeeper::cost
