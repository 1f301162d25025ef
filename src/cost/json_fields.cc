#include "cost/json_fields.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace faaskeeper::cost::detail {

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

const nlohmann::json& object_field(const nlohmann::json& parent, const std::string& path, const char* key) {
  const std::string where = join_path(path, key);
  auto it = parent.find(key);
  if (it == parent.end()) throw DataFileError("missing object '" + where + "'");
  if (!it->is_object()) throw DataFileError("'" + where + "' must be an object");
  return *it;
}

double number_field(const nlohmann::json& parent, const std::string& path, const char* key) {
  const std::string where = join_path(path, key);
  auto it = parent.find(key);
  if (it == parent.end()) throw DataFileError("missing number '" + where + "'");
  if (!it->is_number()) throw DataFileError("'" + where + "' must be a number");
  double v = it->get<double>();
  if (!std::isfinite(v)) throw DataFileError("'" + where + "' must be finite");
  return v;
}

double number_field_or(const nlohmann::json& parent, const std::string& path, const char* key, double fallback) {
  if (!parent.contains(key)) return fallback;
  return number_field(parent, path, key);
}

std::string string_field(const nlohmann::json& parent, const std::string& path, const char* key) {
  const std::string where = join_path(path, key);
  auto it = parent.find(key);
  if (it == parent.end()) throw DataFileError("missing string '" + where + "'");
  if (!it->is_string()) throw DataFileError("'" + where + "' must be a string");
  return it->get<std::string>();
}

void require_at_least(double value, double min, const std::string& path, bool strict) {
  if (strict ? !(value > min) : !(value >= min)) {
    std::ostringstream msg;
    msg << "'" << path << "' must be " << (strict ? "> " : ">= ") << min << ", got " << value;
    throw DataFileError(msg.str());
  }
}

std::string read_text_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw DataFileError(std::string("cannot open ") + what + " '" + path + "': " +
                        (err != 0 ? std::strerror(err) : "unreadable"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw DataFileError(std::string("cannot read ") + what + " '" + path + "'");
  return text.str();
}

}  // namespace faaskeeper::cost::detail
