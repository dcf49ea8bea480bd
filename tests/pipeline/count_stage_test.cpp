// The `count` stage: its streams counted apart, tracks the tracker ended forgotten, and its bad
// configurations, each an Error at file:line:column.
#include "pipeline/count_stage.hpp"

#include <gtest/gtest.h>

#include "pipeline/stage_registry.hpp"
#include "test_support.hpp"

namespace fp::pipeline {
namespace {

// Builds count stages from YAML text as the runner does, after a tracker unless told otherwise.
class CountStageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = infer::ModelRegistry::load_default();
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    registry_ = new infer::ModelRegistry(std::move(loaded).value());
    pool_ = new infer::ModelPool(*registry_, {.cores = 1, .instances = 1});
  }
  static void TearDownTestSuite() {
    delete pool_;
    delete registry_;
  }

  // The stage the mapping under `count:` in `yaml` makes ("p.yaml" in messages).
  static Result<std::unique_ptr<Stage>> try_stage(const std::string& yaml, bool tracked = true) {
    FP_ASSIGN_OR_RETURN(const YAML::Node root, load_yaml_text(yaml, "p.yaml"));
    FP_ASSIGN_OR_RETURN(const YamlMap top, YamlMap::from(root, "p.yaml", "the file"));
    FP_ASSIGN_OR_RETURN(const YamlMap map, top.map("count", "stage 'count'"));
    StageContext context{map, *registry_, *pool_, {}, "count"};
    context.tracked = tracked;
    return create_stage("count", context);
  }

  static infer::ModelRegistry* registry_;
  static infer::ModelPool* pool_;
};

infer::ModelRegistry* CountStageTest::registry_ = nullptr;
infer::ModelPool* CountStageTest::pool_ = nullptr;

// A frame of `stream` with one person of track `track` standing at (x, y) (box bottom middle).
FrameResult frame_with(int stream, int64_t index, int64_t track, float x, float y) {
  FrameResult item;
  item.frame.stream = stream;
  item.frame.index = index;
  item.detections.push_back(Detection{Box{x - 10, y - 40, x + 10, y}, 0, 0.9f, "person"});
  item.detections.back().track_id = track;
  item.tracked = true;
  return item;
}

const char* kGate =
    "count:\n  lines:\n    - name: gate\n      points: [[0, 100], [200, 100]]\n"
    "  zones:\n    - name: top\n      polygon: [[0, 0], [200, 0], [200, 100], [0, 100]]\n";

TEST_F(CountStageTest, StreamsAreCountedApartEvenWithTheSameTrackIds) {
  auto stage = try_stage(kGate);
  ASSERT_TRUE(stage.ok()) << stage.error().message();
  EXPECT_TRUE((*stage)->in_order());
  EXPECT_TRUE((*stage)->gives_counts());
  // Track 1 of stream 0 walks down across the gate; track 1 of stream 1 stays above it.
  const std::vector<std::pair<float, float>> ys = {{50, 60}, {150, 70}, {160, 80}};
  for (size_t i = 0; i < ys.size(); ++i) {
    for (int stream : {0, 1}) {
      FrameResult item = frame_with(stream, static_cast<int64_t>(i), 1, 100,
                                    stream == 0 ? ys[i].first : ys[i].second);
      ASSERT_TRUE((*stage)->process(item).ok());
      ASSERT_EQ(item.counts.lines.size(), 1u);
      ASSERT_EQ(item.counts.zones.size(), 1u);
      EXPECT_EQ(item.counts.lines[0].in, stream == 0 && i > 0 ? 1 : 0) << stream << " " << i;
      EXPECT_EQ(item.counts.zones[0].occupancy, stream == 0 && i > 0 ? 0 : 1);
      EXPECT_EQ(item.counts.zones[0].exits, stream == 0 && i > 0 ? 1 : 0);
    }
  }
  const nlohmann::json report = nlohmann::json::parse((*stage)->report().dump());
  EXPECT_EQ(report["anchor"], "bottom_center");
  EXPECT_EQ(report["counts"],
            nlohmann::json::parse(
                R"([{"stream":0,"zones":[{"name":"top","occupancy":0,"entries":0,"exits":1}],)"
                R"("lines":[{"name":"gate","in":1,"out":0}]},)"
                R"({"stream":1,"zones":[{"name":"top","occupancy":1,"entries":0,"exits":0}],)"
                R"("lines":[{"name":"gate","in":0,"out":0}]}])"));
}

