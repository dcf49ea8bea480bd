// Clearing an output folder before a run: what earlier runs left goes, nothing else does.
#include "run/output_dir.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run/run_report_writer.hpp"
#include "test_support.hpp"

namespace fp::run {
namespace {

namespace fs = std::filesystem;

TEST(OutputDir, ClearsWhatTheLastRunJsonListsInsideTheFolderOnly) {
  test::TempDir dir, elsewhere;
  fs::create_directories(dir / "videos");
  // The earlier run was started from another working directory, as `old/out`, and was killed.
  const nlohmann::json earlier = {
      {"status", "running"},
      {"outputs",
       {{"detections.jsonl", "old/out/detections.jsonl.partial"},
        {"people.mp4", "old/out/videos/people.mp4.partial"},
        {"elsewhere.mp4", (elsewhere / "elsewhere.mp4.partial").string()}}}};
  test::write_file(dir / "run.json", earlier.dump());
  for (const char* name : {"detections.jsonl.partial", "videos/people.mp4.partial",
                           "videos/people.mp4", "crops.partial/a.jpg", "notes.txt"}) {
    fs::create_directories((dir / name).parent_path());
    test::write_file(dir / name, "x");
  }
  test::write_file(RunReportWriter::reserve_path(dir.path()), "x");
  test::write_file(elsewhere / "elsewhere.mp4.partial", "x");

  ASSERT_TRUE(prepare_output_dir(dir.path(), {dir / "detections.jsonl", dir / "run.json"}).ok());
  EXPECT_FALSE(fs::exists(dir / "run.json"));
  EXPECT_FALSE(fs::exists(dir / "detections.jsonl.partial"));
  EXPECT_FALSE(fs::exists(dir / "videos/people.mp4.partial"));  // listed, inside the folder
  EXPECT_FALSE(fs::exists(dir / "videos/people.mp4"));          // its complete name too
  EXPECT_FALSE(fs::exists(dir / "crops.partial"));              // any *.partial at the top
  EXPECT_FALSE(fs::exists(RunReportWriter::reserve_path(dir.path())));
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));                    // not an output
  EXPECT_TRUE(fs::exists(elsewhere / "elsewhere.mp4.partial"));  // listed, but outside
}

TEST(OutputDir, UnreadableEarlierReportStillClearsPartials) {
  test::TempDir dir;
  test::write_file(dir / "run.json", "{\"status\": \"runn");  // not JSON: nothing listed
  test::write_file(dir / "people.mp4", "x");
  test::write_file(dir / "people.mp4.partial", "x");
  ASSERT_TRUE(prepare_output_dir(dir.path(), {dir / "detections.jsonl", dir / "run.json"}).ok());
  EXPECT_TRUE(fs::exists(dir / "people.mp4"));
  EXPECT_FALSE(fs::exists(dir / "people.mp4.partial"));
  EXPECT_FALSE(fs::exists(dir / "run.json"));
}

}  // namespace
}  // namespace fp::run
