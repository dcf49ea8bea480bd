#include "vision/letterbox.hpp"

#include <gtest/gtest.h>

namespace fp::vision {
namespace {

TEST(Letterbox, TopLeftKeepsAspectAndPadsRightAndBottom) {
  cv::Mat image(360, 480, CV_8UC3, cv::Scalar(10, 20, 30));
  InputTransform t;
  cv::Mat out = fit_to_input(image, cv::Size(416, 416), ResizeMode::kLetterboxTopLeft, 114, &t);
  ASSERT_EQ(out.size(), cv::Size(416, 416));
  EXPECT_FLOAT_EQ(t.scale_x, 416.0f / 480.0f);
  EXPECT_EQ(t.pad_x, 0);
  EXPECT_EQ(t.pad_y, 0);
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(10, 20, 30));
  EXPECT_EQ(out.at<cv::Vec3b>(415, 0), cv::Vec3b(114, 114, 114));  // below the 312-row image
}

TEST(Letterbox, CenterPadsEvenlyAndMapsBoxesBack) {
  cv::Mat image(100, 200, CV_8UC3, cv::Scalar::all(255));
  InputTransform t;
  cv::Mat out = fit_to_input(image, cv::Size(320, 320), ResizeMode::kLetterboxCenter, 0, &t);
  EXPECT_FLOAT_EQ(t.scale_x, 1.6f);
  EXPECT_FLOAT_EQ(t.pad_y, 80);  // (320 - 160) / 2
  EXPECT_EQ(out.at<cv::Vec3b>(0, 160), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(out.at<cv::Vec3b>(160, 160), cv::Vec3b(255, 255, 255));
  const Box source = t.to_source(Box{16, 96, 176, 176});
  EXPECT_NEAR(source.x1, 10, 1e-4);
  EXPECT_NEAR(source.y1, 10, 1e-4);
  EXPECT_NEAR(source.x2, 110, 1e-4);
  EXPECT_NEAR(source.y2, 60, 1e-4);
}

TEST(Letterbox, StretchScalesEachAxis) {
  cv::Mat image(240, 640, CV_8UC3);
  InputTransform t;
  fit_to_input(image, cv::Size(320, 240), ResizeMode::kStretch, 0, &t);
  EXPECT_FLOAT_EQ(t.scale_x, 0.5f);
  EXPECT_FLOAT_EQ(t.scale_y, 1.0f);
}

TEST(Letterbox, ClipBoxKeepsInsideImage) {
  const Box b = clip_box(Box{-5, 10, 700, 500}, cv::Size(640, 480));
  EXPECT_EQ(b.x1, 0);
  EXPECT_EQ(b.x2, 640);
  EXPECT_EQ(b.y2, 480);
}

}  // namespace
}  // namespace fp::vision
