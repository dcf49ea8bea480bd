// Issue 10, end to end: damaged media never shifts or hides results, hostile images are bounded,
// and an interrupted finite download is not mistaken for a stopped live stream.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "test_support.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kPeople = (source_dir() / "examples/people.yaml").string();

json read_json(const fs::path& path) { return json::parse(read_file(path)); }

struct PeopleRun {
  CommandResult result;
  std::vector<json> rows;
  json report;
};

PeopleRun run_people(const std::string& input, const fs::path& out, const std::string& stride) {
  PeopleRun run;
  run.result = run_framepipe(
      {"run", kPeople, input, "--out", out.string(), "--stride", stride, "--no-progress"});
  run.rows = read_jsonl(out / "detections.jsonl");
  run.report = read_json(out / "run.json");
  return run;
}

// The damaged run has a row for every frame the clean run has, at the same frame and pts; rows
// the damage did not reach are the clean rows exactly; damaged frames are skip rows.
void expect_same_timeline(const PeopleRun& clean, const PeopleRun& damaged) {
  ASSERT_EQ(clean.result.exit_code, 0) << clean.result.output;
  EXPECT_EQ(damaged.result.exit_code, 3) << damaged.result.output;
  ASSERT_EQ(damaged.rows.size(), clean.rows.size());
  size_t skipped = 0;
  for (size_t i = 0; i < clean.rows.size(); ++i) {
    ASSERT_EQ(damaged.rows[i]["frame"], clean.rows[i]["frame"]) << i;
    ASSERT_EQ(damaged.rows[i]["pts"], clean.rows[i]["pts"]) << i;
    if (damaged.rows[i].contains("skipped")) ++skipped;
  }
  EXPECT_GT(skipped, 0u);
  for (size_t i = clean.rows.size() * 9 / 10; i < clean.rows.size(); ++i) {
    EXPECT_EQ(damaged.rows[i], clean.rows[i]) << i;
  }
  const json& input = damaged.report["inputs"][0];
  EXPECT_EQ(damaged.report["status"], "completed_with_errors");
  EXPECT_FALSE(input["truncated"].get<bool>()) << input;
  EXPECT_EQ(input["last_good_frame"], clean.report["inputs"][0]["last_good_frame"]) << input;
  EXPECT_GT(input["frames_skipped"].get<int>(), 0) << input;
  ASSERT_GE(input["damaged_ranges"].size(), 1u) << input;
  EXPECT_GE(input["damaged_range_count"].get<int>(), 1) << input;
  EXPECT_LE(input["damaged_ranges"][0]["first_frame"].get<int>(),
            input["damaged_ranges"][0]["last_frame"].get<int>());
}

TEST(DamagedInput, Issue10_GarbageInAnAviShiftsNoRowAndNamesTheDamagedRange) {
  TempDir dir;
  write_with_garbage(media_path("video/vtest_480x360.avi"), dir / "garbage.avi", 0.5, 200 * 1024);
  const PeopleRun clean = run_people(media_path("video/vtest_480x360.avi"), dir / "clean", "10");
  const PeopleRun damaged = run_people((dir / "garbage.avi").string(), dir / "damaged", "10");
  expect_same_timeline(clean, damaged);
  EXPECT_GT(damaged.report["inputs"][0]["lost_frames"].get<int>(), 20) << damaged.report;
  EXPECT_NE(damaged.result.output.find("damaged ranges"), std::string::npos)
      << damaged.result.output;
}

TEST(DamagedInput, Issue10_GarbageInAnMp4ShiftsNoRow) {
  TempDir dir;
  const std::string clip = media_path("video/short_hamilton_clip.mp4");
  write_with_garbage(clip, dir / "garbage.mp4", 0.5, 50 * 1024);
  expect_same_timeline(run_people(clip, dir / "clean", "5"),
                       run_people((dir / "garbage.mp4").string(), dir / "damaged", "5"));
}

