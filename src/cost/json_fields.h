// Typed access to fields of the cost data files (prices, profiles), for their parsers only.
//
// Every accessor names the full dotted path of the field in its error, so a user who edits a
// data file learns exactly which field is missing or has the wrong type. Errors are thrown as
// DataFileError inside the parsers and turned into a Status at their public boundary; they never
// escape this library.
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace faaskeeper::cost::detail {

// A field that is absent, of the wrong type or out of range. what() is the full message.
class DataFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The object `key` of `parent` (whose dotted path is `path`); throws if absent or not an object.
const nlohmann::json& object_field(const nlohmann::json& parent, const std::string& path, const char* key);

// The number `key` of `parent`; throws if absent, not a number, or not finite.
double number_field(const nlohmann::json& parent, const std::string& path, const char* key);

// Like number_field, but returns `fallback` when the key is absent.
double number_field_or(const nlohmann::json& parent, const std::string& path, const char* key, double fallback);

// The string `key` of `parent`; throws if absent or not a string.
std::string string_field(const nlohmann::json& parent, const std::string& path, const char* key);

// Throws unless `value` >= `min` (or > min when `strict`), naming `path`.
void require_at_least(double value, double min, const std::string& path, bool strict = false);

// "a.b" from "a" and "b" ("b" alone when `path` is empty).
std::string join_path(const std::string& path, const std::string& key);

// Reads a whole file; throws DataFileError "cannot open <what> '<path>': <reason>" on failure.
std::string read_text_file(const std::string& path, const char* what);

}  // namespace faaskeeper::cost::detail