TEST_F(CountStageTest, TracksTheTrackerEndedAreForgotten) {
  auto stage = try_stage(kGate);
  ASSERT_TRUE(stage.ok()) << stage.error().message();
  FrameResult above = frame_with(0, 0, 7, 100, 50);
  ASSERT_TRUE((*stage)->process(above).ok());
  FrameResult ended;  // the tracker ends track 7 on a frame without it
  ended.frame.index = 1;
  ended.ended_tracks = {7};
  ASSERT_TRUE((*stage)->process(ended).ok());
  // Were track 7 still remembered above the gate, this would be a crossing.
  FrameResult below = frame_with(0, 2, 7, 100, 150);
  ASSERT_TRUE((*stage)->process(below).ok());
  EXPECT_EQ(below.counts.lines[0].in, 0);
  EXPECT_EQ(below.counts.zones[0].exits, 0);
}

TEST_F(CountStageTest, BadSettingsNameFileLineColumn) {
  const std::string line = "  lines:\n    - name: gate\n      points: [[0, 100], [200, 100]]\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"count: {anchor: center}\n", "p.yaml:1:1: stage 'count' has nothing to count: give it"},
      {"count: {zones: [], lines: []}\n", "has nothing to count"},
      {"count:\n  zones:\n    - name: door\n      polygon: [[0, 0], [10, 0]]\n",
       "p.yaml:4:16: zone 'door' needs a 'polygon' of at least 3 points"},
      {"count:\n  zones:\n    - name: door\n", "p.yaml:3:7: zone 'door' needs a 'polygon'"},
      {"count:\n  zones:\n    - name: door\n      polygon: [[0, 0], [10, a], [0, 10]]\n",
       "p.yaml:4:25: items of 'polygon' in zone must each be a point [x, y] of two numbers"},
      {"count:\n  zones:\n    - polygon: [[0, 0], [10, 0], [0, 10]]\n",
       "p.yaml:3:7: zone needs 'name'"},
      {"count:\n  zones:\n    - {name: door, polygon: [[0, 0], [10, 0], [0, 10]]}\n" + line +
           "    - name: door\n      points: [[0, 0], [5, 5]]\n",
       "p.yaml:7:13: the name 'door' is taken by another zone or line of this stage"},
      {"count:\n" + line + "      direction: in\n",
       "p.yaml:5:7: unknown key 'direction' in line (allowed: name, points, in)"},
      {"count:\n" + line + "      in: down\n",
       "p.yaml:5:11: 'in' in line must be one of left_to_right, right_to_left (got 'down')"},
      {"count:\n  lines:\n    - name: gate\n      points: [[5, 5], [5, 5]]\n",
       "p.yaml:4:15: line 'gate' needs 'points': its two different ends"},
      {"count:\n  lines:\n    - name: gate\n      points: [[0, 0], [5, 5], [9, 9]]\n",
       "line 'gate' needs 'points'"},
      {"count:\n  lines: {name: gate}\n",
       "p.yaml:2:10: 'lines' must be a list of lines, each a mapping with a 'name'"},
      {"count:\n  zones: [door]\n", "p.yaml:2:11: zone must be a mapping"},
      {"count:\n" + line + "  anchor: feet\n",
       "p.yaml:5:11: 'anchor' in stage 'count' must be one of bottom_center, center"},
      {"count:\n" + line + "  classes: []\n", "p.yaml:5:12: 'classes' is an empty list"},
      {"count:\n" + line + "  zone: []\n", "p.yaml:5:3: unknown key 'zone' in stage 'count'"},
  };
  for (const auto& [yaml, expected] : cases) {
    auto stage = try_stage(yaml);
    ASSERT_FALSE(stage.ok()) << yaml;
    EXPECT_EQ(stage.error().code(), ErrorCode::kInvalidConfig) << yaml;
    EXPECT_NE(stage.error().message().find(expected), std::string::npos)
        << yaml << stage.error().message();
  }
  auto untracked = try_stage("count:\n" + line, false);
  ASSERT_FALSE(untracked.ok());
  EXPECT_NE(untracked.error().message().find(
                "p.yaml:1:1: stage 'count' counts tracks, but no track stage comes before it"),
            std::string::npos)
      << untracked.error().message();
}

TEST(CountStage, PipelinesWithoutATrackerCannotCountOrWriteCounts) {
  const std::string detect = "stages:\n  - detect: {model: yolox_nano_416}\n";
  test::expect_config_errors({
      {detect + "  - count:\n      lines: [{name: a, points: [[0, 0], [9, 9]]}]\n",
       "p.yaml:5:7: stage 'count' counts tracks, but no track stage comes before it"},
      {detect + "  - track: {}\noutputs: [detections, counts]\n",
       "output 'counts' needs a 'count' stage"},
  });
}

}  // namespace
}  // namespace fp::pipeline
