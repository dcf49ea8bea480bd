// ModelPool: one shared, warmed-up model per (name, backend, input size), planned once per run.
#include "infer/model_pool.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace fp::infer {
namespace {

ModelRegistry registry() {
  auto loaded = ModelRegistry::load_default();
  EXPECT_TRUE(loaded.ok());
  return std::move(loaded).value();
}

TEST(ModelPool, StagesAskingForTheSameModelShareOneBatcher) {
  const ModelRegistry models = registry();
  ModelPool pool(models, {.cores = 2, .instances = 2, .threads = 1});
  ModelRequest request{.name = "yolox_nano_416"};
  auto first = pool.get(request);
  ASSERT_TRUE(first.ok()) << first.error().message();
  auto again = pool.get(request);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*first, *again);
  EXPECT_EQ((*first)->batcher().instances(), 2);          // the plan from the options
  EXPECT_EQ((*first)->batcher().options().max_batch, 1);  // the registry's default

  // Another input size is another model (on OpenCV, which resizes the network; ONNX Runtime runs
  // this ONNX only at the 416x416 it fixes).
  request.options.backend = "opencv";
  request.options.input_size = cv::Size(320, 320);
  auto smaller = pool.get(request);
  ASSERT_TRUE(smaller.ok());
  EXPECT_NE(*smaller, *first);
  EXPECT_EQ((*smaller)->input_size(), cv::Size(320, 320));

  const auto report = pool.report();
  EXPECT_EQ(report["models"].size(), 2u);
  EXPECT_EQ(report["plan"]["instances"], 2);
  EXPECT_EQ(report["plan"]["measured"], false);
  EXPECT_EQ(pool.frames_in_flight(), 4);  // 2 instances x (batch 1 + 1 queued)
}

TEST(ModelPool, EachModelCountsApartInTheGivenRegistry) {
  const ModelRegistry models = registry();
  telemetry::MetricsRegistry metrics;
  ModelPool pool(models, {.cores = 1, .instances = 1, .threads = 1, .metrics = &metrics});
  ModelRequest request{.name = "yolox_nano_416"};
  auto first = pool.get(request);
  ASSERT_TRUE(first.ok()) << first.error().message();
  request.output_names = {"output"};  // the same model, its outputs named: loaded again
  auto named = pool.get(request);
  ASSERT_TRUE(named.ok()) << named.error().message();
  ASSERT_NE(*first, *named);
  const int shape[] = {1, 3, 416, 416};
  ASSERT_TRUE((*named)->batcher().run(cv::Mat(4, shape, CV_32F, cv::Scalar(0))).ok());

  const telemetry::Labels labels{
      {"model", "yolox_nano_416"}, {"backend", (*first)->backend_name()}, {"input", "416x416"}};
  telemetry::Labels variant = labels;
  variant.emplace_back("variant", "1");
  EXPECT_EQ(metrics.counter("framepipe_model_requests_total", labels, "").value(), 0);
  EXPECT_EQ(metrics.counter("framepipe_model_requests_total", variant, "").value(), 1);
}

TEST(ModelPool, ModelThatCannotBatchRunsOneItemAtATimeAndSaysWhy) {
  const ModelRegistry models = registry();
  ModelPool pool(models, {.cores = 1, .instances = 1, .threads = 1});
  // OpenCV's batch quirk: NanoDet's outputs at B > 1 are not B items.
  ModelRequest request{.name = "nanodet_m_320", .max_batch = 4};
  request.options.backend = "opencv";
  auto model = pool.get(request);
  ASSERT_TRUE(model.ok()) << model.error().message();
  EXPECT_EQ((*model)->batcher().options().max_batch, 1);
  const auto report = (*model)->report();
  ASSERT_TRUE(report.contains("batch_problem"));
  EXPECT_FALSE(report["batch_problem"].get<std::string>().empty());
}

TEST(ModelPool, UnknownModelIsAnErrorNamingIt) {
  const ModelRegistry models = registry();
  ModelPool pool(models, {.cores = 1, .instances = 1, .threads = 1});
  auto model = pool.get({.name = "no_such_model"});
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.error().message().find("no_such_model"), std::string::npos);
}

TEST(ModelPool, MeasuredPlanSplitsTheCores) {
  const ModelRegistry models = registry();
  ModelPool pool(models, {.cores = 2});
  auto model = pool.get({.name = "mobilefacenet_128d"});
  ASSERT_TRUE(model.ok()) << model.error().message();
  ASSERT_TRUE(pool.plan().has_value());
  EXPECT_TRUE(pool.plan()->measured);
  EXPECT_EQ(pool.plan()->trials.size(), 2u);
  EXPECT_EQ(pool.plan()->instances * pool.plan()->threads, 2);
  EXPECT_EQ((*model)->batcher().instances(), pool.plan()->instances);
}

}  // namespace
}  // namespace fp::infer
