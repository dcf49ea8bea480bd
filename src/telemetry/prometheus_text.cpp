#include "telemetry/prometheus_text.hpp"

#include <prometheus/text_serializer.h>

#include <map>
#include <sstream>

namespace fp::telemetry {

namespace {

prometheus::MetricType type_of(MetricKind kind) {
  switch (kind) {
    case MetricKind::kCounter:
      return prometheus::MetricType::Counter;
    case MetricKind::kGauge:
      return prometheus::MetricType::Gauge;
    case MetricKind::kLatency:
      return prometheus::MetricType::Summary;
  }
  return prometheus::MetricType::Untyped;
}

prometheus::ClientMetric summary_of(const Labels& labels, const char* phase,
                                    const LatencySummary& s) {
  prometheus::ClientMetric m;
  for (const auto& [name, value] : labels) m.label.push_back({name, value});
  m.label.push_back({"phase", phase});
  m.summary.sample_count = static_cast<uint64_t>(s.count);
  m.summary.sample_sum = s.mean * static_cast<double>(s.count) / 1000.0;
  m.summary.quantile = {{0.5, s.p50 / 1000.0}, {0.9, s.p90 / 1000.0}, {0.99, s.p99 / 1000.0}};
  return m;
}

}  // namespace

std::vector<prometheus::MetricFamily> MetricsCollectable::Collect() const {
  std::vector<prometheus::MetricFamily> families;
  std::map<std::string, size_t> family_of;  // metric name -> index in families
  for (const MetricSample& s : registry_.snapshot()) {
    const auto [it, added] = family_of.emplace(s.name, families.size());
    if (added) {
      const bool latency = s.kind == MetricKind::kLatency;
      families.push_back({latency ? s.name + "_seconds" : s.name, s.help, type_of(s.kind), {}});
    }
    prometheus::MetricFamily& family = families[it->second];
    if (s.kind == MetricKind::kLatency) {
      family.metric.push_back(summary_of(s.labels, "steady", s.latency.steady));
      family.metric.push_back(summary_of(s.labels, "warmup", s.latency.warmup));
      continue;
    }
    prometheus::ClientMetric& m = family.metric.emplace_back();
    for (const auto& [name, value] : s.labels) m.label.push_back({name, value});
    (s.kind == MetricKind::kCounter ? m.counter.value : m.gauge.value) =
        static_cast<double>(s.value);
  }
  return families;
}

std::string to_prometheus_text(const MetricsRegistry& registry) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, MetricsCollectable(registry).Collect());
  return out.str();
}

}  // namespace fp::telemetry
