// Identities: units (tracks, lone faces), their embeddings, clustering and gallery names.
#include "faces/identities.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace fp::faces {
namespace {

// A unit vector in the x-y plane: cosine similarity between two is the cosine of their angle.
Embedding at_angle(double degrees) {
  const double r = degrees * M_PI / 180;
  return {static_cast<float>(std::cos(r)), static_cast<float>(std::sin(r)), 0};
}

const FaceUnit kTrack1{0, 1, 0}, kTrack2{0, 2, 0}, kTrack3{0, 3, 0};

TEST(Identities, TwoTracksOfOnePersonJoinAndAnotherStaysApart) {
  Identities identities({.identity_threshold = 0.8}, nullptr);
  EXPECT_TRUE(identities.add(kTrack1, 0.5, at_angle(0)));
  EXPECT_TRUE(identities.add(kTrack2, 0.4, at_angle(10)));
  EXPECT_FALSE(identities.add(kTrack2, 0.3, {}));  // not sampled: counted, no better
  EXPECT_TRUE(identities.add(kTrack3, 0.9, at_angle(90)));
  identities.close(kTrack1, "thumbs/s0_track1.jpg");
  const nlohmann::ordered_json json = identities.cluster();
  EXPECT_EQ(json["identity_threshold"], 0.8);
  ASSERT_EQ(json["identities"].size(), 2u);
  const auto& first = json["identities"][0];
  EXPECT_EQ(first["identity"], 0);
  EXPECT_EQ(first["faces"], 3);
  EXPECT_EQ(first["tracks"].dump(),
            R"([{"stream":0,"track_id":1,"faces":1},{"stream":0,"track_id":2,"faces":2}])");
  EXPECT_TRUE(first["face_ids"].empty());
  EXPECT_EQ(first["thumbnail"], "thumbs/s0_track1.jpg");   // track 1 has the best face (0.5)
  EXPECT_FALSE(first.contains("gallery"));                 // no gallery
  EXPECT_EQ(json["identities"][1]["thumbnail"], nullptr);  // closed by cluster(): no thumbnail
  EXPECT_EQ(identities.identity_of(kTrack1), 0);
  EXPECT_EQ(identities.identity_of(kTrack2), 0);
  EXPECT_EQ(identities.identity_of(kTrack3), 1);
  EXPECT_EQ(identities.identity_of({0, 4, 0}), std::nullopt);
}

TEST(Identities, ATracksEmbeddingIsFixedWhenItIsClosed) {
  Identities identities({.identity_threshold = 0.9}, nullptr);
  identities.add(kTrack1, 0.5, at_angle(0));
  identities.close(kTrack1, "");
  EXPECT_FALSE(identities.add(kTrack1, 0.9, at_angle(90)));  // after its end: no new embedding
  identities.add(kTrack2, 0.5, at_angle(90));
  const nlohmann::ordered_json json = identities.cluster();
  EXPECT_EQ(json["identities"].size(), 2u);
  EXPECT_NE(identities.identity_of(kTrack1), identities.identity_of(kTrack2));
}

TEST(Identities, ALoneFaceIsAnIdentityByItsFaceId) {
  Identities identities({}, nullptr);
  const FaceUnit lone{1, 0, 7};
  identities.add(lone, 0.6, at_angle(45));
  const nlohmann::ordered_json json = identities.cluster();
  ASSERT_EQ(json["identities"].size(), 1u);
  EXPECT_TRUE(json["identities"][0]["tracks"].empty());
  EXPECT_EQ(json["identities"][0]["face_ids"].dump(), "[7]");
  EXPECT_EQ(json["identities"][0]["faces"], 1);
  EXPECT_EQ(identities.identity_of(lone), 0);
}

TEST(Identities, AUnitWithoutAnEmbeddingHasNoIdentity) {
  Identities identities({}, nullptr);
  identities.add(kTrack1, 0.6, {});  // every face not sampled
  EXPECT_TRUE(identities.cluster()["identities"].empty());
  EXPECT_EQ(identities.identity_of(kTrack1), std::nullopt);
}

TEST(Identities, GalleryNamesFacesAndIdentitiesAboveTheThreshold) {
  Gallery gallery;
  ASSERT_TRUE(gallery.add("ada", at_angle(0)).ok());
  Identities identities({.identity_threshold = 0.9, .gallery_threshold = 0.9}, &gallery);
  const nlohmann::ordered_json ada = *identities.gallery_match(at_angle(20));
  EXPECT_EQ(ada["person"], "ada");
  EXPECT_DOUBLE_EQ(ada["similarity"].get<double>(), 0.9397);    // cos 20 degrees, 4 decimals
  EXPECT_EQ(*identities.gallery_match(at_angle(30)), nullptr);  // cos 30 = 0.866 < 0.9
  identities.add(kTrack1, 0.5, at_angle(5));
  identities.add(kTrack2, 0.5, at_angle(60));
  const nlohmann::ordered_json json = identities.cluster();
  ASSERT_EQ(json["identities"].size(), 2u);
  EXPECT_EQ(json["identities"][0]["gallery"]["person"], "ada");
  EXPECT_EQ(json["identities"][1]["gallery"], nullptr);

  const Identities unnamed({}, nullptr);
  EXPECT_EQ(unnamed.gallery_match(at_angle(0)), std::nullopt);  // no gallery: no key at all
}

TEST(Identities, ATracksEmbeddingWeighsItsBestFacesByQuality) {
  Identities identities({.identity_threshold = 0.99}, nullptr);
  // Five good faces at 0 degrees, then many poor ones at 90: only the 5 best count.
  for (int i = 0; i < 5; ++i) identities.add(kTrack1, 0.9, at_angle(0));
  for (int i = 0; i < 20; ++i) identities.add(kTrack1, 0.1, at_angle(90));
  identities.add(kTrack2, 0.5, at_angle(0));
  const nlohmann::ordered_json json = identities.cluster();
  ASSERT_EQ(json["identities"].size(), 1u);
  EXPECT_EQ(json["identities"][0]["faces"], 26);
}

}  // namespace
}  // namespace fp::faces
