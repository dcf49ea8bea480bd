// The fuse node (issue 14): boxes that branches found for the same object become one, per class
// name, by the merge rule it is given; hand-computed cases and its config errors.
#include "pipeline/fuse_stage.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "infer/model_registry.hpp"
#include "pipeline/stage_registry.hpp"

namespace fp::pipeline {
namespace {

Detection object(int64_t id, const std::string& label, Box box, float score, int64_t parent = 0) {
  Detection d;
  d.id = id;
  d.label = label;
  d.box = box;
  d.score = score;
  d.parent = parent;
  return d;  // class_id 0 for all: two models may number their classes alike
}

class FuseStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = infer::ModelRegistry::load_default();
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    registry_ = std::make_unique<infer::ModelRegistry>(std::move(loaded).value());
    pool_ = std::make_unique<infer::ModelPool>(
        *registry_, infer::PoolOptions{.cores = 1, .instances = 1, .threads = 1});
  }
  // The fuse stage for `yaml`, after a detector unless `detector` is false.
  Result<std::unique_ptr<Stage>> fuse(const std::string& yaml, bool detector = true) {
    const YAML::Node node = YAML::Load(yaml);
    FP_ASSIGN_OR_RETURN(YamlMap map, YamlMap::from(node, "p.yaml", "stage 'fuse'"));
    StageContext context{map, *registry_, *pool_, {}, "fused"};
    context.detector = detector ? &registry_->models().front() : nullptr;
    return create_stage("fuse", context);
  }
  std::unique_ptr<infer::ModelRegistry> registry_;
  std::unique_ptr<infer::ModelPool> pool_;
};

TEST_F(FuseStageTest, MergesTheSameObjectFromTwoBranchesPerClassName) {
  auto stage = fuse("{match: ios, threshold: 0.5}");
  ASSERT_TRUE(stage.ok()) << stage.error().message();
  FrameResult item;
  // The global branch's whole person (1), a tile's box of its upper half (3, IoS 1, IoU 0.5);
  // a face inside (2) and a person elsewhere (4) stay.
  item.detections = {
      object(1, "person", {0, 0, 100, 200}, 0.9f), object(2, "face", {30, 10, 70, 50}, 0.8f, 1),
      object(3, "person", {0, 0, 100, 100}, 0.95f), object(4, "person", {300, 0, 400, 200}, 0.7f)};
  ASSERT_TRUE((*stage)->process(item).ok());
  ASSERT_EQ(item.detections.size(), 3u);
  std::map<int64_t, Detection> by_id;
  for (const Detection& d : item.detections) by_id[d.id] = d;
  EXPECT_EQ(by_id.count(1), 0u);  // merged into 3, the better score (NMS keeps 3's box)
  EXPECT_EQ(by_id.at(3).box.y2, 100);
  EXPECT_EQ(by_id.at(4).box.x1, 300);
  EXPECT_EQ(by_id.at(2).parent, 0);  // its parent was merged away
  EXPECT_EQ((*stage)->report()["merged"], 1);
  ASSERT_EQ(item.timings.size(), 1u);
  EXPECT_EQ(item.timings[0].first, "fused.merge");
}

TEST_F(FuseStageTest, NmmEnclosesTheGroupAndClassesLimitWhatIsMerged) {
  auto stage = fuse("{merge: nmm, match: iou, threshold: 0.3, classes: [person]}");
  ASSERT_TRUE(stage.ok()) << stage.error().message();
  FrameResult item;
  item.detections = {object(1, "person", {0, 0, 100, 100}, 0.9f),
                     object(2, "person", {20, 0, 120, 100}, 0.6f),  // IoU 80/120 = 0.67
                     object(3, "car", {0, 0, 100, 100}, 0.9f),
                     object(4, "car", {0, 0, 100, 100}, 0.8f)};  // not listed: both stay
  ASSERT_TRUE((*stage)->process(item).ok());
  ASSERT_EQ(item.detections.size(), 3u);
  int cars = 0;
  for (const Detection& d : item.detections) {
    if (d.label == "car") ++cars;
    if (d.label != "person") continue;
    EXPECT_EQ(d.id, 1);
    EXPECT_FLOAT_EQ(d.box.x2, 120);  // grown to enclose 2
    EXPECT_FLOAT_EQ(d.score, 0.9f);
  }
  EXPECT_EQ(cars, 2);
}

TEST_F(FuseStageTest, BadSettingsAreErrorsWithFileLineColumn) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{merge: average}", "p.yaml:1:9: 'merge' in stage 'fuse' must be one of nms, nmm"},
      {"{match: area}", "'match' in stage 'fuse' must be one of iou, ios"},
      {"{threshold: 1.5}", "'threshold' must be between 0 and 1"},
      {"{classes: []}", "'classes' is an empty list"},
      {"{iou: 0.5}", "unknown key 'iou'"}};
  for (const auto& [yaml, message] : cases) {
    auto stage = fuse(yaml);
    ASSERT_FALSE(stage.ok()) << yaml;
    EXPECT_NE(stage.error().message().find(message), std::string::npos)
        << yaml << ": " << stage.error().message();
  }
  auto alone = fuse("{}", false);
  ASSERT_FALSE(alone.ok());
  EXPECT_NE(alone.error().message().find("put one or more detect nodes"), std::string::npos)
      << alone.error().message();
  // After a faces node the objects' crops are indexed by position: refused, not scrambled.
  auto stage = fuse("{}");
  ASSERT_TRUE(stage.ok());
  FrameResult item;
  item.detections = {object(1, "face", {0, 0, 10, 10}, 0.9f)};
  item.aligned_faces.resize(1);
  EXPECT_FALSE((*stage)->process(item).ok());
}

}  // namespace
}  // namespace fp::pipeline
