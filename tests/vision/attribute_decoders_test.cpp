// The crops attribute models see and the decoding of their outputs (vision/attribute_decoders).
#include "vision/attribute_decoders.hpp"

#include <gtest/gtest.h>

namespace fp::vision {
namespace {

TEST(AttributeDecoders, GenderAgeCountsTheAgePairsAndSoftmaxesTheGender) {
  cv::Mat output(1, 202, CV_32F, cv::Scalar(0));
  output.at<float>(0) = 0;
  output.at<float>(1) = std::log(3.0f);                          // male, 3:1
  for (int k = 0; k < 37; ++k) output.at<float>(3 + 2 * k) = 1;  // 37 pairs say "older"
  const std::vector<Attribute> attributes = decode_gender_age(output);
  ASSERT_EQ(attributes.size(), 2u);
  EXPECT_EQ(attributes[0].name, "age");
  EXPECT_EQ(std::get<double>(attributes[0].value), 37);
  const auto& gender = std::get<AttributeLabel>(attributes[1].value);
  EXPECT_EQ(gender.label, "male");
  EXPECT_NEAR(gender.score, 0.75, 1e-5);
  EXPECT_TRUE(decode_gender_age(cv::Mat(1, 10, CV_32F)).empty());  // not this model's output
}

TEST(AttributeDecoders, ClassesTakeProbabilitiesAsTheyAreAndSoftmaxLogits) {
  const std::vector<std::string> names{"sad", "happy", "neutral"};
  const cv::Mat probabilities = (cv::Mat_<float>(1, 3) << 0.2f, 0.7f, 0.1f);
  const auto best = std::get<AttributeLabel>(decode_classes(probabilities, names, "emotion").value);
  EXPECT_EQ(best.label, "happy");
  EXPECT_FLOAT_EQ(best.score, 0.7f);
  const cv::Mat logits = (cv::Mat_<float>(1, 3) << 0.0f, 0.0f, std::log(2.0f));
  const auto soft = std::get<AttributeLabel>(decode_classes(logits, names, "emotion").value);
  EXPECT_EQ(soft.label, "neutral");
  EXPECT_NEAR(soft.score, 0.5, 1e-5);
}

TEST(AttributeDecoders, LandmarksAreMappedFromTheCropToTheFrame) {
  const cv::Mat output = (cv::Mat_<float>(1, 4) << 0.0f, 0.0f, 0.5f, 1.0f);
  const auto points = std::get<std::vector<float>>(
      decode_landmarks(output, cv::Rect2f(10, 20, 100, 50), "landmarks").value);
  EXPECT_EQ(points, (std::vector<float>{10, 20, 60, 70}));
}

TEST(AttributeDecoders, CropsWidenAndPadAsAsked) {
  cv::Mat frame(100, 200, CV_8UC3, cv::Scalar(255, 255, 255));
  const Crop box = crop_box(frame, Box{50, 40, 70, 60}, 10, 30);
  EXPECT_EQ(box.region, cv::Rect2f(40, 10, 40, 80));
  EXPECT_EQ(box.image.size(), cv::Size(40, 80));
  EXPECT_TRUE(crop_box(frame, Box{300, 300, 320, 320}, 0, 0).image.empty());  // all outside
  // A square around a box at the corner: 1.5 x 40 = 60 px, half of it outside and black.
  const Crop square = crop_square(frame, Box{0, 0, 40, 20}, 1.5f);
  EXPECT_EQ(square.image.size(), cv::Size(60, 60));
  EXPECT_EQ(square.region, cv::Rect2f(-10, -20, 60, 60));
  EXPECT_EQ(square.image.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(square.image.at<cv::Vec3b>(59, 59), cv::Vec3b(255, 255, 255));
}

}  // namespace
}  // namespace fp::vision
