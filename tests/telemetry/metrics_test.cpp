#include "telemetry/metrics.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace fp::telemetry {
namespace {

TEST(MetricsRegistry, ConcurrentIncrementsAddUpExactly) {
  MetricsRegistry registry;
  Counter& frames = registry.counter("frames_total", {{"stream", "0"}}, "frames");
  Gauge& high_water = registry.gauge("queue_high_water", {}, "most queued");
  constexpr int kThreads = 8, kEach = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        frames.add();
        high_water.raise_to(t * kEach + i);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(frames.value(), int64_t{kThreads} * kEach);
  EXPECT_EQ(high_water.value(), int64_t{kThreads} * kEach - 1);
}

TEST(MetricsRegistry, SameNameAndLabelsGiveTheSameMetric) {
  MetricsRegistry registry;
  Counter& a = registry.counter("requests_total", {{"model", "yolox"}}, "requests");
  Counter& b = registry.counter("requests_total", {{"model", "yunet"}}, "");
  EXPECT_EQ(&registry.counter("requests_total", {{"model", "yolox"}}, ""), &a);
  EXPECT_NE(&a, &b);
  a.add(2);
  const auto snapshot = registry.snapshot();
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_EQ(snapshot[0].value, 2);
  EXPECT_EQ(snapshot[1].help, "requests");  // a name's help is the first one given
  EXPECT_THROW(registry.gauge("requests_total", {}, ""), std::logic_error);
}

TEST(MetricsRegistry, LatencyKeepsWarmupApartFromSteadyState) {
  MetricsRegistry registry;
  Latency& detect = registry.latency("stage_latency", {{"stage", "detect"}}, "", 5);
  for (int64_t frame = 0; frame < 100; ++frame) detect.record(frame < 5 ? 1000.0 : 10.0, frame);
  detect.record(20.0);  // no frame: steady state
  const LatencySnapshot s = detect.snapshot();
  EXPECT_EQ(s.warmup.count, 5);
  EXPECT_EQ(s.steady.count, 96);
  EXPECT_DOUBLE_EQ(s.steady.max, 20.0);
  EXPECT_DOUBLE_EQ(s.warmup.max, 1000.0);
  const auto json = registry.to_json();
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["type"], "latency");
  EXPECT_EQ(json[0]["labels"]["stage"], "detect");
  EXPECT_EQ(json[0]["steady"]["count"], 96);
  EXPECT_EQ(json[0]["warmup"]["count"], 5);
}

// Snapshots taken while other threads record see each metric whole: counts never go back, a
// latency's summary agrees with itself, and a metric registered meanwhile appears complete.
TEST(MetricsRegistry, SnapshotDuringUpdatesIsConsistent) {
  MetricsRegistry registry;
  Counter& requests = registry.counter("requests_total", {}, "");
  Latency& run = registry.latency("run", {}, "");
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        run.record(1.0 + i % 100);
        requests.add();
        if (i == 10000) registry.counter("late_total", {{"thread", std::to_string(t)}}, "").add();
      }
    });
  }
  std::thread reader([&] {
    int64_t last_requests = 0, last_count = 0;
    while (!done) {
      for (const MetricSample& s : registry.snapshot()) {
        if (s.name == "requests_total") {
          EXPECT_GE(s.value, last_requests);
          last_requests = s.value;
        } else if (s.name == "run") {
          const LatencySummary& l = s.latency.steady;
          EXPECT_GE(l.count, last_count);
          last_count = l.count;
          if (l.count == 0) continue;
          EXPECT_LE(l.p50, l.p90);
          EXPECT_LE(l.p90, l.p99);
          EXPECT_LE(l.p99, l.max);
          EXPECT_GE(l.mean, 1.0);
          EXPECT_LE(l.mean, l.max);
        } else {
          EXPECT_EQ(s.name, "late_total");
          EXPECT_EQ(s.labels.size(), 1u);
        }
      }
    }
  });
  for (std::thread& writer : writers) writer.join();
  done = true;
  reader.join();
  EXPECT_EQ(requests.value(), 80000);
  EXPECT_EQ(run.snapshot().steady.count, 80000);
  EXPECT_EQ(registry.snapshot().size(), 6u);
}

}  // namespace
}  // namespace fp::telemetry
