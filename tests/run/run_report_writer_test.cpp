// run.json through a run: written at start, kept current, and still written when the disk fills.
#include "run/run_report_writer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "disk_faults.hpp"
#include "test_support.hpp"

namespace fp::run {
namespace {

namespace fs = std::filesystem;

nlohmann::json read_report(const fs::path& dir) {
  return nlohmann::json::parse(test::read_file(dir / "run.json"));
}

// A report of about `bytes` bytes, as a run over many inputs writes.
nlohmann::ordered_json report_of_size(const std::string& status, size_t bytes) {
  return {{"status", status}, {"inputs", std::string(bytes, 'i')}};
}

TEST(RunReportWriter, ReserveHoldsRealBlocksUntilTheFinalReport) {
  test::TempDir dir;
  {
    RunReportWriter writer(dir.path(), 64 * 1024);
    writer.start({{"status", "running"}});
    EXPECT_EQ(read_report(dir.path())["status"], "running");
    struct stat reserve {};
    ASSERT_EQ(stat(RunReportWriter::reserve_path(dir.path()).c_str(), &reserve), 0);
    EXPECT_EQ(reserve.st_size, 64 * 1024);
    EXPECT_GE(reserve.st_blocks * 512, 64 * 1024);  // written, not a sparse file
    ASSERT_TRUE(writer.finish({{"status", "completed"}}).ok());
    EXPECT_FALSE(fs::exists(RunReportWriter::reserve_path(dir.path())));
    EXPECT_EQ(read_report(dir.path())["status"], "completed");
  }
  EXPECT_FALSE(fs::exists(dir / "run.json.partial"));
}

TEST(RunReportWriter, RunThatEndsEarlyKeepsNoReserve) {
  test::TempDir dir;
  {
    RunReportWriter writer(dir.path(), 4096);
    writer.start({{"status", "running"}});
    EXPECT_TRUE(fs::exists(RunReportWriter::reserve_path(dir.path())));
  }
  EXPECT_FALSE(fs::exists(RunReportWriter::reserve_path(dir.path())));
}

TEST(RunReportWriter, UpdateBuildsTheReportOnlyWhenDue) {
  test::TempDir dir;
  int built = 0;
  auto build = [&] {
    ++built;
    return nlohmann::ordered_json{{"status", "running"}, {"frames", built}};
  };
  RunReportWriter hourly(dir.path(), 0, 3600);
  hourly.start({{"status", "running"}, {"frames", 0}});
  hourly.update(build);
  EXPECT_EQ(built, 0);  // the report is not even built before it is due
  EXPECT_EQ(read_report(dir.path())["frames"], 0);

  RunReportWriter always(dir.path(), 0, 0);
  always.update(build);
  always.update(build);
  EXPECT_EQ(built, 2);
  EXPECT_EQ(read_report(dir.path())["frames"], 2);
}

// The disk fills up during the run (issue 10): without a reserve the final report cannot be
// written and the last one stays, whole, with no run.json.partial; with one it is written.
TEST(RunReportWriter, FullDiskStillGetsTheFinalReport) {
  test::TempDir disk;
  const int result = test::run_on_small_disk(disk.path(), 256 * 1024, [](const fs::path& root) {
    const nlohmann::ordered_json final_report = report_of_size("failed", 20000);
    for (const size_t reserve : {size_t{0}, RunReportWriter::reserve_for(1)}) {
      const fs::path dir = root / ("reserve_" + std::to_string(reserve));
      fs::create_directories(dir);
      RunReportWriter writer(dir, reserve, 0);
      writer.start({{"status", "running"}});
      if (test::fill_disk(root / "filler") == 0) return 10;
      writer.update([] { return report_of_size("running", 20000); });  // fails: warned
      if (fs::exists(dir / "run.json.partial")) return 11;
      const Status written = writer.finish(final_report);
      const std::string status = read_report(dir)["status"];
      if (fs::exists(dir / "run.json.partial")) return 12;
      if (reserve == 0 && (written.ok() || status != "running")) return 13;
      if (reserve > 0 && (!written.ok() || status != "failed")) return 14;
      fs::remove(root / "filler");
    }
    return 0;
  });
  if (result == test::kNoSmallDisk) GTEST_SKIP() << "cannot mount a small tmpfs (needs root)";
  EXPECT_EQ(result, 0);
}

}  // namespace
}  // namespace fp::run
