#include "telemetry/latency_histogram.hpp"

#include <gtest/gtest.h>

#include "telemetry/stage_timings.hpp"

namespace fp::telemetry {
namespace {

TEST(LatencyHistogram, PercentilesWithinOnePercent) {
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.add(i * 0.1);  // 0.1 .. 100 ms uniformly
  const LatencySummary s = h.summary();
  EXPECT_EQ(s.count, 1000);
  EXPECT_NEAR(s.mean, 50.05, 1e-9);
  EXPECT_NEAR(s.p50, 50.0, 0.5);
  EXPECT_NEAR(s.p90, 90.0, 0.9);
  EXPECT_NEAR(s.p99, 99.0, 1.0);
  EXPECT_DOUBLE_EQ(s.max, 100.0);
}

TEST(LatencyHistogram, EmptyAndSingleValue) {
  LatencyHistogram h;
  EXPECT_EQ(h.summary().count, 0);
  EXPECT_EQ(h.percentile(50), 0);
  h.add(7.0);
  EXPECT_DOUBLE_EQ(h.percentile(50), 7.0);  // clamped to what was observed
  EXPECT_DOUBLE_EQ(h.percentile(99), 7.0);
}

TEST(StageTimings, WarmupFramesAreKeptApartFromSteadyState) {
  MetricsRegistry registry;
  StageTimings t(registry, 5);
  for (int64_t frame = 0; frame < 100; ++frame)
    t.record("detect", frame < 5 ? 1000.0 : 10.0, frame);
  const auto stages = t.stages();
  ASSERT_EQ(stages.size(), 1u);
  const LatencySnapshot& stage = stages[0].latency;
  EXPECT_EQ(stage.warmup.count, 5);
  EXPECT_EQ(stage.steady.count, 95);
  EXPECT_DOUBLE_EQ(stage.steady.max, 10.0);  // warm-up spikes do not pollute it
  EXPECT_DOUBLE_EQ(stage.warmup.max, 1000.0);
  const auto json = t.to_json();
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["steady"]["count"], 95);
}

}  // namespace
}  // namespace fp::telemetry
