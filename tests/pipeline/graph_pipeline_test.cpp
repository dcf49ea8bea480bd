// Pipelines written as graphs (`nodes:`), run end to end on the shared video.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "test_support.hpp"

namespace fp::pipeline {
namespace {

namespace fs = std::filesystem;
using test::read_jsonl;
using test::TempDir;

std::string vtest() { return test::media_path("video/vtest_480x360.avi").string(); }

// Runs the pipeline text over the first 5 s of vtest (50 frames); returns the output folder.
fs::path run_yaml(const TempDir& dir, const std::string& name, const std::string& yaml) {
  test::write_file(dir / (name + ".yaml"), yaml);
  const fs::path out = dir / name;
  const auto r = test::run_framepipe({"run", (dir / (name + ".yaml")).string(), vtest(), "--out",
                                      out.string(), "--end", "5", "--cpus", "2", "--no-progress"});
  EXPECT_EQ(r.exit_code, 0) << yaml << r.output;
  return out;
}

nlohmann::json run_json(const fs::path& out) {
  return nlohmann::json::parse(test::read_file(out / "run.json"));
}

// How many times run.json's stage timings counted `stage` (warm-up and steady state).
int timing_count(const nlohmann::json& report, const std::string& stage) {
  for (const auto& s : report["stage_timings"]) {
    if (s["stage"] == stage)
      return s["steady"]["count"].get<int>() + s["warmup"]["count"].get<int>();
  }
  return 0;
}

const std::string kYolox = "      model: yolox_nano_416\n      classes: [person]\n";
const std::string kNanodet = "      model: nanodet_m_320\n      classes: [person]\n";

std::string two_detectors(const std::string& policy) {
  return "name: g\nnodes:\n  - name: yolox\n    detect:\n" + kYolox +
         "  - name: nanodet\n    input: frames\n    every: 3\n    detect:\n" + kNanodet +
         "  - name: both\n    join: " + policy + "\n    inputs: [yolox, nanodet]\n";
}

// run.json's "fusion" entry of the join `both`, checked for its policy and percentile order.
nlohmann::json fusion_of_both(const nlohmann::json& report, const std::string& policy) {
  EXPECT_EQ(report["fusion"].size(), 1u);
  const nlohmann::json& fusion = report["fusion"][0];
  EXPECT_EQ(fusion["join"], "both");
  EXPECT_EQ(fusion["policy"], policy);
  EXPECT_EQ(fusion["inputs"], nlohmann::json({"yolox", "nanodet"}));
  for (const auto& [key, summary] : fusion.items()) {
    if (!summary.is_object()) continue;
    EXPECT_LE(summary["p50_ms"].get<double>(), summary["p90_ms"].get<double>()) << key;
    EXPECT_LE(summary["p90_ms"].get<double>(), summary["p99_ms"].get<double>()) << key;
    EXPECT_LE(summary["p99_ms"].get<double>(), summary["max_ms"].get<double>()) << key;
  }
  // Frames' end-to-end latency over steady state: the run's "latency" timing.
  const int steady_frames = 50 - report["warmup_frames"].get<int>();
  EXPECT_EQ(fusion["latency"]["count"], steady_frames);
  return fusion;
}

// Boxes of a row's detections, in order.
std::vector<nlohmann::json> boxes(const nlohmann::json& row) {
  std::vector<nlohmann::json> out;
  for (const auto& d : row["detections"]) out.push_back(d["box"]);
  return out;
}

TEST(GraphPipeline, TrackingWrittenAsNodesGivesTheSameOutputsAsTheStagesChain) {
  TempDir dir;
  const std::string tracker = "      tracker: bytetrack\n";
  const fs::path chain =
      run_yaml(dir, "chain", "name: t\nstages:\n  - detect:\n" + kYolox + "  - track:\n" + tracker);
  const fs::path graph =
      run_yaml(dir, "graph",
               "name: t\nnodes:\n  - name: people\n    input: frames\n    detect:\n" + kYolox +
                   "  - name: tracks\n    input: people\n    track:\n" + tracker);
  for (const char* file : {"detections.jsonl", "tracks.jsonl", "tracks.txt"}) {
    EXPECT_EQ(test::read_file(chain / file), test::read_file(graph / file)) << file;
  }
  EXPECT_EQ(read_jsonl(chain / "detections.jsonl").size(), 50u);
}

TEST(GraphPipeline, StrictSyncJoinsEachFrameWithBothBranchesResults) {
  TempDir dir;
  const auto yolox = read_jsonl(run_yaml(dir, "yolox", "name: y\nstages:\n  - detect:\n" + kYolox) /
                                "detections.jsonl");
  const auto nanodet = read_jsonl(
      run_yaml(dir, "nanodet", "name: n\nstages:\n  - detect:\n" + kNanodet) / "detections.jsonl");
  const fs::path out = run_yaml(dir, "sync", two_detectors("strict_sync"));
  const auto rows = read_jsonl(out / "detections.jsonl");
  ASSERT_EQ(rows.size(), yolox.size());
  for (size_t f = 0; f < rows.size(); ++f) {
    std::vector<nlohmann::json> expected = boxes(yolox[f]);
    if (f % 3 == 0) {
      for (const auto& b : boxes(nanodet[f])) expected.push_back(b);
    }
    EXPECT_EQ(boxes(rows[f]), expected) << "frame " << f;
    EXPECT_EQ(rows[f]["frame"], yolox[f]["frame"]);
  }
  const auto report = run_json(out);
  EXPECT_EQ(report["stages"][1]["ran"], 17);
  EXPECT_EQ(report["stages"][1]["passed"], 33);
  EXPECT_EQ(report["stages"][2]["join"], "STRICT_SYNC");
  // Every steady frame waited for the join (zero when the branch skipped it), none lag.
  const auto fusion = fusion_of_both(report, "STRICT_SYNC");
  EXPECT_EQ(fusion["fusion_wait"]["count"], fusion["latency"]["count"]);
  EXPECT_FALSE(fusion.contains("overlay_lag"));
}

TEST(GraphPipeline, AsyncOverlayPublishesEveryFrameWithTheSlowBranchsAge) {
  TempDir dir;
  const fs::path out = run_yaml(dir, "overlay", two_detectors("async_overlay"));
  const auto rows = read_jsonl(out / "detections.jsonl");
  ASSERT_EQ(rows.size(), 50u);
  int overlaid = 0;
  for (size_t f = 0; f < rows.size(); ++f) {
    EXPECT_EQ(rows[f]["frame"], static_cast<int>(f));  // every frame once, in order
    if (!rows[f].contains("overlays")) continue;
    ++overlaid;
    const auto& overlay = rows[f]["overlays"][0];
    EXPECT_EQ(overlay["branch"], "nanodet");
    const int age = overlay["age_frames"].get<int>();
    ASSERT_GE(age, 0);
    ASSERT_LE(age, static_cast<int>(f));
    // The age in stream time is the pts distance to the frame the result was computed on.
    const double pts_gap = rows[f]["pts"].get<double>() - rows[f - age]["pts"].get<double>();
    EXPECT_NEAR(overlay["age_ms"].get<double>(), pts_gap * 1000.0, 10.0);
  }
  EXPECT_GT(overlaid, 0);
  const auto report = run_json(out);
  const auto& nanodet = report["stages"][1];
  EXPECT_GT(nanodet["ran"].get<int>(), 0);
  EXPECT_LE(nanodet["ran"].get<int>(), 17);  // every 3rd frame at most; busy: only the newest
  EXPECT_TRUE(nanodet.contains("dropped"));
  // A result laid over several frames has its timings counted once, not once per frame.
  EXPECT_GT(timing_count(report, "nanodet.inference"), 0);
  EXPECT_LE(timing_count(report, "nanodet.inference"), nanodet["ran"].get<int>());
  EXPECT_EQ(timing_count(report, "yolox.inference"), 50);
  // The lag is the overlays' age: one sample per overlaid frame, the largest one a row's age.
  EXPECT_EQ(timing_count(report, "both.lag"), overlaid);
  const auto fusion = fusion_of_both(report, "ASYNC_OVERLAY");
  const auto& lag = fusion["overlay_lag"];
  EXPECT_GT(lag["count"].get<int>(), 0);
  double largest_age = 0;
  for (const auto& row : rows) {
    if (row.contains("overlays"))
      largest_age = std::max(largest_age, row["overlays"][0]["age_ms"].get<double>());
  }
  EXPECT_LE(lag["max_ms"].get<double>(), largest_age + 0.01);
  EXPECT_GT(lag["max_ms"].get<double>(), 0);
}

TEST(GraphPipeline, RawStreamPublishesFramesAndEachBranchResultAsItsOwnRow) {
  TempDir dir;
  const fs::path out = run_yaml(dir, "raw", two_detectors("raw_stream_with_metadata"));
  const auto rows = read_jsonl(out / "detections.jsonl");
  int frames = 0, metadata = 0;
  for (const auto& row : rows) {
    if (row.contains("metadata_of")) {
      EXPECT_EQ(row["metadata_of"], "nanodet");
      EXPECT_EQ(row["frame"].get<int>() % 3, 0);
      ++metadata;
    } else {
      EXPECT_EQ(row["frame"], frames++);  // the frames themselves in order
    }
  }
  EXPECT_EQ(frames, 50);
  const auto report = run_json(out);
  EXPECT_EQ(metadata, report["stages"][1]["ran"].get<int>());
  // The branch's timings come with its own rows; decoding is counted once per frame.
  EXPECT_EQ(timing_count(report, "nanodet.inference"), metadata);
  EXPECT_EQ(timing_count(report, "decode"), 50);
  // Each branch result published alone has its own latency, decoded to handed over.
  EXPECT_EQ(timing_count(report, "both.metadata_latency"), metadata);
  const auto fusion = fusion_of_both(report, "RAW_STREAM_WITH_METADATA");
  EXPECT_GT(fusion["metadata_latency"]["count"].get<int>(), 0);
  // Each result's latency includes its inference, so every percentile does too.
  for (const auto& s : report["stage_timings"]) {
    if (s["stage"] != "nanodet.inference") continue;
    EXPECT_EQ(s["steady"]["count"], fusion["metadata_latency"]["count"]);
    EXPECT_GE(fusion["metadata_latency"]["p50_ms"].get<double>(), s["steady"]["p50_ms"]);
    EXPECT_GE(fusion["metadata_latency"]["p99_ms"].get<double>(), s["steady"]["p99_ms"]);
  }
}

TEST(GraphPipelineBadInput, BadGraphsAreConfigErrorsWithFileLineColumn) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"name: g\nnodes:\n  - {name: a, input: b, detect: {model: yolox_nano_416}}\n"
       "  - {name: b, input: a, detect: {model: yolox_nano_416}}\n",
       "g.yaml:3:5: node 'a': its inputs form a cycle: a -> b -> a"},
      {"name: g\nnodes:\n  - {name: a, input: camera, detect: {model: yolox_nano_416}}\n",
       "g.yaml:3:5: node 'a': input 'camera' is neither 'frames' nor a node"},
      {"name: g\nnodes:\n  - {name: d, detect: {model: yolox_nano_416}}\n"
       "  - {name: t1, input: d, track: {}}\n  - {name: t2, input: d, track: {}}\n"
       "  - {name: j, join: strict_sync, inputs: [t1, t2]}\n",
       "g.yaml:5:5: node 't2': it and node 't1' both follow each stream in order"},
      {"name: g\nnodes:\n  - {name: d, detect: {model: yolox_nano_416}}\n"
       "  - {name: j, join: strict_sync, inputs: [d]}\n",
       "g.yaml:4:5: node 'j': a join needs two inputs or more"},
      {"name: g\nstages:\n  - detect: {model: yolox_nano_416}\nnodes:\n  - {name: d}\n",
       "g.yaml:5:3: the pipeline needs 'stages' (a chain) or 'nodes' (a graph), one of them"},
  };
  for (const auto& [yaml, message] : cases) {
    test::write_file(dir / "g.yaml", yaml);
    const auto r = test::run_framepipe({"run", (dir / "g.yaml").string(), vtest(), "--out",
                                        (dir / "out").string(), "--no-progress"});
    EXPECT_EQ(r.exit_code, 2) << yaml << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << yaml << r.output;
    EXPECT_FALSE(fs::exists(dir / "out" / "detections.jsonl"));
  }
}

}  // namespace
}  // namespace fp::pipeline
