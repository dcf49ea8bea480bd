#include "vision/letterbox.hpp"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace fp::vision {
namespace {

TEST(Letterbox, TopLeftKeepsAspectAndPadsRightAndBottom) {
  cv::Mat image(360, 480, CV_8UC3, cv::Scalar(10, 20, 30));
  InputTransform t;
  cv::Mat out = fit_to_input(image, cv::Size(416, 416), ResizeMode::kLetterboxTopLeft,
                             Interpolation::kLinear, 114, &t);
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
  cv::Mat out = fit_to_input(image, cv::Size(320, 320), ResizeMode::kLetterboxCenter,
                             Interpolation::kLinear, 0, &t);
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
  fit_to_input(image, cv::Size(320, 240), ResizeMode::kStretch, Interpolation::kLinear, 0, &t);
  EXPECT_FLOAT_EQ(t.scale_x, 0.5f);
  EXPECT_FLOAT_EQ(t.scale_y, 1.0f);
}

// A 1-pixel checkerboard: every downscale filter sees strong detail, so filters differ.
cv::Mat checkerboard(cv::Size size) {
  cv::Mat board(size, CV_8UC3);
  for (int y = 0; y < size.height; ++y) {
    for (int x = 0; x < size.width; ++x) {
      board.at<cv::Vec3b>(y, x) = ((x + y) % 2) ? cv::Vec3b(255, 255, 255) : cv::Vec3b(0, 0, 0);
    }
  }
  return board;
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

TEST(Letterbox, InterpolationIsUsedForLetterboxAndStretch) {
  const cv::Mat board = checkerboard(cv::Size(300, 200));
  for (const ResizeMode mode :
       {ResizeMode::kLetterboxTopLeft, ResizeMode::kLetterboxCenter, ResizeMode::kStretch}) {
    InputTransform t;
    const cv::Mat area = fit_to_input(board, cv::Size(128, 128), mode, Interpolation::kArea, 0, &t);
    const cv::Mat linear =
        fit_to_input(board, cv::Size(128, 128), mode, Interpolation::kLinear, 0, &t);
    EXPECT_FALSE(same_pixels(area, linear)) << static_cast<int>(mode);

    // The resized part equals cv::resize with the matching OpenCV flag.
    const cv::Size scaled = mode == ResizeMode::kStretch
                                ? cv::Size(128, 128)
                                : cv::Size(static_cast<int>(board.cols * t.scale_x),
                                           static_cast<int>(board.rows * t.scale_y));
    const cv::Rect roi(static_cast<int>(t.pad_x), static_cast<int>(t.pad_y), scaled.width,
                       scaled.height);
    cv::Mat expected_area;
    cv::Mat expected_linear;
    cv::resize(board, expected_area, scaled, 0, 0, cv::INTER_AREA);
    cv::resize(board, expected_linear, scaled, 0, 0, cv::INTER_LINEAR);
    EXPECT_TRUE(same_pixels(area(roi), expected_area)) << static_cast<int>(mode);
    EXPECT_TRUE(same_pixels(linear(roi), expected_linear)) << static_cast<int>(mode);
  }
}

TEST(Letterbox, AreaAveragesACheckerboardToGrey) {
  // Halving a 1-pixel checkerboard: each output pixel averages two black and two white pixels.
  const cv::Mat board = checkerboard(cv::Size(256, 256));
  const cv::Mat area = fit_to_input(board, cv::Size(128, 128), ResizeMode::kLetterboxCenter,
                                    Interpolation::kArea, 0, nullptr);
  cv::Scalar mean;
  cv::Scalar stddev;
  cv::meanStdDev(area, mean, stddev);
  EXPECT_NEAR(mean[0], 127.5, 1);
  EXPECT_LT(stddev[0], 1);
}

TEST(Letterbox, ClipBoxKeepsInsideImage) {
  const Box b = clip_box(Box{-5, 10, 700, 500}, cv::Size(640, 480));
  EXPECT_EQ(b.x1, 0);
  EXPECT_EQ(b.x2, 640);
  EXPECT_EQ(b.y2, 480);
}

}  // namespace
}  // namespace fp::vision
