#include "telemetry/metrics.hpp"

#include <stdexcept>
#include <variant>

namespace fp::telemetry {

void Gauge::raise_to(int64_t v) {
  int64_t seen = value_.load(std::memory_order_relaxed);
  while (seen < v && !value_.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
  }
}

void Latency::record(double ms, int64_t frame_sequence) {
  std::lock_guard lock(mutex_);
  (frame_sequence < warmup_frames_ ? warmup_ : steady_).add(ms);
}

LatencySnapshot Latency::snapshot() const {
  std::lock_guard lock(mutex_);
  return {steady_.summary(), warmup_.summary()};
}

struct MetricsRegistry::Metric {
  template <class T, class... Args>
  Metric(MetricKind kind, std::string name, std::string help, Labels labels,
         std::in_place_type_t<T> type, Args&&... args)
      : kind(kind),
        name(std::move(name)),
        help(std::move(help)),
        labels(std::move(labels)),
        value(type, std::forward<Args>(args)...) {}

  MetricKind kind;
  std::string name, help;
  Labels labels;
  std::variant<Counter, Gauge, Latency> value;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Metric& MetricsRegistry::find_or_add(MetricKind kind, const std::string& name,
                                                      const Labels& labels, const std::string& help,
                                                      int64_t warmup_frames) {
  std::lock_guard lock(mutex_);
  std::string family_help = help;
  for (const auto& metric : metrics_) {
    if (metric->name != name) continue;
    if (metric->kind != kind) {
      throw std::logic_error("metric '" + name + "' is registered as another kind");
    }
    if (metric->labels == labels) return *metric;
    family_help = metric->help;
  }
  switch (kind) {
    case MetricKind::kCounter:
      metrics_.push_back(
          std::make_unique<Metric>(kind, name, family_help, labels, std::in_place_type<Counter>));
      break;
    case MetricKind::kGauge:
      metrics_.push_back(
          std::make_unique<Metric>(kind, name, family_help, labels, std::in_place_type<Gauge>));
      break;
    case MetricKind::kLatency:
      metrics_.push_back(std::make_unique<Metric>(kind, name, family_help, labels,
                                                  std::in_place_type<Latency>, warmup_frames));
      break;
  }
  return *metrics_.back();
}

Counter& MetricsRegistry::counter(const std::string& name, const Labels& labels,
                                  const std::string& help) {
  return std::get<Counter>(find_or_add(MetricKind::kCounter, name, labels, help, 0).value);
}

Gauge& MetricsRegistry::gauge(const std::string& name, const Labels& labels,
                              const std::string& help) {
  return std::get<Gauge>(find_or_add(MetricKind::kGauge, name, labels, help, 0).value);
}

Latency& MetricsRegistry::latency(const std::string& name, const Labels& labels,
                                  const std::string& help, int64_t warmup_frames) {
  return std::get<Latency>(
      find_or_add(MetricKind::kLatency, name, labels, help, warmup_frames).value);
}

std::vector<MetricSample> MetricsRegistry::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<MetricSample> samples;
  samples.reserve(metrics_.size());
  for (const auto& metric : metrics_) {
    MetricSample& s = samples.emplace_back();
    s.kind = metric->kind;
    s.name = metric->name;
    s.help = metric->help;
    s.labels = metric->labels;
    if (const auto* counter = std::get_if<Counter>(&metric->value)) s.value = counter->value();
    if (const auto* gauge = std::get_if<Gauge>(&metric->value)) s.value = gauge->value();
    if (const auto* latency = std::get_if<Latency>(&metric->value)) s.latency = latency->snapshot();
  }
  return samples;
}

nlohmann::ordered_json to_json(const LatencySummary& s) {
  return {{"count", s.count}, {"mean_ms", s.mean}, {"p50_ms", s.p50},
          {"p90_ms", s.p90},  {"p99_ms", s.p99},   {"max_ms", s.max}};
}

nlohmann::ordered_json MetricsRegistry::to_json() const {
  static const char* const kTypes[] = {"counter", "gauge", "latency"};
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const MetricSample& s : snapshot()) {
    nlohmann::ordered_json labels = nlohmann::ordered_json::object();
    for (const auto& [name, value] : s.labels) labels[name] = value;
    nlohmann::ordered_json j{
        {"name", s.name}, {"labels", labels}, {"type", kTypes[static_cast<int>(s.kind)]}};
    if (s.kind == MetricKind::kLatency) {
      j["steady"] = telemetry::to_json(s.latency.steady);
      j["warmup"] = telemetry::to_json(s.latency.warmup);
    } else {
      j["value"] = s.value;
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace fp::telemetry
