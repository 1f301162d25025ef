#include "cost/prices.h"

#include "cost/json_fields.h"

namespace faaskeeper::cost {

using detail::DataFileError;
using detail::join_path;
using detail::number_field;
using detail::number_field_or;
using detail::object_field;
using detail::require_at_least;
using nlohmann::json;

namespace {

constexpr double kPerMillion = 1e-6;
constexpr const char* kSchema = "faaskeeper-cost-prices/1";

// A leaf {"usd": x, ...} at parent.key, checked non-negative.
double usd_leaf(const json& parent, const std::string& path, const char* key) {
  const json& leaf = object_field(parent, path, key);
  const std::string where = join_path(path, key);
  double usd = number_field(leaf, where, "usd");
  require_at_least(usd, 0, join_path(where, "usd"));
  return usd;
}

// The optional positive "unit_bytes" of the leaf at parent.key.
uint64_t unit_bytes(const json& parent, const std::string& path, const char* key, uint64_t fallback) {
  const json& leaf = object_field(parent, path, key);
  const std::string where = join_path(join_path(path, key), "unit_bytes");
  double v = number_field_or(leaf, join_path(path, key), "unit_bytes", static_cast<double>(fallback));
  require_at_least(v, 1, where);
  return static_cast<uint64_t>(v);
}

PriceTable parse_or_throw(const json& doc, const std::string& origin) {
  if (!doc.is_object()) throw DataFileError("the top level must be an object");
  if (doc.contains("schema") && doc.value("schema", "") != kSchema) {
    throw DataFileError(std::string("unsupported schema '") + doc.value("schema", "") + "', expected " + kSchema);
  }
  PriceTable t;
  t.origin = origin;
  t.region = doc.value("region", "");
  t.source = doc.value("source", "");

  const json& s3 = object_field(doc, "", "s3");
  t.s3_put_usd = usd_leaf(s3, "s3", "put_per_million") * kPerMillion;
  t.s3_get_usd = usd_leaf(s3, "s3", "get_per_million") * kPerMillion;

  const json& ddb = object_field(doc, "", "dynamodb");
  t.dynamodb_write_unit_usd = usd_leaf(ddb, "dynamodb", "write_unit_per_million") * kPerMillion;
  t.dynamodb_write_unit_bytes = unit_bytes(ddb, "dynamodb", "write_unit_per_million", 1024);
  t.dynamodb_read_unit_usd = usd_leaf(ddb, "dynamodb", "read_unit_per_million") * kPerMillion;
  t.dynamodb_read_unit_bytes = unit_bytes(ddb, "dynamodb", "read_unit_per_million", 4096);

  const json& sqs = object_field(doc, "", "sqs_fifo");
  t.sqs_fifo_request_usd = usd_leaf(sqs, "sqs_fifo", "request_per_million") * kPerMillion;
  t.sqs_fifo_chunk_bytes = unit_bytes(sqs, "sqs_fifo", "request_per_million", 65536);

  const json& lambda = object_field(doc, "", "lambda");
  t.lambda_billing_granularity_ms = number_field_or(lambda, "lambda", "billing_granularity_ms", 1);
  require_at_least(t.lambda_billing_granularity_ms, 0, "lambda.billing_granularity_ms", /*strict=*/true);
  t.lambda_memory_mb_per_vcpu = number_field_or(lambda, "lambda", "memory_mb_per_vcpu", 1769);
  require_at_least(t.lambda_memory_mb_per_vcpu, 0, "lambda.memory_mb_per_vcpu", /*strict=*/true);
  for (const char* arch : {"x86_64", "arm64"}) {
    if (!lambda.contains(arch)) continue;
    const std::string path = join_path("lambda", arch);
    const json& a = object_field(lambda, "lambda", arch);
    t.lambda[arch] = LambdaPrice{usd_leaf(a, path, "gb_second"),
                                 usd_leaf(a, path, "request_per_million") * kPerMillion};
  }
  if (t.lambda.empty()) throw DataFileError("'lambda' must price at least one of x86_64, arm64");

  const json& ec2 = object_field(doc, "", "ec2");
  for (const auto& [type, entry] : ec2.items()) {
    const std::string path = join_path("ec2", type);
    if (!entry.is_object()) throw DataFileError("'" + path + "' must be an object");
    double hourly = number_field(entry, path, "usd_per_hour");
    require_at_least(hourly, 0, join_path(path, "usd_per_hour"));
    t.ec2_usd_per_hour[type] = hourly;
  }
  if (t.ec2_usd_per_hour.empty()) throw DataFileError("'ec2' lists no instance types");
  return t;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Result<LambdaPrice> PriceTable::lambda_price(const std::string& arch) const {
  auto it = lambda.find(arch);
  if (it != lambda.end()) return it->second;
  std::vector<std::string> known;
  for (const auto& [name, _] : lambda) known.push_back(name);
  return Status(Error::BadArguments, "unknown Lambda architecture '" + arch + "': the price file " + origin +
                                         " knows " + joined(known));
}

Result<double> PriceTable::vm_usd_per_hour(const std::string& vm_type) const {
  auto it = ec2_usd_per_hour.find(vm_type);
  if (it != ec2_usd_per_hour.end()) return it->second;
  return Status(Error::BadArguments, "unknown VM type '" + vm_type + "': known types are " + joined(vm_types()) +
                                         " (from " + origin + ")");
}

std::vector<std::string> PriceTable::vm_types() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : ec2_usd_per_hour) out.push_back(name);
  return out;
}

Result<PriceTable> parse_price_table(std::string_view json_text, const std::string& origin) {
  json doc = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status(Error::BadArguments, "price file " + origin + " is not valid JSON");
  try {
    return parse_or_throw(doc, origin);
  } catch (const DataFileError& e) {
    return Status(Error::BadArguments, "price file " + origin + ": " + e.what());
  } catch (const json::exception& e) {
    return Status(Error::BadArguments, "price file " + origin + ": " + e.what());
  }
}

Result<PriceTable> load_price_table(const std::string& path) {
  std::string text;
  try {
    text = detail::read_text_file(path, "price file");
  } catch (const DataFileError& e) {
    return Status(Error::SystemError, e.what());
  }
  return parse_price_table(text, path);
}

}  // namespace faaskeeper::cost
