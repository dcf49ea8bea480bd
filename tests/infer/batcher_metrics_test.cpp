// The Batcher's counts in the registry it is given, readable while its batches run.
#include <gtest/gtest.h>

#include "infer/batcher.hpp"
#include "infer/batcher_fakes.hpp"

namespace fp::infer {
namespace {

TEST(BatcherMetrics, CountsInTheGivenRegistryWhileBatchesRun) {
  telemetry::MetricsRegistry registry;
  auto fake = std::make_unique<fakes::FakeExecutor>();
  fakes::FakeExecutor& executor = *fake;
  std::vector<std::unique_ptr<BatchExecutor>> executors;
  executors.push_back(std::move(fake));
  BatcherOptions options{"fake", 2, std::chrono::seconds(30)};
  options.metrics = &registry;
  const telemetry::Labels labels{{"model", "fake"}, {"input", "1x1"}};
  options.labels = labels;
  Batcher batcher(std::move(executors), options);

  executor.hold();
  auto first = fakes::submit(batcher, 1);
  auto second = fakes::submit(batcher, 2);  // a full batch: it runs, and is held there
  executor.wait_for_batches(1);
  auto third = fakes::submit(batcher, 3);  // queued behind it
  EXPECT_EQ(registry.counter("framepipe_model_requests_total", labels, "").value(), 3);
  EXPECT_EQ(registry.counter("framepipe_model_items_total", labels, "").value(), 2);
  telemetry::Labels pairs = labels;
  pairs.emplace_back("batch_size", "2");
  EXPECT_EQ(registry.counter("framepipe_model_batches_total", pairs, "").value(), 1);
  EXPECT_EQ(registry.gauge("framepipe_model_queue_depth", labels, "").value(), 1);
  EXPECT_EQ(registry.gauge("framepipe_model_queue_high_water", labels, "").value(), 2);
  EXPECT_EQ(registry.gauge("framepipe_model_queue_capacity", labels, "").value(), 8);

  executor.release();
  ASSERT_TRUE(second->wait().ok());
  batcher.shutdown();  // the third never fills its batch: shut down unrun
  EXPECT_FALSE(third->wait().ok());
  EXPECT_EQ(registry.counter("framepipe_model_failed_requests_total", labels, "").value(), 1);
  EXPECT_EQ(registry.gauge("framepipe_model_queue_depth", labels, "").value(), 0);
  EXPECT_EQ(registry.latency("framepipe_model_batch_run", labels, "").snapshot().steady.count, 1);
  const auto report = batcher.report();  // run.json's numbers are the registry's
  EXPECT_EQ(report["requests"], 3);
  EXPECT_EQ(report["batch_sizes"], nlohmann::json({{"2", 1}}));
  EXPECT_EQ(report["failed_requests"], 1);
}

}  // namespace
}  // namespace fp::infer
