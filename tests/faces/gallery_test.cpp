#include "faces/gallery.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace fp::faces {
namespace {

Embedding at_angle(double degrees) {
  const double r = degrees * M_PI / 180;
  return {static_cast<float>(std::cos(r)), static_cast<float>(std::sin(r)), 0};
}

TEST(FaceGallery, EmptyGalleryMatchesNoOne) {
  const Gallery gallery;
  EXPECT_EQ(gallery.size(), 0u);
  EXPECT_TRUE(gallery.people().empty());
  EXPECT_FALSE(gallery.best_match({1, 0, 0}, -1.0).has_value());
}

TEST(FaceGallery, FindsTheMostSimilarPerson) {
  Gallery gallery;
  ASSERT_TRUE(gallery.add("ada", at_angle(0)).ok());
  ASSERT_TRUE(gallery.add("grace", at_angle(90)).ok());
  ASSERT_TRUE(gallery.add("edsger", at_angle(180)).ok());
  auto match = gallery.best_match(at_angle(80), 0.5);
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->person, "grace");
  EXPECT_NEAR(match->similarity, std::cos(10 * M_PI / 180), 1e-6);
  match = gallery.best_match(at_angle(170), 0.5);
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->person, "edsger");
}

TEST(FaceGallery, NoMatchBelowThreshold) {
  Gallery gallery;
  ASSERT_TRUE(gallery.add("ada", at_angle(0)).ok());
  ASSERT_TRUE(gallery.add("grace", at_angle(90)).ok());
  // 45 degrees from both: cosine 0.707.
  EXPECT_FALSE(gallery.best_match(at_angle(45), 0.75).has_value());
  EXPECT_TRUE(gallery.best_match(at_angle(45), 0.7).has_value());
  // A query facing away from everyone.
  EXPECT_FALSE(gallery.best_match({0, 0, 1}, 0.1).has_value());
}

TEST(FaceGallery, ThresholdIsInclusive) {
  Gallery gallery;
  ASSERT_TRUE(gallery.add("ada", {1, 0, 0}).ok());
  const auto match = gallery.best_match({1, 0, 0}, 1.0);
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->similarity, 1.0);
  EXPECT_FALSE(gallery.best_match({1, 0, 0}, std::nextafter(1.0, 2.0)).has_value());
}

TEST(FaceGallery, PersonScoresTheirClosestReference) {
  Gallery gallery;
  // Ada has one reference close to the query and two far from it; Grace has two references
  // moderately close. Averaging would pick Grace; the maximum picks Ada.
  ASSERT_TRUE(gallery.add("ada", at_angle(-90)).ok());
  ASSERT_TRUE(gallery.add("ada", at_angle(5)).ok());
  ASSERT_TRUE(gallery.add("ada", at_angle(-120)).ok());
  ASSERT_TRUE(gallery.add("grace", at_angle(20)).ok());
  ASSERT_TRUE(gallery.add("grace", at_angle(-20)).ok());
  EXPECT_EQ(gallery.size(), 2u);
  const auto match = gallery.best_match(at_angle(0), 0.5);
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->person, "ada");
  EXPECT_NEAR(match->similarity, std::cos(5 * M_PI / 180), 1e-6);
}

TEST(FaceGallery, ComparesByDirectionWhateverTheScale) {
  Gallery gallery;
  ASSERT_TRUE(gallery.add("ada", {40, 0, 0}).ok());
  ASSERT_TRUE(gallery.add("grace", {0, 0.02f, 0}).ok());
  const auto match = gallery.best_match({0.001f, 3, 0}, 0.9);
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->person, "grace");
  EXPECT_NEAR(match->similarity, 1.0, 1e-6);
}

TEST(FaceGallery, TieGoesToThePersonAddedFirst) {
  Gallery gallery;
  ASSERT_TRUE(gallery.add("zed", at_angle(30)).ok());
  ASSERT_TRUE(gallery.add("amy", at_angle(-30)).ok());
  const auto match = gallery.best_match(at_angle(0), 0.5);
  ASSERT_TRUE(match.has_value());
  EXPECT_EQ(match->person, "zed");
}

TEST(FaceGallery, PeopleInOrderOfFirstAdd) {
  Gallery gallery;
  ASSERT_TRUE(gallery.add("zed", at_angle(0)).ok());
  ASSERT_TRUE(gallery.add("amy", at_angle(10)).ok());
  ASSERT_TRUE(gallery.add("zed", at_angle(20)).ok());
  ASSERT_TRUE(gallery.add("bob", at_angle(30)).ok());
  EXPECT_EQ(gallery.size(), 3u);
  EXPECT_EQ(gallery.people(), (std::vector<std::string>{"zed", "amy", "bob"}));
}

TEST(FaceGallery, RejectsUnusableReferences) {
  Gallery gallery;
  ASSERT_TRUE(gallery.add("ada", {1, 0, 0}).ok());
  const Status no_name = gallery.add("", {1, 0, 0});
  ASSERT_FALSE(no_name.ok());
  EXPECT_NE(no_name.error().message().find("name"), std::string::npos);
  const Status zero = gallery.add("grace", {0, 0, 0});
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message().find("grace"), std::string::npos);
  EXPECT_FALSE(gallery.add("grace", {NAN, 1, 0}).ok());
  const Status other_model = gallery.add("grace", {1, 0});
  ASSERT_FALSE(other_model.ok());
  EXPECT_NE(other_model.error().message().find("2 values"), std::string::npos);
  // None of the refused references was kept.
  EXPECT_EQ(gallery.size(), 1u);
  EXPECT_EQ(gallery.people(), (std::vector<std::string>{"ada"}));
}

TEST(FaceGallery, UnusableQueryMatchesNoOne) {
  Gallery gallery;
  ASSERT_TRUE(gallery.add("ada", {1, 0, 0}).ok());
  EXPECT_FALSE(gallery.best_match({0, 0, 0}, -1.0).has_value());
  EXPECT_FALSE(gallery.best_match({NAN, 0, 0}, -1.0).has_value());
  EXPECT_THROW(gallery.best_match({1, 0}, 0.5), std::invalid_argument);
}

}  // namespace
}  // namespace fp::faces
