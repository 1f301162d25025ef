#include "cost/report.h"

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

namespace faaskeeper::cost {

using nlohmann::json;

namespace {

json finite_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string percent(double share) {
  std::ostringstream s;
  s << std::setprecision(4) << share * 100 << "%";
  return s.str();
}

std::string per_million(double usd) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", usd * 1e6);
  return buf;
}

std::string format_count(double v) {
  if (!std::isfinite(v)) return "inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string break_even_text(double requests, double read_share) {
  if (std::isinf(requests)) return "never (a request costs nothing)";
  if (requests == 0) return "0 requests/day (FaaSKeeper's idle cost alone reaches ZooKeeper's)";
  return format_count(requests) + " requests/day at " + percent(read_share) + " reads";
}

std::string pad_left(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

}  // namespace

std::string format_ratio(double ratio) {
  if (std::isinf(ratio)) return "inf";
  char buf[64];
  if (ratio >= 1) {
    std::snprintf(buf, sizeof buf, "%.2f", ratio);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", ratio);
  }
  return buf;
}

std::string format_usd(double usd) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "$%.6f", usd);
  return buf;
}

std::string format_requests(double r) {
  std::ostringstream s;
  s << std::setprecision(4);
  if (r >= 1e6) {
    s << r / 1e6 << "M";
  } else if (r >= 1e3) {
    s << r / 1e3 << "K";
  } else {
    s << r;
  }
  return s.str();
}

std::string provisional_notice(const CostProfile& profile) {
  return "note: profile '" + profile.name + "' is PROVISIONAL: " + profile.source;
}

void write_estimate_text(std::ostream& out, const ReportContext& ctx, const CostEstimate& e) {
  const Workload& w = ctx.workload;
  out << "profile: " << ctx.profile->name << " (" << ctx.profile->origin << ")\n";
  out << "prices: " << ctx.prices->region << " (" << ctx.prices->origin << ")\n";
  out << "workload: " << format_count(w.requests_per_day) << " requests/day, " << percent(w.read_share)
      << " reads (" << format_count(e.reads_per_day) << " reads, " << format_count(e.writes_per_day)
      << " writes), " << w.value_bytes << "-byte values, storage " << storage_mode_name(w.storage)
      << " -> user store " << user_store_name(e.user_store) << "\n";
  out << "per write: $" << per_million(e.per_write.total()) << " per million (queue " << per_million(e.per_write.queue)
      << ", system store " << per_million(e.per_write.system_store) << ", user store "
      << per_million(e.per_write.user_store) << ", function requests " << per_million(e.per_write.function_requests)
      << ", function compute " << per_million(e.per_write.function_compute) << ")\n";
  out << "functions per write:";
  for (size_t i = 0; i < e.functions.size(); ++i) {
    const auto& f = e.functions[i];
    out << (i ? "," : "") << " " << f.name << " " << f.billed_ms << " ms billed, " << f.gb_seconds << " GB-s";
  }
  out << "\n";
  out << "per read: $" << per_million(e.per_read.total()) << " per million\n";
  if (e.heartbeat_period_s > 0) {
    out << "idle: heartbeat every " << e.heartbeat_period_s << " s (" << format_count(e.heartbeat_invocations_per_day)
        << " invocations/day, " << e.heartbeat_billed_ms << " ms billed each for " << w.sessions << " session"
        << (w.sessions == 1 ? "" : "s") << ")\n";
  } else {
    out << "idle: no heartbeat\n";
  }
  out << "faaskeeper: " << format_usd(e.faaskeeper_usd_per_day) << "/day (reads " << format_usd(e.read_usd_per_day)
      << ", writes " << format_usd(e.write_usd_per_day) << ", idle " << format_usd(e.idle_usd_per_day) << ")\n";
  out << "zookeeper: " << format_usd(e.zookeeper_usd_per_day) << "/day (" << ctx.zk.nodes << " x " << ctx.zk.vm_type
      << " at $" << e.zookeeper_usd_per_day / ctx.zk.nodes / 24 << "/h, 24 h)\n";
  out << "break-even: " << break_even_text(e.break_even_requests_per_day, w.read_share) << "\n";
  out << "ratio: " << format_ratio(e.ratio) << "\n";
}

