#include "cost/profile.h"

#include "cost/json_fields.h"

#include <algorithm>

namespace faaskeeper::cost {

using detail::DataFileError;
using detail::join_path;
using detail::number_field;
using detail::number_field_or;
using detail::object_field;
using detail::require_at_least;
using detail::string_field;
using nlohmann::json;

std::string_view user_store_name(UserStoreKind kind) {
  return kind == UserStoreKind::S3 ? "s3" : "dynamodb";
}

namespace {

constexpr const char* kSchema = "faaskeeper-cost-profile/1";

// {"billed_ms": x} or {"handler_ms": h, "cloud_io_ms": c} inside `obj` (a point or a duration).
DurationSpec duration_spec(const json& obj, const std::string& path) {
  DurationSpec d;
  const bool billed = obj.contains("billed_ms");
  const bool modeled = obj.contains("handler_ms") || obj.contains("cloud_io_ms");
  if (billed == modeled) {
    throw DataFileError("'" + path + "' needs either billed_ms, or handler_ms and cloud_io_ms");
  }
  if (billed) {
    d.billed_ms = number_field(obj, path, "billed_ms");
    require_at_least(*d.billed_ms, 0, join_path(path, "billed_ms"));
  } else {
    d.handler_ms = number_field(obj, path, "handler_ms");
    d.cloud_io_ms = number_field(obj, path, "cloud_io_ms");
    require_at_least(d.handler_ms, 0, join_path(path, "handler_ms"));
    require_at_least(d.cloud_io_ms, 0, join_path(path, "cloud_io_ms"));
  }
  return d;
}

std::vector<DurationPoint> duration_points(const json& duration, const std::string& path, const char* store) {
  std::vector<DurationPoint> out;
  if (!duration.contains(store)) return out;
  const std::string list_path = join_path(path, store);
  const json& list = duration.at(store);
  if (!list.is_array()) throw DataFileError("'" + list_path + "' must be an array of points");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string p = list_path + "[" + std::to_string(i) + "]";
    if (!list[i].is_object()) throw DataFileError("'" + p + "' must be an object");
    double bytes = number_field(list[i], p, "value_bytes");
    require_at_least(bytes, 0, join_path(p, "value_bytes"));
    out.push_back(DurationPoint{static_cast<uint64_t>(bytes), duration_spec(list[i], p)});
  }
  std::sort(out.begin(), out.end(),
            [](const DurationPoint& a, const DurationPoint& b) { return a.value_bytes < b.value_bytes; });
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].value_bytes == out[i - 1].value_bytes) {
      throw DataFileError("'" + list_path + "' has two points for " + std::to_string(out[i].value_bytes) + " bytes");
    }
  }
  return out;
}

FunctionProfile function_profile(const json& f, const std::string& path) {
  if (!f.is_object()) throw DataFileError("'" + path + "' must be an object");
  FunctionProfile fn;
  fn.name = string_field(f, path, "name");
  fn.memory_mb = number_field(f, path, "memory_mb");
  require_at_least(fn.memory_mb, 0, join_path(path, "memory_mb"), /*strict=*/true);
  fn.arch = string_field(f, path, "arch");
  fn.invocations_per_write = number_field_or(f, path, "invocations_per_write", 1);
  require_at_least(fn.invocations_per_write, 0, join_path(path, "invocations_per_write"));
  fn.source = f.value("source", "");
  const json& duration = object_field(f, path, "duration");
  const std::string dpath = join_path(path, "duration");
  fn.s3_points = duration_points(duration, dpath, "s3");
  fn.dynamodb_points = duration_points(duration, dpath, "dynamodb");
  if (fn.s3_points.empty() && fn.dynamodb_points.empty()) {
    throw DataFileError("'" + dpath + "' has no points for either s3 or dynamodb");
  }
  return fn;
}

