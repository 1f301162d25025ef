// Latency samples and their summary (percentiles, throughput, a down-sampled CDF for plots).
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace fkbench {

struct Summary {
  size_t ops = 0, errors = 0;
  double seconds = 0;          // wall time of the measured window
  double p50 = 0, p99 = 0, p999 = 0, mean = 0;  // milliseconds
  std::vector<double> cdf;     // latency (ms) at quantiles 0.00, 0.01, ..., 1.00 (101 points)
  double throughput() const { return seconds > 0 ? ops / seconds : 0; }
};

// Sorts `ms` in place and summarises it; `seconds` is the window the samples were taken in.
inline Summary summarise(std::vector<double>& ms, size_t errors, double seconds) {
  Summary s;
  s.ops = ms.size();
  s.errors = errors;
  s.seconds = seconds;
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))]; };
  s.p50 = at(0.5);
  s.p99 = at(0.99);
  s.p999 = at(0.999);
  double sum = 0;
  for (double v : ms) sum += v;
  s.mean = sum / ms.size();
  for (int i = 0; i <= 100; ++i) s.cdf.push_back(i == 100 ? ms.back() : at(i / 100.0));
  return s;
}

}  // namespace fkbench
