#include "faces/quality.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "test_support.hpp"

namespace fp::faces {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

cv::Mat read_lena() {
  cv::Mat image = cv::imread(test::media_path("images/lena.jpg").string());
  EXPECT_FALSE(image.empty()) << "cannot read lena.jpg from the shared media";
  return image;
}

// Lena's face, cropped and resized to the aligned crop's 112x112 as an aligner would.
cv::Mat lena_face() {
  const cv::Mat image = read_lena();
  if (image.empty()) return {};
  cv::Mat face;
  cv::resize(image(cv::Rect(209, 182, 142, 206)), face, cv::Size(112, 112), 0, 0, cv::INTER_AREA);
  return face;
}

TEST(FaceQuality, SharpFaceCropScoresFarAboveBlurredOne) {
  const cv::Mat face = lena_face();
  ASSERT_FALSE(face.empty());
  cv::Mat blurred;
  cv::GaussianBlur(face, blurred, cv::Size(0, 0), 3.0);
  const double sharp = sharpness(face);
  const double blurry = sharpness(blurred);
  EXPECT_GT(sharp, 300);  // measured 645
  EXPECT_LT(blurry, 10);  // measured 4.5
  EXPECT_GT(sharp, 50 * blurry);
  // The default gate keeps the sharp crop and drops the blurred one.
  const QualityOptions defaults;
  EXPECT_GE(sharp, defaults.min_sharpness);
  EXPECT_LT(blurry, defaults.min_sharpness);
}

TEST(FaceQuality, SharpnessFallsAsBlurGrows) {
  const cv::Mat face = lena_face();
  ASSERT_FALSE(face.empty());
  double previous = sharpness(face);
  for (double sigma : {0.5, 1.0, 2.0, 3.0}) {
    cv::Mat blurred;
    cv::GaussianBlur(face, blurred, cv::Size(0, 0), sigma);
    const double s = sharpness(blurred);
    EXPECT_LT(s, previous) << "sigma " << sigma;
    previous = s;
  }
}

TEST(FaceQuality, SharpnessOfFlatOrEmptyImageIsZero) {
  EXPECT_EQ(sharpness(cv::Mat(112, 112, CV_8UC3, cv::Scalar(90, 120, 200))), 0);
  EXPECT_EQ(sharpness(cv::Mat()), 0);
}

TEST(FaceQuality, SharpnessReadsGrayAndBgraLikeBgr) {
  const cv::Mat face = lena_face();
  ASSERT_FALSE(face.empty());
  cv::Mat gray, bgra;
  cv::cvtColor(face, gray, cv::COLOR_BGR2GRAY);
  cv::cvtColor(face, bgra, cv::COLOR_BGR2BGRA);
  EXPECT_DOUBLE_EQ(sharpness(gray), sharpness(face));
  EXPECT_DOUBLE_EQ(sharpness(bgra), sharpness(face));
}

TEST(FaceQuality, SharpnessIsTheLaplacianVariance) {
  // A single bright pixel in the middle of a flat 5x5 image: the 3x3 Laplacian is -4 * 100 there
  // and +100 at its four neighbours, 0 elsewhere (the border reflects flat grey).
  cv::Mat image(5, 5, CV_8UC1, cv::Scalar(0));
  image.at<uchar>(2, 2) = 100;
  const double mean = 0;  // -400 + 4 * 100
  const double variance = (400.0 * 400 + 4 * 100.0 * 100) / 25 - mean * mean;
  EXPECT_NEAR(sharpness(image), variance, 1e-6);
}

TEST(FaceQuality, BlackAndUniformFramesAreBad) {
  EXPECT_TRUE(is_bad_source_frame(cv::Mat(1080, 1920, CV_8UC3, cv::Scalar(0, 0, 0))));
  EXPECT_TRUE(is_bad_source_frame(cv::Mat(1080, 1920, CV_8UC3, cv::Scalar(128, 128, 128))));
  EXPECT_TRUE(is_bad_source_frame(cv::Mat(1080, 1920, CV_8UC3, cv::Scalar(0, 180, 40))));
  EXPECT_TRUE(is_bad_source_frame(cv::Mat(480, 640, CV_8UC1, cv::Scalar(255))));
  EXPECT_TRUE(is_bad_source_frame(cv::Mat()));
}

TEST(FaceQuality, BlackFrameWithDecoderNoiseIsBad) {
  // Grey levels 0..8: mean 4, standard deviation 2.6, above the flat limit but below the black one.
  cv::Mat noise(1080, 1920, CV_8UC1), frame;
  cv::RNG rng(7);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 9);
  cv::cvtColor(noise, frame, cv::COLOR_GRAY2BGR);
  EXPECT_TRUE(is_bad_source_frame(frame));
  // The same noise a little brighter is a dim but real picture as far as this check can tell.
  EXPECT_FALSE(is_bad_source_frame(frame + cv::Scalar::all(4)));
}

