// The runner under injected failures: stages that fail or throw, and disk-full style write errors.
#include "run/runner.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace fp::run {
namespace {

using pipeline::FrameResult;
using pipeline::PipelineConfig;
using pipeline::Stage;

namespace fs = std::filesystem;

// A stage that marks frames, then fails (or throws) on the frame with index `fail_at`.
class FaultyStage : public Stage {
 public:
  FaultyStage(int64_t fail_at, bool throws) : fail_at_(fail_at), throws_(throws) {}
  const std::string& name() const override { return name_; }
  Status process(FrameResult& item) override {
    if (item.frame.index == fail_at_) {
      if (throws_) throw std::runtime_error("kaboom");
      return Error("injected failure");
    }
    item.detections.push_back(Detection{{1, 2, 3, 4}, 0, 0.5f, "thing"});
    return ok_status();
  }

 private:
  std::string name_ = "faulty";
  int64_t fail_at_;
  bool throws_;
};

Result<RunOutcome> run_faulty(const fs::path& out, int64_t fail_at, bool throws) {
  PipelineConfig config;
  config.name = "faulty";
  config.sampling.stride = 10;
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<FaultyStage>(fail_at, throws));
  RunOptions options;
  options.inputs = {test::media_path("video/vtest_480x360.avi").string()};
  options.out_dir = out;
  return run_with_stages(config, std::move(stages), options);
}

TEST(Runner, StageErrorFailsTheRunAndKeepsRowsUnderPartialName) {
  test::TempDir out;
  auto outcome = run_faulty(out.path(), 300, false);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_EQ(outcome->status, RunStatus::kFailed);
  EXPECT_EQ(exit_code(outcome->status), 1);
  EXPECT_NE(outcome->error.find("stage 'faulty' failed on stream 0 frame 300: injected failure"),
            std::string::npos)
      << outcome->error;
  EXPECT_FALSE(fs::exists(out / "detections.jsonl"));
  const std::string rows = test::read_file(out / "detections.jsonl.partial");
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 30);  // frames 0..290
  const auto report = nlohmann::json::parse(test::read_file(out / "run.json"));
  EXPECT_EQ(report["status"], "failed");
  EXPECT_EQ(report["frames"], 30);
}

TEST(Runner, ThrowingStageIsReportedNotACrash) {
  test::TempDir out;
  auto outcome = run_faulty(out.path(), 0, true);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->status, RunStatus::kFailed);
  EXPECT_NE(outcome->error.find("kaboom"), std::string::npos) << outcome->error;
}

TEST(Runner, CompletedRunCommitsEveryRow) {
  test::TempDir out;
  auto outcome = run_faulty(out.path(), -1, false);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->status, RunStatus::kCompleted);
  const std::string rows = test::read_file(out / "detections.jsonl");
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 80);  // frames 0..790
  EXPECT_FALSE(fs::exists(out / "detections.jsonl.partial"));
}

TEST(Runner, WriteFailureLikeDiskFullFailsCleanly) {
  test::TempDir dir;
  // ulimit -f 16 caps files at 16 KiB: writing detections.jsonl fails part way, as on a full disk.
  const auto r =
      test::run_program({"bash", "-c", "ulimit -f 16; exec \"$0\" \"$@\"", FRAMEPIPE_BINARY, "run",
                         (test::source_dir() / "examples/people.yaml").string(),
                         test::media_path("video/vtest_480x360.avi").string(), "--out",
                         (dir / "out").string(), "--stride", "5", "--no-progress"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("disk full"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "detections.jsonl"));
  EXPECT_TRUE(fs::exists(dir / "out" / "detections.jsonl.partial"));
  const auto report = nlohmann::json::parse(test::read_file(dir / "out" / "run.json"));
  EXPECT_EQ(report["status"], "failed");
  EXPECT_EQ(report["error_code"], "io_error");
  EXPECT_EQ(report["retryable"], true);
  EXPECT_NE(r.output.find("error code: io_error (may pass if run again)"), std::string::npos);
}

}  // namespace
}  // namespace fp::run
