// The run's live metrics: counted in the registry the caller gives, readable while the run goes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "run/runner.hpp"
#include "telemetry/prometheus_text.hpp"
#include "test_support.hpp"

namespace fp::run {
namespace {

using pipeline::FrameResult;
using pipeline::PipelineConfig;
using pipeline::Stage;

using namespace std::chrono_literals;

// Holds the run at its `hold_at`-th frame until released (or a minute passes: never a hang).
class HoldingStage : public Stage {
 public:
  explicit HoldingStage(int hold_at) : hold_at_(hold_at) {}
  const std::string& name() const override { return name_; }
  Status process(FrameResult&) override {
    if (calls_++ == hold_at_) {
      for (int i = 0; i < 60000 && !released; ++i) std::this_thread::sleep_for(1ms);
    }
    return ok_status();
  }
  std::atomic<bool> released{false};

 private:
  std::string name_ = "holding";
  int hold_at_;
  std::atomic<int> calls_{0};
};

int64_t processed_frames(const telemetry::MetricsRegistry& registry) {
  for (const telemetry::MetricSample& s : registry.snapshot()) {
    if (s.name == "framepipe_frames_total" &&
        s.labels == telemetry::Labels{{"stream", "0"}, {"outcome", "processed"}}) {
      return s.value;
    }
  }
  return 0;
}

TEST(RunnerMetrics, CountsRiseInTheRegistryBeforeTheRunEnds) {
  test::TempDir out;
  PipelineConfig config;
  config.name = "held";
  config.sampling.stride = 10;
  config.warmup_frames = 2;
  auto stage = std::make_unique<HoldingStage>(5);
  HoldingStage& holding = *stage;
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::move(stage));
  telemetry::MetricsRegistry registry;
  RunOptions options;
  options.inputs = {test::media_path("video/vtest_480x360.avi").string()};
  options.out_dir = out.path();
  options.metrics = &registry;
  auto run = std::async(std::launch::async,
                        [&] { return run_with_stages(config, std::move(stages), options); });

  // The five frames before the held one are written and counted while the run waits on it.
  for (int i = 0; i < 60000 && processed_frames(registry) < 5; ++i)
    std::this_thread::sleep_for(1ms);
  EXPECT_EQ(processed_frames(registry), 5);
  EXPECT_EQ(run.wait_for(0s), std::future_status::timeout);  // still running
  const std::string text = telemetry::to_prometheus_text(registry);
  EXPECT_NE(text.find("framepipe_frames_total{stream=\"0\",outcome=\"processed\"} 5"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("framepipe_stage_latency_seconds_count{stage=\"decode\",phase=\"steady\"} 3"),
            std::string::npos)
      << text;
  holding.released = true;

  auto outcome = run.get();
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_EQ(outcome->status, RunStatus::kCompleted);
  const int64_t processed = outcome->report["frames_processed"].get<int64_t>();
  EXPECT_GT(processed, 5);
  EXPECT_EQ(processed_frames(registry), processed);  // run.json says what the registry counted
  EXPECT_EQ(outcome->report["inputs"][0]["frames_processed"], processed);
  EXPECT_EQ(registry.counter("framepipe_node_ran_total", {{"node", "holding#0"}}, "").value(),
            processed);
}

}  // namespace
}  // namespace fp::run