TEST(FaceQuality, RealPhotoIsNotBad) {
  const cv::Mat image = read_lena();
  ASSERT_FALSE(image.empty());
  EXPECT_FALSE(is_bad_source_frame(image));
  cv::Mat full_hd;
  cv::resize(image, full_hd, cv::Size(1920, 1080));
  EXPECT_FALSE(is_bad_source_frame(full_hd));
  // A region of interest (not continuous in memory) reads the same way.
  EXPECT_FALSE(is_bad_source_frame(full_hd(cv::Rect(100, 100, 800, 600))));
}

TEST(FaceQuality, DarkButTexturedFrameIsNotBad) {
  const cv::Mat image = read_lena();
  ASSERT_FALSE(image.empty());
  cv::Mat dark;
  image.convertTo(dark, -1, 0.15);  // grey mean about 19, standard deviation about 7
  cv::Scalar mean, stddev;
  cv::Mat gray;
  cv::cvtColor(dark, gray, cv::COLOR_BGR2GRAY);
  cv::meanStdDev(gray, mean, stddev);
  ASSERT_LT(mean[0], 25);
  EXPECT_FALSE(is_bad_source_frame(dark));
  // Mostly black with a lit region (a night scene with one lamp) is not bad either.
  cv::Mat night(1080, 1920, CV_8UC3, cv::Scalar(0, 0, 0));
  cv::resize(image, night(cv::Rect(800, 400, 300, 300)), cv::Size(300, 300));
  EXPECT_FALSE(is_bad_source_frame(night));
}

TEST(FaceQuality, PreEmbeddingSkipPassesAGoodFace) {
  const QualityOptions options;
  EXPECT_EQ(pre_embedding_skip({100, 100, 200, 220}, {640, 480}, 0.9f, options), std::nullopt);
  // Partly outside the image still overlaps it.
  EXPECT_EQ(pre_embedding_skip({-30, -30, 40, 40}, {640, 480}, 0.9f, options), std::nullopt);
  // Exactly at the limits passes.
  EXPECT_EQ(pre_embedding_skip({0, 0, 20, 20}, {640, 480}, 0.7f, options), std::nullopt);
}

TEST(FaceQuality, PreEmbeddingSkipFindsInvalidBoxes) {
  const QualityOptions options;
  const cv::Size image(640, 480);
  for (const Box& box :
       {Box{kNan, 0, 50, 50}, Box{0, 0, kInf, 50}, Box{0, -kInf, 50, 50}, Box{10, 10, 10, 50},
        Box{10, 10, 50, 10}, Box{50, 10, 10, 50}, Box{700, 10, 760, 70}, Box{10, -80, 60, -20},
        Box{-50, 10, 0, 60}, Box{10, 480, 60, 540}}) {
    EXPECT_EQ(pre_embedding_skip(box, image, 0.9f, options), "invalid_bbox")
        << box.x1 << "," << box.y1 << "," << box.x2 << "," << box.y2;
  }
  EXPECT_EQ(pre_embedding_skip({10, 10, 60, 60}, {0, 0}, 0.9f, options), "invalid_bbox");
}

