// Detector accuracy against the reference results in ../shared/models/MODELS.md.
#include "pipeline/detect_stage.hpp"

#include <gtest/gtest.h>

#include <map>
#include <opencv2/imgcodecs.hpp>

#include "detect_stage_suite.hpp"
#include "pipeline/stage_registry.hpp"
#include "test_support.hpp"

namespace fp::pipeline {
namespace {

class DetectStageTest : public test::DetectStageSuite {
 protected:
  // Detections per class name on one of the shared sample images.
  static std::map<std::string, int> count_classes(Stage& stage, const std::string& image) {
    std::map<std::string, int> counts;
    for (const Detection& d : detect(stage, image)) ++counts[d.label];
    return counts;
  }
};

TEST_F(DetectStageTest, YoloxNanoMatchesModelsMdReferenceCounts) {
  auto stage = make_stage("{model: yolox_nano_416, conf: 0.3, nms: 0.45}");
  ASSERT_NE(stage, nullptr);
  using Counts = std::map<std::string, int>;
  EXPECT_EQ(count_classes(*stage, "coco_000000001000.jpg")["person"], 12);
  EXPECT_EQ(count_classes(*stage, "messi5.jpg"), (Counts{{"person", 6}, {"sports ball", 2}}));
  EXPECT_EQ(count_classes(*stage, "two_people.jpg")["person"], 2);
  EXPECT_EQ(count_classes(*stage, "obama_and_biden.jpg")["person"], 3);
  EXPECT_EQ(count_classes(*stage, "coco_000000000872.jpg"),
            (Counts{{"person", 2}, {"baseball glove", 1}, {"sports ball", 1}}));
}

TEST_F(DetectStageTest, YoloxScoresAndBoxesAreInSourcePixels) {
  auto stage = make_stage("{model: yolox_nano_416, classes: [person]}");
  FrameResult item;
  item.frame.image = cv::imread(test::media_path("images/two_people.jpg").string());
  ASSERT_TRUE(stage->process(item).ok());
  ASSERT_EQ(item.detections.size(), 2u);
  for (const Detection& d : item.detections) {
    EXPECT_NEAR(d.score, 0.955, 0.02);  // MODELS.md: 0.96 / 0.95
    EXPECT_GE(d.box.x1, 0);
    EXPECT_LE(d.box.x2, item.frame.image.cols);
    EXPECT_GT(d.box.height(), item.frame.image.rows / 3);  // two people filling the photo
  }
  EXPECT_EQ(item.timings.size(), 4u);  // preprocess, queue_wait, inference, postprocess
}

TEST_F(DetectStageTest, ClassFilterKeepsOnlyNamedClasses) {
  auto stage = make_stage("{model: yolox_nano_416, classes: [sports ball]}");
  EXPECT_EQ(count_classes(*stage, "messi5.jpg"), (std::map<std::string, int>{{"sports ball", 2}}));
}

TEST_F(DetectStageTest, NanodetMatchesModelsMdPersonCounts) {
  auto small = make_stage("{model: nanodet_m_320}");
  auto large = make_stage("{model: nanodet_m_416}");
  ASSERT_NE(small, nullptr);
  ASSERT_NE(large, nullptr);
  EXPECT_EQ(count_classes(*small, "coco_000000001000.jpg")["person"], 15);
  EXPECT_EQ(count_classes(*large, "coco_000000001000.jpg")["person"], 13);
  EXPECT_EQ(count_classes(*small, "messi5.jpg")["person"], 4);
  EXPECT_EQ(count_classes(*large, "messi5.jpg")["person"], 5);
  EXPECT_EQ(count_classes(*small, "two_people.jpg")["person"], 2);
  EXPECT_EQ(count_classes(*large, "two_people.jpg")["person"], 2);
}

TEST_F(DetectStageTest, BadStageConfigsFailWithLocation) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{model: yolox_nano_416, colour: red}", "unknown key 'colour'"},
      {"{conf: 0.3}", "needs 'model'"},
      {"{model: no_such_model}", "no_such_model"},
      {"{model: yolox_nano_416, conf: high}", "must be a number"},
      {"{model: yolox_nano_416, conf: 1.5}", "'conf' must be in (0, 1)"},
      {"{model: yolox_nano_416, classes: [persn]}", "class 'persn'"},
      {"{model: yolox_nano_416, input_size: [400, 416]}", "multiple of 32"},
      {"{model: yolox_nano_416, backend: tensorrt}",
       "'backend' in stage 'detect' must be one of onnxruntime, opencv (got 'tensorrt')"},
      {"{model: yolox_nano_416, device: tpu}", "must be one of cpu, cuda (got 'tpu')"},
      {"{model: yolox_nano_416, input_size: [320, 320]}",
       "runs only at 416x416 on onnxruntime (its ONNX input 'images' fixes the size), not 320x320"},
      {"{model: coco80_classes}", "not a detector"},
      {"{model: yolox_nano_416, max_batch: 0}", "'max_batch' must be from 1 to 64"},
      {"{model: yolox_nano_416, max_batch: many}", "must be"},
      {"{model: yolox_nano_416, max_delay_us: -5}", "'max_delay_us' must be from 0"},
  };
  for (const auto& [yaml, expected] : cases) {
    auto stage = try_stage(yaml);
    ASSERT_FALSE(stage.ok()) << yaml;
    EXPECT_NE(stage.error().message().find(expected), std::string::npos)
        << yaml << " -> " << stage.error().message();
    EXPECT_NE(stage.error().message().find("test.yaml:1:"), std::string::npos)
        << stage.error().message();
  }
}

