#include "faces/face_attributes.hpp"

#include <gtest/gtest.h>

namespace fp::faces {
namespace {

TEST(FaceAttributes, AFaceIsCheckedOnceItHasASkipReasonOrAQuality) {
  std::vector<Detection> detections(3);
  set_face_skipped(detections[0], "too_small");
  set_attribute(detections[2].attributes, kFaceQuality, 0.8);
  EXPECT_EQ(checked_faces(detections), (std::vector<size_t>{0, 2}));
  EXPECT_EQ(face_skip_reason(detections[0]), "too_small");
  EXPECT_EQ(face_skip_reason(detections[2]), "");
}

TEST(FaceAttributes, ANotSampledFaceStillPassedTheChecks) {
  Detection face;
  set_attribute(face.attributes, kFaceQuality, 0.8);
  EXPECT_TRUE(face_passed_checks(face));
  set_face_skipped(face, kNotSampled);
  EXPECT_TRUE(face_passed_checks(face));
  set_face_skipped(face, "blurry");
  EXPECT_FALSE(face_passed_checks(face));
  EXPECT_EQ(face.attributes.size(), 2u);  // the skip reason was replaced, not added
}

TEST(FaceAttributes, OnlyTheFacesStagesNamesAreFaceAttributes) {
  for (std::string_view name : {kFaceSkipped, kFaceQuality, kFaceSharpness, kFaceEmbedding}) {
    EXPECT_TRUE(is_face_attribute(name)) << name;
  }
  EXPECT_FALSE(is_face_attribute("embedding"));  // an attributes stage's embedder
  EXPECT_FALSE(is_face_attribute("age"));
}

}  // namespace
}  // namespace fp::faces
