#include "vision/blob.hpp"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

namespace fp::vision {
namespace {

// A 2x3 BGR picture whose pixel (y, x) is (b, g, r) = (10y + x, 100 + x, 200 + y).
cv::Mat picture() {
  cv::Mat image(2, 3, CV_8UC3);
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 3; ++x) image.at<cv::Vec3b>(y, x) = cv::Vec3b(10 * y + x, 100 + x, 200 + y);
  }
  return image;
}

float at(const cv::Mat& blob, int c, int y, int x) { return blob.ptr<float>(0, c)[y * 3 + x]; }

TEST(Blob, PlanesInChannelOrderWithoutNormalization) {
  const cv::Mat blob = make_blob(picture(), {});
  ASSERT_EQ(blob.dims, 4);
  EXPECT_EQ(blob.size[0], 1);
  EXPECT_EQ(blob.size[1], 3);
  EXPECT_EQ(blob.size[2], 2);
  EXPECT_EQ(blob.size[3], 3);
  EXPECT_EQ(blob.type(), CV_32F);
  EXPECT_EQ(at(blob, 0, 1, 2), 12.0f);   // blue of (1, 2)
  EXPECT_EQ(at(blob, 1, 1, 2), 102.0f);  // green
  EXPECT_EQ(at(blob, 2, 1, 2), 201.0f);  // red
}

TEST(Blob, SwapsRedAndBlueThenSubtractsTheMeanAndDividesByTheStd) {
  Normalization norm;
  norm.swap_rb = true;
  norm.mean = {127.5, 100.0, 10.0};  // per tensor channel: R, G, B after the swap
  norm.std = {128.0, 2.0, 0.5};
  const cv::Mat blob = make_blob(picture(), norm);
  EXPECT_FLOAT_EQ(at(blob, 0, 0, 1), (200 - 127.5f) / 128);  // red of (0, 1)
  EXPECT_FLOAT_EQ(at(blob, 1, 0, 1), (101 - 100.0f) / 2);
  EXPECT_FLOAT_EQ(at(blob, 2, 1, 0), (10 - 10.0f) / 0.5f);  // blue of (1, 0)
  EXPECT_FLOAT_EQ(at(blob, 2, 1, 2), (12 - 10.0f) / 0.5f);
}

TEST(Blob, AGreyPictureIsOnePlaneWithTheFirstMeanAndStd) {
  cv::Mat grey(2, 3, CV_8UC1);
  for (int i = 0; i < 6; ++i) grey.data[i] = static_cast<uchar>(40 * i);
  Normalization norm;
  norm.swap_rb = true;  // nothing to swap in one channel
  norm.mean = {100, 0, 0};
  norm.std = {50, 1, 1};
  const cv::Mat blob = make_blob(grey, norm);
  ASSERT_EQ(blob.size[1], 1);
  EXPECT_FLOAT_EQ(at(blob, 0, 0, 0), -2.0f);
  EXPECT_FLOAT_EQ(at(blob, 0, 1, 2), (200 - 100.0f) / 50);
}

}  // namespace
}  // namespace fp::vision