HeartbeatProfile heartbeat_profile(const json& h) {
  const std::string path = "heartbeat";
  HeartbeatProfile hb;
  hb.period_s = number_field(h, path, "period_s");
  require_at_least(hb.period_s, 0, "heartbeat.period_s");
  hb.memory_mb = number_field(h, path, "memory_mb");
  require_at_least(hb.memory_mb, 0, "heartbeat.memory_mb", /*strict=*/true);
  hb.arch = string_field(h, path, "arch");
  hb.duration = duration_spec(object_field(h, path, "duration"), "heartbeat.duration");
  hb.per_session_ms = number_field_or(h, path, "per_session_ms", 0);
  require_at_least(hb.per_session_ms, 0, "heartbeat.per_session_ms");
  hb.system_store_read_units = number_field_or(h, path, "system_store_read_units", 0);
  require_at_least(hb.system_store_read_units, 0, "heartbeat.system_store_read_units");
  hb.source = h.value("source", "");
  return hb;
}

double count_field(const json& parent, const std::string& path, const char* key) {
  double v = number_field(parent, path, key);
  require_at_least(v, 0, join_path(path, key));
  return v;
}

CostProfile parse_or_throw(const json& doc, const std::string& origin) {
  if (!doc.is_object()) throw DataFileError("the top level must be an object");
  if (doc.contains("schema") && doc.value("schema", "") != kSchema) {
    throw DataFileError(std::string("unsupported schema '") + doc.value("schema", "") + "', expected " + kSchema);
  }
  CostProfile p;
  p.origin = origin;
  p.name = string_field(doc, "", "name");
  p.source = string_field(doc, "", "source");
  if (doc.contains("provisional") && !doc["provisional"].is_boolean()) {
    throw DataFileError("'provisional' must be true or false");
  }
  p.provisional = doc.value("provisional", false);
  double threshold = number_field_or(doc, "", "hybrid_threshold_bytes", 4096);
  require_at_least(threshold, 0, "hybrid_threshold_bytes");
  p.hybrid_threshold_bytes = static_cast<uint64_t>(threshold);
  double overhead = number_field_or(doc, "", "object_overhead_bytes", 0);
  require_at_least(overhead, 0, "object_overhead_bytes");
  p.object_overhead_bytes = static_cast<uint64_t>(overhead);

  const json& w = object_field(doc, "", "per_write");
  p.queue_messages = count_field(w, "per_write", "queue_messages");
  p.system_store_write_units = count_field(w, "per_write", "system_store_write_units");
  p.system_store_read_units = count_field(w, "per_write", "system_store_read_units");
  p.user_store_writes = count_field(w, "per_write", "user_store_writes");
  const json& r = object_field(doc, "", "per_read");
  p.user_store_reads = count_field(r, "per_read", "user_store_reads");

  auto fit = doc.find("functions");
  if (fit == doc.end() || !fit->is_array()) throw DataFileError("missing array 'functions'");
  for (size_t i = 0; i < fit->size(); ++i) {
    p.functions.push_back(function_profile((*fit)[i], "functions[" + std::to_string(i) + "]"));
  }
  p.heartbeat = heartbeat_profile(object_field(doc, "", "heartbeat"));
  return p;
}

}  // namespace

Result<CostProfile> parse_cost_profile(std::string_view json_text, const std::string& origin) {
  json doc = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status(Error::BadArguments, "profile " + origin + " is not valid JSON");
  try {
    return parse_or_throw(doc, origin);
  } catch (const DataFileError& e) {
    return Status(Error::BadArguments, "profile " + origin + ": " + e.what());
  } catch (const json::exception& e) {
    return Status(Error::BadArguments, "profile " + origin + ": " + e.what());
  }
}

Result<CostProfile> load_cost_profile(const std::string& path) {
  std::string text;
  try {
    text = detail::read_text_file(path, "profile");
  } catch (const DataFileError& e) {
    return Status(Error::SystemError, e.what());
  }
  return parse_cost_profile(text, path);
}

}  // namespace faaskeeper::cost