TEST(DamagedInput, Issue10_DamagedJpegsAreFlaggedInTheirRowsAndTheReport) {
  TempDir dir;
  fs::create_directory(dir / "photos");
  fs::copy_file(media_path("images/lena.jpg"), dir / "photos" / "a_clean.jpg");
  std::string bytes = read_file(media_path("images/messi5.jpg"));
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64; ++i) bytes[i] = '\x5A';
  write_file(dir / "photos" / "b_corrupt.jpg", bytes);
  write_prefix(media_path("images/obama.jpg"), dir / "photos" / "c_cut.jpg", 0.6);
  const auto r = run_framepipe({"run", kPeople, (dir / "photos").string(), "--out",
                                (dir / "out").string(), "--no-progress"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  const auto rows = read_jsonl(dir / "out" / "detections.jsonl");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_FALSE(rows[0].contains("damaged")) << rows[0];
  EXPECT_NE(rows[1]["damaged"].get<std::string>().find("Corrupt JPEG data"), std::string::npos);
  EXPECT_NE(rows[2]["damaged"].get<std::string>().find("Premature end"), std::string::npos);
  EXPECT_TRUE(rows[2].contains("detections"));  // what could be decoded is still processed
  const json report = read_json(dir / "out" / "run.json");
  EXPECT_EQ(report["status"], "completed_with_errors");
  const json& input = report["inputs"][0];
  EXPECT_EQ(input["damaged_images"], 2) << input;
  ASSERT_EQ(input["damaged_files"].size(), 2u) << input;
  EXPECT_NE(input["damaged_files"][0]["file"].get<std::string>().find("b_corrupt.jpg"),
            std::string::npos);
}

// A JPEG header claiming 30000x30000 pixels, written byte by byte (no pixel data follows).
std::string jpeg_bomb() {
  std::string bytes("\xFF\xD8\xFF\xC0\x00\x11\x08\x75\x30\x75\x30\x03", 12);
  for (char c = 1; c <= 3; ++c) bytes += std::string{c, '\x11', '\x00'};
  return bytes + "\xFF\xD9";
}

TEST(DamagedInput, Issue10_HeaderBombsAreSkippedWithoutTakingTheirMemory) {
  TempDir dir;
  fs::create_directory(dir / "photos");
  fs::copy_file(media_path("images/lena.jpg"), dir / "photos" / "a_lena.jpg");
  for (int i = 0; i < 6; ++i)
    write_file(dir / "photos" / ("bomb" + std::to_string(i) + ".jpg"), jpeg_bomb());
  const auto r = run_framepipe({"run", kPeople, (dir / "photos").string(), "--out",
                                (dir / "out").string(), "--no-progress"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  const auto rows = read_jsonl(dir / "out" / "detections.jsonl");
  ASSERT_EQ(rows.size(), 7u);
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i]["skipped"], "unreadable_image");
  const json report = read_json(dir / "out" / "run.json");
  const std::string problem = report["inputs"][0]["damaged_files"][0]["problem"];
  EXPECT_NE(problem.find("30000x30000 pixels"), std::string::npos) << problem;
  EXPECT_NE(problem.find("source.max_megapixels"), std::string::npos) << problem;
  // Decoding even one of them would take 2.7 GB.
  EXPECT_LT(report["peak_rss_mb"].get<double>(), 1000) << report["peak_rss_mb"];

  // Alone, the same file is an input that cannot be used: nothing runs.
  const auto alone = run_framepipe(
      {"run", kPeople, (dir / "photos" / "bomb0.jpg").string(), "--out", (dir / "out2").string()});
  EXPECT_EQ(alone.exit_code, 2) << alone.output;
  EXPECT_NE(alone.output.find("bomb0.jpg': the image is 30000x30000 pixels (900.0 megapixels), "
                              "over the limit of 100.0 megapixels (source.max_megapixels)"),
            std::string::npos)
      << alone.output;
}

TEST(DamagedInput, PixelLimitIsASourceSetting) {
  TempDir dir;
  std::string yaml = read_file(kPeople);
  yaml.replace(yaml.find("source:"), 7, "source:\n  max_megapixels: 0.1");
  write_file(dir / "p.yaml", yaml);
  const auto r =
      run_framepipe({"run", (dir / "p.yaml").string(), media_path("video/vtest_480x360.avi"),
                     "--out", (dir / "out").string()});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("is 480x360 pixels (0.2 megapixels), over the limit of 0.1 megapixels"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "detections.jsonl"));
}

TEST(DamagedInput, Issue10_CtrlCOnAFiniteFileOverHttpIsAnInterruptionNotAStop) {
  SlowHttpFileServer server(media_path("video/vtest_480x360.avi"), 400 * 1024);
  TempDir out;
  BackgroundProcess run({FRAMEPIPE_BINARY, "run", kPeople, server.url(), "--out",
                         out.path().string(), "--stride", "5", "--no-progress"});
  const fs::path partial = out / "detections.jsonl.partial";
  wait_for_file_size(partial, 1000);
  EXPECT_EQ(run.stop(SIGINT), 130);
  EXPECT_FALSE(fs::exists(out / "detections.jsonl"));  // nothing looks complete
  const auto rows = read_jsonl(partial);
  EXPECT_GT(rows.size(), 0u);
  EXPECT_LT(rows.size(), 159u);
  const json report = read_json(out / "run.json");
  EXPECT_EQ(report["status"], "interrupted");
  EXPECT_EQ(report["inputs"][0]["kind"], "stream");
  EXPECT_FALSE(report["inputs"][0]["live"].get<bool>());
  EXPECT_GT(report["inputs"][0]["duration_s"].get<double>(), 79);
}

}  // namespace
}  // namespace fp::test
