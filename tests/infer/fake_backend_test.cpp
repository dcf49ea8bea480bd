// Issue 11 (STYLE habit 8): a model that fails to load, or whose i-th run fails, is reported by
// the run, and nothing already done is lost.
#include "infer/fake_backend.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pipeline/pipeline_config.hpp"
#include "run/runner.hpp"
#include "test_support.hpp"

namespace fp::infer {
namespace {

namespace fs = std::filesystem;

class FakeBackendRun : public ::testing::Test {
 protected:
  void TearDown() override { set_fake_backend(std::nullopt); }

  static Result<run::RunOutcome> run(const fs::path& out) {
    auto config =
        pipeline::load_pipeline_config((test::source_dir() / "examples/people.yaml").string());
    EXPECT_TRUE(config.ok());
    config->backend = "fake";
    config->sampling.stride = 10;
    config->instances = 1;
    config->threads = 1;
    auto registry = ModelRegistry::load_default();
    EXPECT_TRUE(registry.ok());
    run::RunOptions options;
    options.inputs = {test::media_path("video/vtest_480x360.avi").string()};
    options.out_dir = out;
    return run::run_pipeline(*config, *registry, options);
  }
};

TEST_F(FakeBackendRun, FailedRunFailsTheRunAndKeepsWhatWasDone) {
  set_fake_backend(FakeBackendPlan{.fail_run = 40});
  test::TempDir out;
  auto outcome = run(out.path());
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_EQ(outcome->status, run::RunStatus::kFailed);
  EXPECT_NE(outcome->error.find("fake backend: run 40 failed"), std::string::npos)
      << outcome->error;
  EXPECT_FALSE(fs::exists(out / "detections.jsonl"));  // nothing looks complete
  const auto rows = test::read_jsonl(out / "detections.jsonl.partial");
  ASSERT_GT(rows.size(), 10u);  // the frames before the failure, whole rows in order
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i]["frame"], static_cast<int>(i) * 10);
  const auto report = nlohmann::json::parse(test::read_file(out / "run.json"));
  EXPECT_EQ(report["status"], "failed");
  EXPECT_NE(report["error"].get<std::string>().find("run 40 failed"), std::string::npos);
  EXPECT_EQ(outcome->error_code, ErrorCode::kModel);
  EXPECT_EQ(report["error_code"], "model_error");
  EXPECT_EQ(report["retryable"], false);
}

TEST_F(FakeBackendRun, ModelThatFailsToLoadStopsTheRunBeforeAnyWork) {
  set_fake_backend(FakeBackendPlan{.fail_load = true});
  test::TempDir out;
  auto outcome = run(out.path() / "out");
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message().find("fake backend: loading"), std::string::npos)
      << outcome.error().message();
  EXPECT_NE(outcome.error().message().find("yolox_nano_416"), std::string::npos)
      << outcome.error().message();
  EXPECT_FALSE(fs::exists(out.path() / "out" / "detections.jsonl"));
}

TEST_F(FakeBackendRun, FakeIsNoBackendUnlessATestInstallsIt) {
  auto opened = open_backend("fake", test::models_dir() / "detection/yolox_nano_416.onnx");
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message().find("backend 'fake' is not available"), std::string::npos);
}

}  // namespace
}  // namespace fp::infer