void write_grid_text(std::ostream& out, const ReportContext& ctx, const RatioGrid& g) {
  double zk_usd = g.cells.empty() || g.cells[0].empty() ? 0 : g.cells[0][0].zookeeper_usd_per_day;
  out << "ratio ZooKeeper/FaaSKeeper: " << ctx.zk.nodes << " x " << ctx.zk.vm_type << " (" << format_usd(zk_usd)
      << "/day) vs FaaSKeeper with storage " << storage_mode_name(ctx.workload.storage) << ", "
      << ctx.workload.value_bytes << "-byte values, profile " << ctx.profile->name << "\n";
  constexpr size_t kCell = 10;
  out << pad_left("reads", 6) << " \\ requests/day";
  for (double r : g.requests_per_day) out << pad_left(format_requests(r), kCell);
  out << pad_left("break-even", 14) << "\n";
  for (size_t row = 0; row < g.read_shares.size(); ++row) {
    out << pad_left(percent(g.read_shares[row]), 6) << std::string(15, ' ');
    for (const auto& cell : g.cells[row]) out << pad_left(format_ratio(cell.ratio), kCell);
    double be = g.cells[row].empty() ? 0 : g.cells[row][0].break_even_requests_per_day;
    out << pad_left(std::isinf(be) ? "never" : format_requests(be), 14) << "\n";
  }
}

json context_json(const ReportContext& ctx) {
  return json{
      {"profile",
       {{"name", ctx.profile->name},
        {"origin", ctx.profile->origin},
        {"provisional", ctx.profile->provisional},
        {"source", ctx.profile->source}}},
      {"prices", {{"origin", ctx.prices->origin}, {"region", ctx.prices->region}}},
      {"zookeeper", {{"nodes", ctx.zk.nodes}, {"vm_type", ctx.zk.vm_type}}},
      {"storage", std::string(storage_mode_name(ctx.workload.storage))},
      {"value_bytes", ctx.workload.value_bytes},
      {"sessions", ctx.workload.sessions},
  };
}

json estimate_json(const CostEstimate& e) {
  auto op = [](const OperationCost& c) {
    return json{{"queue", c.queue},
                {"system_store", c.system_store},
                {"user_store", c.user_store},
                {"function_requests", c.function_requests},
                {"function_compute", c.function_compute},
                {"total", c.total()}};
  };
  json functions = json::array();
  for (const auto& f : e.functions) {
    functions.push_back({{"name", f.name}, {"billed_ms", f.billed_ms}, {"gb_seconds", f.gb_seconds}, {"usd", f.usd}});
  }
  return json{
      {"user_store", std::string(user_store_name(e.user_store))},
      {"per_write_usd", op(e.per_write)},
      {"per_read_usd", op(e.per_read)},
      {"functions", functions},
      {"reads_per_day", e.reads_per_day},
      {"writes_per_day", e.writes_per_day},
      {"heartbeat", {{"period_s", e.heartbeat_period_s},
                     {"invocations_per_day", e.heartbeat_invocations_per_day},
                     {"billed_ms", e.heartbeat_billed_ms}}},
      {"faaskeeper_usd_per_day", e.faaskeeper_usd_per_day},
      {"read_usd_per_day", e.read_usd_per_day},
      {"write_usd_per_day", e.write_usd_per_day},
      {"idle_usd_per_day", e.idle_usd_per_day},
      {"zookeeper_usd_per_day", e.zookeeper_usd_per_day},
      {"ratio", finite_or_null(e.ratio)},
      {"break_even_requests_per_day", finite_or_null(e.break_even_requests_per_day)},
  };
}

json grid_json(const RatioGrid& g) {
  json ratio = json::array(), fk = json::array(), break_even = json::array();
  for (const auto& row : g.cells) {
    json r = json::array(), f = json::array();
    for (const auto& cell : row) {
      r.push_back(finite_or_null(cell.ratio));
      f.push_back(cell.faaskeeper_usd_per_day);
    }
    ratio.push_back(r);
    fk.push_back(f);
    break_even.push_back(row.empty() ? json(nullptr) : finite_or_null(row[0].break_even_requests_per_day));
  }
  double zk_usd = g.cells.empty() || g.cells[0].empty() ? 0 : g.cells[0][0].zookeeper_usd_per_day;
  return json{{"requests_per_day", g.requests_per_day},
              {"read_shares", g.read_shares},
              {"ratio", ratio},
              {"faaskeeper_usd_per_day", fk},
              {"zookeeper_usd_per_day", zk_usd},
              {"break_even_requests_per_day", break_even}};
}

}  // namespace faaskeeper::cost
