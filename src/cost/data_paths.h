// Where the cost model finds its data files (prices, profiles).
#pragma once

#include <string>
#include <vector>

namespace faaskeeper::cost {

// The data directory: $FAASKEEPER_DATA_DIR when set and non-empty, else the directory compiled
// in as FK_DATA_DIR (the source tree's data/ by default; an install points it at its share dir).
std::string data_dir();

// <data_dir>/cost/aws-us-east-1.json
std::string default_price_file();

// The file of profile `name_or_path`: used as a path when it contains '/' or ends in ".json",
// else <data_dir>/cost/profiles/<name>.json. The file need not exist.
std::string profile_file(const std::string& name_or_path);

// Names of the profiles in <data_dir>/cost/profiles, sorted ("cpp", "paper").
std::vector<std::string> known_profiles();

}  // namespace faaskeeper::cost
