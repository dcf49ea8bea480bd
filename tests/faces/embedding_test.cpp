#include "faces/embedding.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace fp::faces {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

double norm(const Embedding& e) {
  double sum = 0;
  for (float v : e) sum += static_cast<double>(v) * v;
  return std::sqrt(sum);
}

TEST(FaceEmbedding, L2NormalizeGivesUnitNormSameDirection) {
  Embedding e = {3, 0, -4};
  ASSERT_TRUE(l2_normalize(e));
  EXPECT_NEAR(norm(e), 1.0, 1e-7);
  EXPECT_FLOAT_EQ(e[0], 0.6f);
  EXPECT_FLOAT_EQ(e[1], 0.0f);
  EXPECT_FLOAT_EQ(e[2], -0.8f);
}

TEST(FaceEmbedding, L2NormalizeHandlesTinyAndHugeValues) {
  Embedding tiny = {1e-30f, 1e-30f};  // the squares underflow a float, not a double
  ASSERT_TRUE(l2_normalize(tiny));
  EXPECT_NEAR(tiny[0], std::sqrt(0.5), 1e-6);
  Embedding huge = {3e38f, 3e38f};  // the squares overflow a float, not a double
  ASSERT_TRUE(l2_normalize(huge));
  EXPECT_NEAR(huge[1], std::sqrt(0.5), 1e-6);
}

TEST(FaceEmbedding, L2NormalizeRefusesZeroAndLeavesIt) {
  Embedding zero = {0, 0, 0};
  EXPECT_FALSE(l2_normalize(zero));
  EXPECT_EQ(zero, (Embedding{0, 0, 0}));
  Embedding empty;
  EXPECT_FALSE(l2_normalize(empty));
  EXPECT_TRUE(empty.empty());
}

TEST(FaceEmbedding, L2NormalizeRefusesNanAndInfinityAndLeavesThem) {
  Embedding with_nan = {1, kNan, 2};
  EXPECT_FALSE(l2_normalize(with_nan));
  EXPECT_EQ(with_nan[0], 1);
  EXPECT_TRUE(std::isnan(with_nan[1]));
  EXPECT_EQ(with_nan[2], 2);
  Embedding with_inf = {1, kInf};
  EXPECT_FALSE(l2_normalize(with_inf));
  EXPECT_EQ(with_inf[0], 1);
  EXPECT_EQ(with_inf[1], kInf);
}

TEST(FaceEmbedding, CosineSimilarityOfUnitVectorsIsTheirDotProduct) {
  const Embedding x = {1, 0}, y = {0, 1}, minus_x = {-1, 0};
  Embedding diagonal = {1, 1};
  ASSERT_TRUE(l2_normalize(diagonal));
  EXPECT_FLOAT_EQ(cosine_similarity(x, x), 1);
  EXPECT_FLOAT_EQ(cosine_similarity(x, y), 0);
  EXPECT_FLOAT_EQ(cosine_similarity(x, minus_x), -1);
  EXPECT_NEAR(cosine_similarity(x, diagonal), std::sqrt(0.5), 1e-7);
  EXPECT_FLOAT_EQ(cosine_similarity(diagonal, x), cosine_similarity(x, diagonal));
  // No normalisation inside: a scaled vector scales the result.
  EXPECT_FLOAT_EQ(cosine_similarity({2, 0}, x), 2);
  EXPECT_FLOAT_EQ(cosine_similarity({}, {}), 0);
}

TEST(FaceEmbedding, CosineSimilarityOfDifferentLengthsThrows) {
  EXPECT_THROW(cosine_similarity({1, 0}, {1, 0, 0}), std::invalid_argument);
}

TEST(FaceEmbedding, WeightedMeanWeighsAndNormalises) {
  const Embedding x = {1, 0, 0}, y = {0, 1, 0};
  const Embedding mean = weighted_mean({&x, &y}, {3.0, 1.0});
  ASSERT_EQ(mean.size(), 3u);
  EXPECT_NEAR(mean[0], 3 / std::sqrt(10.0), 1e-7);
  EXPECT_NEAR(mean[1], 1 / std::sqrt(10.0), 1e-7);
  EXPECT_EQ(mean[2], 0);
  // Only the ratio of the weights matters.
  const Embedding scaled = weighted_mean({&x, &y}, {0.3, 0.1});
  EXPECT_NEAR(scaled[0], mean[0], 1e-7);
  EXPECT_NEAR(scaled[1], mean[1], 1e-7);
}

TEST(FaceEmbedding, WeightedMeanOfOneIsItsDirection) {
  const Embedding e = {0, -2, 0};
  EXPECT_EQ(weighted_mean({&e}, {0.5}), (Embedding{0, -1, 0}));
}

TEST(FaceEmbedding, WeightedMeanLeavesOutZeroNegativeAndNonFiniteWeights) {
  const Embedding x = {1, 0}, y = {0, 1}, z = {-1, -1};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const Embedding mean = weighted_mean({&x, &y, &z, &z, &z}, {1.0, 1.0, 0.0, -5.0, nan});
  EXPECT_NEAR(mean[0], std::sqrt(0.5), 1e-7);
  EXPECT_NEAR(mean[1], std::sqrt(0.5), 1e-7);
  EXPECT_EQ(weighted_mean({&x, &z}, {1.0, inf}), (Embedding{1, 0}));
}

TEST(FaceEmbedding, WeightedMeanWithHugeWeightsDoesNotOverflow) {
  const Embedding x = {1, 0}, y = {0, 1};
  const Embedding mean = weighted_mean({&x, &y}, {1e300, 1e300});
  ASSERT_EQ(mean.size(), 2u);
  EXPECT_NEAR(mean[0], std::sqrt(0.5), 1e-7);
}

TEST(FaceEmbedding, WeightedMeanIsEmptyWhenNothingIsLeftOrItCancels) {
  const Embedding x = {1, 0}, minus_x = {-1, 0};
  EXPECT_TRUE(weighted_mean({}, {}).empty());
  EXPECT_TRUE(weighted_mean({&x}, {0.0}).empty());
  EXPECT_TRUE(weighted_mean({&x, &minus_x}, {2.0, 2.0}).empty());
}

TEST(FaceEmbedding, WeightedMeanRejectsMismatchedInput) {
  const Embedding x = {1, 0}, longer = {1, 0, 0};
  EXPECT_THROW(weighted_mean({&x}, {1.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(weighted_mean({&x, nullptr}, {1.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(weighted_mean({&x, &longer}, {1.0, 1.0}), std::invalid_argument);
  // The length check holds even for an item whose weight leaves it out.
  EXPECT_THROW(weighted_mean({&x, &longer}, {1.0, 0.0}), std::invalid_argument);
}

}  // namespace
}  // namespace fp::faces
