// LatencyHistogram: count, mean, max and percentiles of durations in fixed memory.
//
// Buckets grow geometrically by 1 % from 1 microsecond to over 1000 seconds, so a percentile is
// within 1 % of the true value and the memory does not grow with the length of a run.
#pragma once

#include <cstdint>
#include <vector>

namespace fp::telemetry {

struct LatencySummary {
  int64_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;  // milliseconds
};

class LatencyHistogram {
 public:
  LatencyHistogram();
  void add(double ms);
  int64_t count() const { return count_; }
  // Nearest-rank percentile, p in [0, 100]; 0 when empty.
  double percentile(double p) const;
  LatencySummary summary() const;

 private:
  std::vector<int64_t> buckets_;
  int64_t count_ = 0;
  double sum_ = 0, min_ = 0, max_ = 0;
};

}  // namespace fp::telemetry