// Issue 10: `conf: .nan` passed every range check and turned the threshold off, and `classes: []`
// silently meant every class.
TEST_F(DetectStageTest, NonFiniteThresholdsAndEmptyClassListAreRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{model: yolox_nano_416, conf: .nan}",
       "test.yaml:1:31: 'conf' in stage 'detect' must be a finite number (got '.nan')"},
      {"{model: yolox_nano_416, nms: -.Inf}",
       "test.yaml:1:30: 'nms' in stage 'detect' must be a finite number (got '-.Inf')"},
      {"{model: yolox_nano_416, classes: []}",
       "test.yaml:1:34: 'classes' is an empty list: name the classes to keep (e.g. [person]), or "
       "remove the key to keep all classes"},
  };
  for (const auto& [yaml, expected] : cases) {
    auto stage = try_stage(yaml);
    ASSERT_FALSE(stage.ok()) << yaml;
    EXPECT_NE(stage.error().message().find(expected), std::string::npos)
        << yaml << " -> " << stage.error().message();
  }
}

// This build's ONNX Runtime has no CUDA execution provider (the CPU package).
TEST_F(DetectStageTest, UnavailableDeviceIsAnErrorUnlessTheStageFallsBackToCpu) {
  auto cuda = try_stage("{model: yolox_nano_416, device: cuda}");
  ASSERT_FALSE(cuda.ok());
  EXPECT_NE(cuda.error().message().find("backend 'onnxruntime' cannot use device 'cuda' here "
                                        "(devices: cpu): this ONNX Runtime has no CUDA "
                                        "execution provider"),
            std::string::npos)
      << cuda.error().message();
  auto stage = make_stage("{model: yolox_nano_416, device: cuda, fallback: cpu}");
  ASSERT_NE(stage, nullptr);
  EXPECT_EQ(stage->report()["backend"], "onnxruntime");
}

TEST_F(DetectStageTest, SmallerInputSizeStillFindsBothPeople) {
  // OpenCV resizes the network; ONNX Runtime runs this ONNX only at the 416x416 it fixes.
  auto stage = make_stage(
      "{model: yolox_nano_416, backend: opencv, input_size: [320, 320], classes: [person]}");
  ASSERT_NE(stage, nullptr);
  EXPECT_EQ(count_classes(*stage, "two_people.jpg")["person"], 2);
}

}  // namespace
}  // namespace fp::pipeline
