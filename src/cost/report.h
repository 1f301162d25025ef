// Renders cost estimates as text for people and as JSON for tools (tools/cost/heatmap.py).
#pragma once

#include "cost/model.h"

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>

namespace faaskeeper::cost {

// What an estimate or grid was computed from, echoed in every report.
struct ReportContext {
  const CostProfile* profile = nullptr;
  const PriceTable* prices = nullptr;
  ZkCluster zk;
  Workload workload;  // requests/share meaningful only for single estimates
};

// "718.85" for ratios >= 1 (two decimals), "0.09681" below 1 (four significant digits), "inf".
std::string format_ratio(double ratio);
// "$0.025000" (six decimals).
std::string format_usd(double usd);
// "100K", "1M", "2.5M", "750" for axis labels.
std::string format_requests(double requests_per_day);

// The notice printed for a provisional profile: "note: profile 'cpp' is PROVISIONAL: <source>".
std::string provisional_notice(const CostProfile& profile);

// Writes the single-estimate report. Its last line is exactly "ratio: <format_ratio(ratio)>".
void write_estimate_text(std::ostream& out, const ReportContext& ctx, const CostEstimate& e);

// Writes the grid: one row per read share, one column per requests/day, plus break-even.
void write_grid_text(std::ostream& out, const ReportContext& ctx, const RatioGrid& g);

// JSON forms; infinite numbers become null.
nlohmann::json context_json(const ReportContext& ctx);
nlohmann::json estimate_json(const CostEstimate& e);
nlohmann::json grid_json(const RatioGrid& g);

}  // namespace faaskeeper::cost
