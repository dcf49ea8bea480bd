#include "pipeline/cpu_budget.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>

#include "pipeline/pipeline_config.hpp"
#include "test_support.hpp"

namespace fp::pipeline {
namespace {

TEST(CpuBudget, ParseAcceptsWholeCoresWithinTheMachine) {
  auto one = parse_cpu_budget("1", "--cpus");
  ASSERT_TRUE(one.ok()) << one.error().message();
  EXPECT_EQ(*one, 1);
  const std::string too_many = std::to_string(available_cores() + 1);
  for (const std::string& bad : {std::string("0"), std::string("-1"), std::string("abc"),
                                 std::string("1.5"), std::string(""), too_many}) {
    auto parsed = parse_cpu_budget(bad, "--cpus");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.error().message().rfind("--cpus must be a whole number of cores", 0), 0u)
        << parsed.error().message();
  }
}

// The budget changes the whole process, so it is applied in a child that reports what it sees.
TEST(CpuBudget, ApplyPinsThreadsAndCapsTbbAndOpenCv) {
  const pid_t pid = fork();
  if (pid == 0) {
    auto budget = CpuBudget::apply(1);
    if (!budget.ok()) _exit(10);
    cpu_set_t mask;
    CPU_ZERO(&mask);
    sched_getaffinity(0, sizeof(mask), &mask);
    if (CPU_COUNT(&mask) != 1) _exit(11);
    if (cv::getNumThreads() != 1) _exit(12);
    if (tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism) != 1) {
      _exit(13);
    }
    if ((*budget)->cores().size() != 1) _exit(14);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10 apply failed, 11 affinity, 12 OpenCV, 13 TBB, 14 cores";
}

TEST(CpuBudget, PipelineYamlBudgetIsChecked) {
  test::TempDir dir;
  test::write_file(
      dir / "p.yaml",
      "name: p\nresources:\n  cpus: 0\nstages:\n  - detect: {model: yolox_nano_416}\n");
  auto zero = load_pipeline_config((dir / "p.yaml").string());
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message().find("p.yaml:3:9: 'cpus' in resources must be a whole number"),
            std::string::npos)
      << zero.error().message();
  test::write_file(
      dir / "p.yaml",
      "name: p\nresources: {cpus: two}\nstages:\n  - detect: {model: yolox_nano_416}\n");
  auto word = load_pipeline_config((dir / "p.yaml").string());
  ASSERT_FALSE(word.ok());
  EXPECT_NE(word.error().message().find("must be an integer"), std::string::npos);
}

TEST(CpuBudget, OneCoreRunUsesAtMostOneCore) {
  test::TempDir out;
  const auto r =
      test::run_framepipe({"run", (test::source_dir() / "examples/people.yaml").string(),
                           test::media_path("video/vtest_480x360.avi").string(), "--out",
                           out.path().string(), "--stride", "40", "--cpus", "1", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto report = nlohmann::json::parse(test::read_file(out / "run.json"));
  EXPECT_EQ(report["resources"]["cpus"], 1);
  EXPECT_EQ(report["resources"]["cores"].size(), 1u);
  EXPECT_EQ(report["resources"]["opencv_threads"], 1);
  // Pinned to one core, CPU time cannot outgrow wall time (5 % allows accounting granularity).
  EXPECT_LE(report["cpu_cores_used"].get<double>(), 1.05);
}

}  // namespace
}  // namespace fp::pipeline
