// Cloud and VM prices the cost model multiplies resource counts by.
//
// Loaded from a JSON price file (data/cost/aws-us-east-1.json, schema "faaskeeper-cost-prices/1";
// docs/cost.md documents every field). All prices are held in USD per single unit (per request,
// per capacity unit, per GB-second, per VM-hour): the file states them per million where AWS
// does, and the loader divides.
#pragma once

#include "faaskeeper/error.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace faaskeeper::cost {

// Lambda prices for one CPU architecture ("x86_64", "arm64").
struct LambdaPrice {
  double usd_per_gb_second = 0;
  double usd_per_request = 0;
};

struct PriceTable {
  std::string origin;  // the file it came from (or the caller's label), for messages
  std::string region;
  std::string source;

  double s3_put_usd = 0;  // one PUT, any size
  double s3_get_usd = 0;  // one GET, any size

  double dynamodb_write_unit_usd = 0;  // one write request unit ...
  uint64_t dynamodb_write_unit_bytes = 1024;  // ... covers this many bytes of item
  double dynamodb_read_unit_usd = 0;   // one strongly consistent read request unit ...
  uint64_t dynamodb_read_unit_bytes = 4096;   // ... covers this many bytes of item

  double sqs_fifo_request_usd = 0;  // one FIFO request ...
  uint64_t sqs_fifo_chunk_bytes = 65536;  // ... per chunk of this many payload bytes

  double lambda_billing_granularity_ms = 1;  // durations are rounded up to a multiple of this
  double lambda_memory_mb_per_vcpu = 1769;   // memory size that buys one full vCPU
  std::map<std::string, LambdaPrice> lambda;  // by architecture

  std::map<std::string, double> ec2_usd_per_hour;  // by instance type, e.g. "t3.large"

  // The Lambda prices of `arch`; BadArguments naming the known architectures if absent.
  Result<LambdaPrice> lambda_price(const std::string& arch) const;
  // The hourly price of `vm_type`; BadArguments "unknown VM type ..." listing the known ones.
  Result<double> vm_usd_per_hour(const std::string& vm_type) const;
  // Known instance types, sorted.
  std::vector<std::string> vm_types() const;
};

// Parses a price file's text. `origin` names it in error messages. BadArguments on any missing,
// mistyped or negative field (the message names the field's dotted path).
Result<PriceTable> parse_price_table(std::string_view json_text, const std::string& origin);

// Reads and parses the price file at `path`. SystemError "cannot open price file '<path>': ..."
// when it cannot be read.
Result<PriceTable> load_price_table(const std::string& path);

}  // namespace faaskeeper::cost
