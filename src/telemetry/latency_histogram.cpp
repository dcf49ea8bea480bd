#include "telemetry/latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace fp::telemetry {

namespace {
constexpr double kMinMs = 0.001;
constexpr double kGrowth = 1.01;
const double kLogGrowth = std::log(kGrowth);
constexpr int kBuckets = 2100;  // 0.001 ms * 1.01^2100 is about 1.2e6 ms

int bucket_of(double ms) {
  if (ms <= kMinMs) return 0;
  return std::min(kBuckets - 1, static_cast<int>(std::log(ms / kMinMs) / kLogGrowth));
}
}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

void LatencyHistogram::add(double ms) {
  if (!(ms >= 0)) ms = 0;  // also catches NaN
  ++buckets_[bucket_of(ms)];
  if (count_ == 0 || ms < min_) min_ = ms;
  if (count_ == 0 || ms > max_) max_ = ms;
  ++count_;
  sum_ += ms;
}

double LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  const auto rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(p / 100.0 * count_)));
  int64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      // The bucket's geometric middle, kept within what was really observed.
      const double middle = kMinMs * std::pow(kGrowth, i + 0.5);
      return std::clamp(middle, min_, max_);
    }
  }
  return max_;
}

LatencySummary LatencyHistogram::summary() const {
  LatencySummary s;
  s.count = count_;
  if (count_ == 0) return s;
  s.mean = sum_ / static_cast<double>(count_);
  s.p50 = percentile(50);
  s.p90 = percentile(90);
  s.p99 = percentile(99);
  s.max = max_;
  return s;
}

}  // namespace fp::telemetry
