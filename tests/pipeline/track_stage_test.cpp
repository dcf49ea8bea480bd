// The `track` stage end to end: ids in the rows, tracks.jsonl and tracks.txt, detect_every with
// predicted rows, per-stream trackers, and its bad configurations.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "test_support.hpp"
#include "vision/nms.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using vision::iou;

const std::string kTracking = (source_dir() / "examples/tracking.yaml").string();

std::string vtest() { return media_path("video/vtest_480x360.avi").string(); }

// The first 12 s of vtest (120 frames), tracked; `extra` are more arguments.
CommandResult run_tracking(const fs::path& out, const std::vector<std::string>& extra = {},
                           const std::string& pipeline = kTracking) {
  std::vector<std::string> args{"run",        pipeline, vtest(), "--out",
                                out.string(), "--end",  "12",    "--no-progress"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_framepipe(args);
}

std::vector<std::vector<std::string>> csv_lines(const fs::path& path) {
  std::vector<std::vector<std::string>> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::stringstream s(line);
    for (std::string f; std::getline(s, f, ',');) fields.push_back(f);
    lines.push_back(fields);
  }
  return lines;
}

Box box_of(const json& detection) {
  const auto b = detection["box"].get<std::vector<float>>();
  return Box{b[0], b[1], b[2], b[3]};
}

