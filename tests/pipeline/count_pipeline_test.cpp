// The `count` stage end to end on the shared video: counts.jsonl, the totals in run.json and the
// annotated video, checked against counts recomputed here from the tracked boxes of
// detections.jsonl.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "media/source.hpp"
#include "test_support.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Lines reaching far past the 480x360 frame, so that crossing one is changing sides of it, and a
// zone whose first point (120, 120) carries its label in the video.
const char* kPipeline = R"(name: counting
source: {stride: 2}
stages:
  - detect: {model: yolox_nano_416, classes: [person]}
  - track: {}
  - count:
      classes: [person]
      zones:
        - name: middle
          polygon: [[120, 120], [360, 120], [360, 300], [120, 300]]
      lines:
        - name: across   # x = 240 downwards: its left is x > 240, so "in" is walking to x < 240
          points: [[240, -1000], [240, 2000]]
        - name: flat     # y = 200 rightwards: its left is y < 200, "in" walking down the image
          points: [[-1000, 200], [2000, 200]]
)";

// What one track last was, for the counts recomputed from the rows.
struct TrackSeen {
  bool inside = false;
  int across_side = 0, flat_side = 0;  // the sign of x - 240 and of y - 200 when last not 0
};

struct Totals {
  int64_t occupancy = 0, entries = 0, exits = 0;
  int64_t across_in = 0, across_out = 0, flat_in = 0, flat_out = 0;
};

int sign(double v) { return (v > 0) - (v < 0); }

// A crossing of a line when `side` (not 0) differs from `last` (0: none yet), then `last` = side.
void cross(int side, int& last, int64_t& in, int64_t& out, int in_side) {
  if (side == 0) return;
  if (last != 0 && side != last) ++(side == in_side ? in : out);
  last = side;
}

TEST(CountPipeline, CountsFollowTheTrackedBoxesAndReachRunJsonAndTheVideo) {
  TempDir dir;
  write_file(dir / "p.yaml", kPipeline);
  const fs::path out = dir / "out";
  const auto r = run_framepipe(
      {"run", (dir / "p.yaml").string(), media_path("video/vtest_480x360.avi").string(), "--out",
       out.string(), "--end", "12", "--cpus", "2", "--no-progress", "--annotate", "counted.mp4"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<json> frames = read_jsonl(out / "detections.jsonl");
  const std::vector<json> counts = read_jsonl(out / "counts.jsonl");
  ASSERT_EQ(frames.size(), 60u);  // 12 s at 10 fps, every second frame
  ASSERT_EQ(counts.size(), frames.size());

  std::map<int64_t, TrackSeen> tracks;
  Totals t;
  for (size_t i = 0; i < frames.size(); ++i) {
    const json& row = counts[i];
    ASSERT_EQ(row["stream"], frames[i]["stream"]);
    ASSERT_EQ(row["frame"], frames[i]["frame"]);
    ASSERT_EQ(row["pts"], frames[i]["pts"]);
    t.occupancy = 0;
    for (const json& d : frames[i]["detections"]) {
      if (d["track_id"].is_null()) continue;
      const json& b = d["box"];
      const double x = (b[0].get<double>() + b[2].get<double>()) / 2, y = b[3].get<double>();
      const bool inside = x >= 120 && x <= 360 && y >= 120 && y <= 300;
      const auto [it, first] = tracks.try_emplace(d["track_id"].get<int64_t>());
      TrackSeen& seen = it->second;
      t.occupancy += inside;
      if (!first && inside != seen.inside) ++(inside ? t.entries : t.exits);
      seen.inside = inside;
      cross(sign(x - 240), seen.across_side, t.across_in, t.across_out, -1);
      cross(sign(y - 200), seen.flat_side, t.flat_in, t.flat_out, 1);
    }
    const json expected = json::parse(
        "{\"zones\":[{\"name\":\"middle\",\"occupancy\":" + std::to_string(t.occupancy) +
        ",\"entries\":" + std::to_string(t.entries) + ",\"exits\":" + std::to_string(t.exits) +
        "}],\"lines\":[{\"name\":\"across\",\"in\":" + std::to_string(t.across_in) + ",\"out\":" +
        std::to_string(t.across_out) + "},{\"name\":\"flat\",\"in\":" + std::to_string(t.flat_in) +
        ",\"out\":" + std::to_string(t.flat_out) + "}]}");
    ASSERT_EQ(row["zones"], expected["zones"]) << "frame " << row["frame"];
    ASSERT_EQ(row["lines"], expected["lines"]) << "frame " << row["frame"];
  }
  // People walk through this stretch of vtest: the recount above checked real counts.
  EXPECT_GT(t.entries, 0);
  EXPECT_GT(t.across_in + t.across_out, 0);
  EXPECT_GT(t.flat_in + t.flat_out, 0);

  // run.json: the stage's totals are those of the last row.
  const json report = json::parse(read_file(out / "run.json"));
  const json* stage = nullptr;
  for (const json& s : report["stages"]) {
    if (s["name"] == "count") stage = &s;
  }
  ASSERT_NE(stage, nullptr) << report["stages"];
  ASSERT_EQ((*stage)["counts"].size(), 1u);
  const json& totals = (*stage)["counts"][0];
  EXPECT_EQ(totals["stream"], 0);
  EXPECT_EQ(totals["zones"], counts.back()["zones"]);
  EXPECT_EQ(totals["lines"], counts.back()["lines"]);
  EXPECT_TRUE(report["outputs"].contains("counts.jsonl")) << report["outputs"];

  // The video has every frame, with the zone's label (black on yellow) at its first point.
  auto video = media::open_source((out / "counted.mp4").string(), {});
  ASSERT_TRUE(video.ok()) << video.error().message();
  int64_t decoded = 0;
  for (;;) {
    auto next = (*video)->next();
    ASSERT_TRUE(next.ok()) << next.error().message();
    if (!next.value()) break;
    const cv::Mat label = next.value()->image(cv::Rect(121, 110, 60, 8));
    int yellow = 0;
    for (int y = 0; y < label.rows; ++y) {
      for (int x = 0; x < label.cols; ++x) {
        const cv::Vec3b p = label.at<cv::Vec3b>(y, x);  // BGR
        yellow += p[0] < 110 && p[1] > 150 && p[2] > 150;
      }
    }
    EXPECT_GT(yellow, label.total() / 3) << "frame " << decoded;
    ++decoded;
  }
  EXPECT_EQ(decoded, 60);
}

}  // namespace
}  // namespace fp::test
