// MetricsRegistry: the live metrics of a run (counters, gauges, latencies), labelled by node,
// model or stream, that its reports (run.json, the progress line, Prometheus text) read while it
// goes.
//
// A metric is registered once, at setup, and used through the reference that registration
// returns: it stays valid as long as the registry, so a hot path never looks a name up. Counters
// and gauges are lock-free atomics; a latency takes its own short lock per sample (its histograms
// are too large to be atomic). Registration and snapshot() take the registry's lock; any thread
// may record or take a snapshot at any time.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "telemetry/latency_histogram.hpp"

namespace fp::telemetry {

// Label names and values, in the order they are given; (name, labels) identifies a metric.
using Labels = std::vector<std::pair<std::string, std::string>>;

// A count that only grows.
class Counter {
 public:
  void add(int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// A value that goes up and down (a queue's depth), or only up through raise_to (a high-water).
class Gauge {
 public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void raise_to(int64_t v);
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Steady-state and warm-up summaries of a Latency, taken together.
struct LatencySnapshot {
  LatencySummary steady;
  LatencySummary warmup;
};

// Durations in milliseconds, the first `warmup_frames` frames of a run kept apart from steady
// state: they pay for lazy initialisation, and mixing them into p90/max hides the numbers users
// tune for.
class Latency {
 public:
  explicit Latency(int64_t warmup_frames) : warmup_frames_(warmup_frames) {}
  // `frame_sequence` counts processed frames from 0 across the run; below warmup_frames it is a
  // warm-up frame.
  void record(double ms, int64_t frame_sequence);
  // A sample that belongs to no frame of the run: steady state.
  void record(double ms) { record(ms, warmup_frames_); }
  LatencySnapshot snapshot() const;

 private:
  const int64_t warmup_frames_;
  mutable std::mutex mutex_;
  LatencyHistogram steady_, warmup_;
};

enum class MetricKind { kCounter, kGauge, kLatency };

// One metric as it was when snapshot() read it.
struct MetricSample {
  MetricKind kind = MetricKind::kCounter;
  std::string name;
  std::string help;
  Labels labels;
  int64_t value = 0;        // counter, gauge
  LatencySnapshot latency;  // latency
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The metric `name` with `labels`, made on first use (then `help` describes every metric of that
  // name). A name used with another kind is a programming error: std::logic_error.
  Counter& counter(const std::string& name, const Labels& labels, const std::string& help);
  Gauge& gauge(const std::string& name, const Labels& labels, const std::string& help);
  Latency& latency(const std::string& name, const Labels& labels, const std::string& help,
                   int64_t warmup_frames = 0);

  // Every metric, in the order it was registered; each one read whole, the set not under one lock
  // with the recorders (a counter may move on while the next one is read).
  std::vector<MetricSample> snapshot() const;
  // [{"name", "labels": {...}, "type", "value"}, ...]; a latency gives "steady" and "warmup"
  // summaries (run.json's stage_timings form) in place of "value".
  nlohmann::ordered_json to_json() const;

 private:
  struct Metric;
  Metric& find_or_add(MetricKind kind, const std::string& name, const Labels& labels,
                      const std::string& help, int64_t warmup_frames);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Metric>> metrics_;
};

nlohmann::ordered_json to_json(const LatencySummary& summary);

}  // namespace fp::telemetry
