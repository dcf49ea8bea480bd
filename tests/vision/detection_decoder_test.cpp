#include "vision/detection_decoder.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace fp::vision {
namespace {

// A YOLOX output for a 64x64 input (8x8 + 4x4 + 2x2 cells), all zero but one row.
cv::Mat yolox_output(int row, std::vector<float> values, int classes = 3) {
  const int rows = 64 + 16 + 4;
  const int shape[] = {1, rows, 5 + classes};
  cv::Mat out(3, shape, CV_32F, cv::Scalar(0));
  float* p = out.ptr<float>() + row * (5 + classes);
  for (size_t i = 0; i < values.size(); ++i) p[i] = values[i];
  return out;
}

TEST(YoloxDecoder, DecodesGridCellStrideAndExpSize) {
  auto decoder = make_detection_decoder("yolox");
  ASSERT_TRUE(decoder.ok());
  // Row 64 + 5 is stride 16, cell (x=1, y=1).
  const cv::Mat out = yolox_output(69, {0.5f, 0.25f, std::log(2.0f), 0, 0.9f, 0.1f, 0.8f, 0.2f});
  auto dets = (*decoder)->decode({out}, cv::Size(64, 64), 0.3f);
  ASSERT_TRUE(dets.ok()) << dets.error().message();
  ASSERT_EQ(dets->size(), 1u);
  const Detection& d = dets->front();
  EXPECT_EQ(d.class_id, 1);
  EXPECT_NEAR(d.score, 0.72f, 1e-6);
  // cx = (0.5 + 1) * 16 = 24, cy = 20, w = 32, h = 16
  EXPECT_NEAR(d.box.x1, 8, 1e-4);
  EXPECT_NEAR(d.box.x2, 40, 1e-4);
  EXPECT_NEAR(d.box.y1, 12, 1e-4);
  EXPECT_NEAR(d.box.y2, 28, 1e-4);
}

TEST(YoloxDecoder, ScoreBelowConfIsDropped) {
  auto decoder = make_detection_decoder("yolox");
  const cv::Mat out = yolox_output(0, {0, 0, 0, 0, 0.5f, 0.5f, 0, 0});  // 0.25 < 0.3
  auto dets = (*decoder)->decode({out}, cv::Size(64, 64), 0.3f);
  ASSERT_TRUE(dets.ok());
  EXPECT_TRUE(dets->empty());
}

TEST(YoloxDecoder, WrongShapeIsAnError) {
  auto decoder = make_detection_decoder("yolox");
  auto dets = (*decoder)->decode({yolox_output(0, {})}, cv::Size(96, 96), 0.3f);
  ASSERT_FALSE(dets.ok());
  EXPECT_NE(dets.error().message().find("expected"), std::string::npos);
}

TEST(NanodetDecoder, DecodesDistributionExpectation) {
  auto decoder = make_detection_decoder("nanodet");
  ASSERT_TRUE(decoder.ok());
  ASSERT_EQ((*decoder)->output_names().size(), 6u);
  const cv::Size input(32, 32);  // 4x4, 2x2, 1x1 cells
  std::vector<cv::Mat> outputs;
  for (int cells : {16, 4, 1}) {
    const int shape[] = {1, cells, 2};
    outputs.emplace_back(3, shape, CV_32F, cv::Scalar(0));
  }
  for (int cells : {16, 4, 1}) {
    const int shape[] = {1, cells, 32};
    outputs.emplace_back(3, shape, CV_32F, cv::Scalar(0));  // uniform bins: expectation 3.5
  }
  outputs[1].ptr<float>()[3 * 2 + 1] = 0.9f;  // stride 16, cell 3 = (x=1, y=1), class 1
  // Make the left side a sharp distribution on bin 2.
  float* dist = outputs[4].ptr<float>() + 3 * 32;
  dist[2] = 50;
  auto dets = (*decoder)->decode(outputs, input, 0.35f);
  ASSERT_TRUE(dets.ok()) << dets.error().message();
  ASSERT_EQ(dets->size(), 1u);
  const Detection& d = dets->front();
  EXPECT_EQ(d.class_id, 1);
  const float c = 16 + 7.5f;  // x * s + 0.5 * (s - 1)
  EXPECT_NEAR(d.box.x1, c - 2 * 16, 1e-3);
  EXPECT_NEAR(d.box.y1, c - 3.5f * 16, 1e-3);
  EXPECT_NEAR(d.box.x2, c + 3.5f * 16, 1e-3);
}

TEST(DetectionDecoder, UnknownNameListsKnownOnes) {
  auto decoder = make_detection_decoder("yolov9");
  ASSERT_FALSE(decoder.ok());
  EXPECT_NE(decoder.error().message().find("yolox"), std::string::npos);
}

}  // namespace
}  // namespace fp::vision
