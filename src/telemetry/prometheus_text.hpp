// The live metrics in Prometheus' text exposition format, through prometheus-cpp: the registry as
// a Collectable, and the text its TextSerializer makes of it (what an HTTP /metrics serves).
//
// Counters and gauges keep their names; a latency becomes the summary NAME_seconds (quantiles 0.5,
// 0.9 and 0.99, sum and count, in seconds) with a label phase="steady" or phase="warmup".
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "telemetry/metrics.hpp"

namespace fp::telemetry {

class MetricsCollectable : public prometheus::Collectable {
 public:
  explicit MetricsCollectable(const MetricsRegistry& registry) : registry_(registry) {}
  // One family per metric name, in the order the names were first registered.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const MetricsRegistry& registry_;
};

std::string to_prometheus_text(const MetricsRegistry& registry);

}  // namespace fp::telemetry