TEST(TrackStage, RowsTrackSummariesAndMotFileAgree) {
  TempDir out;
  const auto r = run_tracking(out.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<json> rows = read_jsonl(out / "detections.jsonl");
  ASSERT_EQ(rows.size(), 120u);

  // Per track: the frames it appears in and its best score, from the rows.
  std::map<int64_t, std::vector<int64_t>> frames_of;
  std::map<int64_t, double> best_score;
  int64_t tracked = 0, untracked = 0;
  std::vector<std::vector<std::string>> expected_mot;
  for (const json& row : rows) {
    for (const json& d : row["detections"]) {
      ASSERT_TRUE(d.contains("track_id")) << d;
      ASSERT_FALSE(d.contains("predicted"));
      if (d["track_id"].is_null()) {
        ++untracked;
        continue;
      }
      ++tracked;
      const int64_t id = d["track_id"];
      ASSERT_TRUE(frames_of[id].empty() || frames_of[id].back() != row["frame"])
          << "track " << id << " twice in frame " << row["frame"];
      frames_of[id].push_back(row["frame"]);
      best_score[id] = std::max(best_score[id], d["score"].get<double>());
      expected_mot.push_back({std::to_string(row["frame"].get<int64_t>() + 1), std::to_string(id)});
    }
  }
  // Boxes below the new-track score (0.7) only continue tracks, so some stay without one.
  EXPECT_GT(tracked, 2 * untracked) << "most people should be tracked";

  // tracks.jsonl: one row per track, matching the rows.
  const std::vector<json> tracks = read_jsonl(out / "tracks.jsonl");
  ASSERT_EQ(tracks.size(), frames_of.size());
  std::vector<int64_t> lengths;
  for (const json& t : tracks) {
    const int64_t id = t["track_id"];
    ASSERT_EQ(frames_of.count(id), 1u) << t;
    EXPECT_EQ(t["stream"], 0);
    EXPECT_EQ(t["class"], "person");
    EXPECT_EQ(t["first_frame"], frames_of[id].front());
    EXPECT_EQ(t["last_frame"], frames_of[id].back());
    EXPECT_EQ(t["frames"], frames_of[id].size());
    EXPECT_EQ(t["detected"], frames_of[id].size());
    EXPECT_NEAR(t["first_pts"].get<double>(), frames_of[id].front() * 0.1, 1e-6);
    EXPECT_NEAR(t["best"]["score"].get<double>(), best_score[id], 1e-4);
    lengths.push_back(t["frames"]);
  }
  // Ids persist: half the tracks last at least 3 s (30 frames) of this 12 s clip.
  std::sort(lengths.begin(), lengths.end());
  EXPECT_GE(lengths[lengths.size() / 2], 30) << "median track length";

  // tracks.txt: the tracked detections, 1-based frames, x,y,w,h.
  const auto mot = csv_lines(out / "tracks.txt");
  ASSERT_EQ(mot.size(), expected_mot.size());
  for (size_t i = 0; i < mot.size(); ++i) {
    ASSERT_EQ(mot[i].size(), 10u);
    EXPECT_EQ(mot[i][0], expected_mot[i][0]);
    EXPECT_EQ(mot[i][1], expected_mot[i][1]);
    EXPECT_GT(std::stod(mot[i][4]), 0);
    EXPECT_EQ(mot[i][7], "-1");
  }
  const json report = json::parse(read_file(out / "run.json"));
  EXPECT_EQ(report["outputs"]["tracks.jsonl"], (out / "tracks.jsonl").string());
  EXPECT_EQ(report["stages"][1]["tracks"], tracks.size());
}

TEST(TrackStage, DetectEveryThreeRunsTheDetectorOnAThirdAndPredictsTheRest) {
  TempDir every1, every3;
  ASSERT_EQ(run_tracking(every1.path()).exit_code, 0);
  TempDir config;
  std::string yaml = read_file(kTracking);
  const std::string key = "detect_every: 1 ";
  ASSERT_NE(yaml.find(key), std::string::npos);
  yaml.replace(yaml.find(key), key.size(), "detect_every: 3 ");
  write_file(config / "every3.yaml", yaml);
  const auto r = run_tracking(every3.path(), {}, (config / "every3.yaml").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const std::vector<json> rows = read_jsonl(every3 / "detections.jsonl");
  const std::vector<json> full = read_jsonl(every1 / "detections.jsonl");
  ASSERT_EQ(rows.size(), 120u);
  int predicted_rows = 0, close_to_detection = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const bool detected = i % 3 == 0;
    for (const json& d : rows[i]["detections"]) {
      EXPECT_EQ(d.contains("predicted"), !detected) << rows[i];
      if (detected) continue;
      ++predicted_rows;
      EXPECT_TRUE(d["track_id"].is_number()) << "a predicted box always has its track";
      // The same person was detected near there when the detector ran on every frame.
      for (const json& f : full[i]["detections"]) {
        if (iou(box_of(d), box_of(f)) >= 0.5) {
          ++close_to_detection;
          break;
        }
      }
    }
  }
  EXPECT_GT(predicted_rows, 200);
  EXPECT_GT(close_to_detection, predicted_rows * 8 / 10);
  const json report = json::parse(read_file(every3 / "run.json"));
  EXPECT_EQ(report["models"][0]["requests"], 40) << report["models"];
  EXPECT_EQ(report["stages"][0]["detect_every"], 3);
  EXPECT_EQ(report["stages"][1]["detected_frames"], 40);
  EXPECT_EQ(report["stages"][1]["predicted_frames"], 80);
}

TEST(TrackStage, EachStreamHasItsOwnTrackerAndMotFile) {
  TempDir out;
  const auto r = run_framepipe({"run", kTracking, vtest(), vtest(), "--out", out.path().string(),
                                "--end", "5", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Concurrent workers, one tracker per stream: both streams give the same tracks.
  const std::string first = read_file(out / "tracks.txt");
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, read_file(out / "tracks.1.txt"));
  std::set<int> streams;
  for (const json& t : read_jsonl(out / "tracks.jsonl")) streams.insert(t["stream"].get<int>());
  EXPECT_EQ(streams, (std::set<int>{0, 1}));
}

TEST(TrackStageBadInput, BadTrackerSettingsNameFileLineColumn) {
  TempDir dir;
  const std::string head = "name: t\nstages:\n  - detect:\n      model: yolox_nano_416\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + "  - track:\n      tracker: sort\n", "6:16: unknown tracker 'sort'"},
      {head + "  - track:\n      high_score: 1.5\n", "6:19: 'high_score' must be from 0 to 1"},
      {head + "  - track:\n      low_score: 0.7\n", "'low_score' must not be above 'high_score'"},
      {head + "  - track:\n      lost_seconds: -1\n", "'lost_seconds' must be from 0 to 3600"},
      {head + "  - track:\n      buffer: 30\n", "buffer"},
      {head + "      detect_every: 0\n", "'detect_every' must be from 1 to 1000"},
      {"name: t\nstages:\n  - track: {}\n  - detect:\n      model: yolox_nano_416\n",
       "3:12: stage 'track' tracks detections, but no detector comes before it"},
  };
  for (const auto& [yaml, message] : cases) {
    write_file(dir / "bad.yaml", yaml);
    const auto r = run_framepipe({"run", (dir / "bad.yaml").string(), vtest(), "--out",
                                  (dir / "out").string(), "--no-progress"});
    EXPECT_EQ(r.exit_code, 2) << yaml << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << yaml << r.output;
    EXPECT_FALSE(fs::exists(dir / "out" / "tracks.jsonl"));
  }
}

}  // namespace
}  // namespace fp::test