TEST(FaceQuality, PreEmbeddingSkipGivesTheFirstFailingReason) {
  QualityOptions options;
  options.min_face_size = 32;
  options.min_score = 0.8f;
  const cv::Size image(640, 480);
  // Everything wrong: the box comes first.
  EXPECT_EQ(pre_embedding_skip({10, 10, 10, 20}, image, 0.1f, options), "invalid_bbox");
  // Small and unsure: size comes before confidence.
  EXPECT_EQ(pre_embedding_skip({10, 10, 41, 100}, image, 0.1f, options), "too_small");
  EXPECT_EQ(pre_embedding_skip({10, 10, 100, 41}, image, 0.9f, options), "too_small");
  EXPECT_EQ(pre_embedding_skip({10, 10, 42, 42}, image, 0.79f, options), "low_confidence");
  EXPECT_EQ(pre_embedding_skip({10, 10, 42, 42}, image, kNan, options), "low_confidence");
  EXPECT_EQ(pre_embedding_skip({10, 10, 42, 42}, image, 0.8f, options), std::nullopt);
}

TEST(FaceQuality, FaceQualityFollowsItsFormula) {
  // 0.9 * min(1, 56 / 112) * 100 / (100 + 100)
  EXPECT_NEAR(face_quality(0.9f, {0, 0, 56, 80}, 100), 0.9 * 0.5 * 0.5, 1e-6);
  // Larger than the aligned crop: no size penalty; a score above 1 counts as 1.
  EXPECT_NEAR(face_quality(1.5f, {0, 0, 300, 200}, 300), 0.75, 1e-9);
}

TEST(FaceQuality, FaceQualityStaysInRangeAndZeroesBadInputs) {
  EXPECT_EQ(face_quality(kNan, {0, 0, 100, 100}, 500), 0);
  EXPECT_EQ(face_quality(0.9f, {0, 0, 100, 100}, std::nan("")), 0);
  EXPECT_EQ(face_quality(0.9f, {0, 0, 100, 100}, -1), 0);
  EXPECT_EQ(face_quality(-0.5f, {0, 0, 100, 100}, 500), 0);
  EXPECT_EQ(face_quality(0.9f, {0, 0, kNan, 100}, 500), 0);
  EXPECT_EQ(face_quality(0.9f, {50, 50, 10, 10}, 500), 0);
  const double best = face_quality(1.0f, {0, 0, 1000, 1000}, 1e12);
  EXPECT_LE(best, 1.0);
  EXPECT_GT(best, 0.999);
  EXPECT_LE(face_quality(1.0f, {0, 0, kInf, kInf}, std::numeric_limits<double>::infinity()), 1.0);
}

TEST(FaceQuality, FaceQualityRisesWithEachInput) {
  const Box small{0, 0, 40, 40}, large{0, 0, 100, 100};
  EXPECT_LT(face_quality(0.7f, large, 200), face_quality(0.9f, large, 200));
  EXPECT_LT(face_quality(0.9f, small, 200), face_quality(0.9f, large, 200));
  EXPECT_LT(face_quality(0.9f, large, 20), face_quality(0.9f, large, 200));
}

TEST(FaceQuality, SharpLenaCropOutranksBlurredOne) {
  const cv::Mat face = lena_face();
  ASSERT_FALSE(face.empty());
  cv::Mat blurred;
  cv::GaussianBlur(face, blurred, cv::Size(0, 0), 3.0);
  const Box box{209, 182, 351, 388};
  EXPECT_GT(face_quality(0.9f, box, sharpness(face)),
            10 * face_quality(0.9f, box, sharpness(blurred)));
}

}  // namespace
}  // namespace fp::faces
