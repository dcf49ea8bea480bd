// `framepipe track-mot` end to end, and scoring its output with `framepipe eval`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;

std::string tud(const char* name) { return media_path("mot/TUD-Campus").string() + "/" + name; }

TEST(TrackMotCommand, TracksDetectionsIntoAResultThatEvalScores) {
  TempDir dir;
  const auto r =
      run_framepipe({"track-mot", "--det", tud("det.txt"), "--out", (dir / "result.txt").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("tracked 71 frames"), std::string::npos) << r.output;
  const auto scored = run_framepipe(
      {"eval", "--gt", tud("gt.txt"), "--result", (dir / "result.txt").string(), "--json"});
  ASSERT_EQ(scored.exit_code, 0) << scored.output;
  const auto metrics = nlohmann::json::parse(scored.output);
  EXPECT_GT(metrics["mota"].get<double>(), 0.627);
}

TEST(TrackMotCommandBadInput, MalformedLineMissingFileAndBadOptions) {
  TempDir dir;
  write_file(dir / "det.txt", "1,-1,10,10,20,40,0.9\n2,-1,10,ten,20,40,0.9\n");
  auto r = run_framepipe(
      {"track-mot", "--det", (dir / "det.txt").string(), "--out", (dir / "r.txt").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("det.txt:2: y: 'ten' is not a number"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "r.txt"));

  write_file(dir / "empty.txt", "\n");
  r = run_framepipe(
      {"track-mot", "--det", (dir / "empty.txt").string(), "--out", (dir / "r.txt").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("no usable rows"), std::string::npos) << r.output;

  r = run_framepipe(
      {"track-mot", "--det", (dir / "nope.txt").string(), "--out", (dir / "r.txt").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("nope.txt"), std::string::npos) << r.output;

  r = run_framepipe({"track-mot", "--det", tud("det.txt"), "--out", (dir / "r.txt").string(),
                     "--detect-every", "0"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--detect-every"), std::string::npos) << r.output;

  r = run_framepipe(
      {"track-mot", "--det", tud("det.txt"), "--out", (dir / "missing_dir" / "r.txt").string()});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("missing_dir"), std::string::npos) << r.output;
}

TEST(TrackMotCommand, SkippedBoxesAndUnsortedFramesAreReportedNotFatal) {
  TempDir dir;
  write_file(dir / "det.txt",
             "2,-1,12,10,20,40,0.9\n1,-1,10,10,20,40,0.9\n2,-1,100,10,0,40,0.9\n"
             "3,-1,14,10,20,40,0.9\n");
  const auto r = run_framepipe(
      {"track-mot", "--det", (dir / "det.txt").string(), "--out", (dir / "r.txt").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("skipped 1 row(s) with zero or negative width or height (first at "
                          "line 3)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("sorted by frame"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(dir / "r.txt"),
            "1,1,10.00,10.00,20.00,40.00,0.9,-1,-1,-1\n2,1,12.00,10.00,20.00,40.00,0.9,-1,-1,-1\n"
            "3,1,14.00,10.00,20.00,40.00,0.9,-1,-1,-1\n");
}

}  // namespace
}  // namespace fp::test
