// Face detectors (YuNet 2023mar, UltraFace) through the detect stage, against the reference results
// in ../shared/models/MODELS.md and the face positions in ../shared/media/MEDIA.md; and their
// decoders on hand-made outputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>

#include "detect_stage_suite.hpp"
#include "pipeline/detect_stage.hpp"
#include "pipeline/stage_registry.hpp"
#include "test_support.hpp"
#include "vision/detection_decoder.hpp"
#include "vision/letterbox.hpp"

namespace fp::pipeline {
namespace {

// ---------------------------------------------------------------------------------- decoders

// A [1, cells, width] float tensor, all zero.
cv::Mat zeros(int cells, int width) {
  const int shape[] = {1, cells, width};
  return cv::Mat(3, shape, CV_32F, cv::Scalar(0));
}

// YuNet outputs for a 64x64 input (8x8, 4x4 and 2x2 cells), in the decoder's order.
std::vector<cv::Mat> yunet_outputs() {
  std::vector<cv::Mat> outputs;
  for (int width : {1, 1, 4, 10}) {
    for (int cells : {64, 16, 4}) outputs.push_back(zeros(cells, width));
  }
  return outputs;
}

TEST(FaceDetection, YunetDecoderDecodesCellStrideBoxAndLandmarks) {
  auto decoder = vision::make_detection_decoder("yunet");
  ASSERT_TRUE(decoder.ok()) << decoder.error().message();
  const auto names = (*decoder)->output_names();
  ASSERT_EQ(names.size(), 12u);
  EXPECT_EQ(names.front(), "cls_8");
  EXPECT_EQ(names.back(), "kps_32");

  std::vector<cv::Mat> outputs = yunet_outputs();
  // Stride 16 (level 1), cell 5 = row 1, column 1.
  outputs[0 * 3 + 1].ptr<float>()[5] = 0.81f;  // cls
  outputs[1 * 3 + 1].ptr<float>()[5] = 1.5f;   // obj, clamped to 1
  float* bbox = outputs[2 * 3 + 1].ptr<float>() + 5 * 4;
  bbox[0] = 0.5f;
  bbox[1] = 0.25f;
  bbox[2] = std::log(2.0f);
  bbox[3] = 0;
  float* kps = outputs[3 * 3 + 1].ptr<float>() + 5 * 10;
  for (int k = 0; k < 10; ++k) kps[k] = 0.1f * static_cast<float>(k);
  // A cell below the threshold: sqrt(0.5 * 0.5) = 0.5 < 0.6.
  outputs[0].ptr<float>()[0] = 0.5f;
  outputs[3].ptr<float>()[0] = 0.5f;

  auto dets = (*decoder)->decode(outputs, cv::Size(64, 64), 0.6f);
  ASSERT_TRUE(dets.ok()) << dets.error().message();
  ASSERT_EQ(dets->size(), 1u);
  const Detection& d = dets->front();
  EXPECT_EQ(d.class_id, 0);
  EXPECT_NEAR(d.score, 0.9f, 1e-6);
  // cx = (1 + 0.5) * 16 = 24, cy = (1 + 0.25) * 16 = 20, w = 2 * 16, h = 16.
  EXPECT_NEAR(d.box.x1, 8, 1e-4);
  EXPECT_NEAR(d.box.y1, 12, 1e-4);
  EXPECT_NEAR(d.box.x2, 40, 1e-4);
  EXPECT_NEAR(d.box.y2, 28, 1e-4);
  ASSERT_EQ(d.keypoints.size(), 10u);
  for (int k = 0; k < 5; ++k) {
    EXPECT_NEAR(d.keypoints[2 * k], (1 + 0.1f * (2 * k)) * 16, 1e-4) << k;
    EXPECT_NEAR(d.keypoints[2 * k + 1], (1 + 0.1f * (2 * k + 1)) * 16, 1e-4) << k;
  }
}

TEST(FaceDetection, YunetDecoderRejectsOutputsOfAnotherInputSize) {
  auto decoder = vision::make_detection_decoder("yunet");
  ASSERT_TRUE(decoder.ok());
  auto wrong_size = (*decoder)->decode(yunet_outputs(), cv::Size(96, 64), 0.6f);
  ASSERT_FALSE(wrong_size.ok());
  EXPECT_NE(wrong_size.error().message().find("cls_8"), std::string::npos)
      << wrong_size.error().message();
  auto too_few = (*decoder)->decode({zeros(64, 1)}, cv::Size(64, 64), 0.6f);
  ASSERT_FALSE(too_few.ok());
  EXPECT_NE(too_few.error().message().find("12 outputs"), std::string::npos);
}

TEST(FaceDetection, UltrafaceDecoderScalesNormalisedBoxesToTheInput) {
  auto decoder = vision::make_detection_decoder("ultraface");
  ASSERT_TRUE(decoder.ok()) << decoder.error().message();
  EXPECT_EQ((*decoder)->output_names(), (std::vector<std::string>{"scores", "boxes"}));
  cv::Mat scores = zeros(3, 2);
  cv::Mat boxes = zeros(3, 4);
  const float face[] = {0.1f, 0.9f};
  const float background[] = {0.4f, 0.6f};  // below 0.7
  std::copy(background, background + 2, scores.ptr<float>());
  std::copy(face, face + 2, scores.ptr<float>() + 2);
  const float box[] = {0.25f, 0.5f, 0.75f, 1.0f};
  std::copy(box, box + 4, boxes.ptr<float>() + 4);

  auto dets = (*decoder)->decode({scores, boxes}, cv::Size(320, 240), 0.7f);
  ASSERT_TRUE(dets.ok()) << dets.error().message();
  ASSERT_EQ(dets->size(), 1u);
  const Detection& d = dets->front();
  EXPECT_NEAR(d.score, 0.9f, 1e-6);
  EXPECT_NEAR(d.box.x1, 80, 1e-4);
  EXPECT_NEAR(d.box.y1, 120, 1e-4);
  EXPECT_NEAR(d.box.x2, 240, 1e-4);
  EXPECT_NEAR(d.box.y2, 240, 1e-4);
  EXPECT_TRUE(d.keypoints.empty());

  auto mismatched = (*decoder)->decode({scores, zeros(4, 4)}, cv::Size(320, 240), 0.7f);
  EXPECT_FALSE(mismatched.ok());
}

TEST(FaceDetection, KeypointsMapToSourcePixelsLikeBoxes) {
  vision::InputTransform t;
  t.scale_x = 2;
  t.scale_y = 4;
  t.pad_x = 10;
  t.pad_y = 20;
  const Box box = t.to_source({30, 60, 50, 100});
  const std::vector<float> points = t.points_to_source({30, 60, 50, 100});
  EXPECT_EQ(points, (std::vector<float>{box.x1, box.y1, box.x2, box.y2}));
  EXPECT_EQ(points, (std::vector<float>{10, 10, 20, 20}));
}

// ------------------------------------------------------------------------ the detect stage

class FaceDetectionTest : public test::DetectStageSuite {
 protected:
  // The detections on one of the shared sample images, sorted by the box's left edge.
  static std::vector<Detection> detect_sorted(pipeline::Stage& stage, const std::string& image) {
    std::vector<Detection> detections = detect(stage, image);
    std::sort(detections.begin(), detections.end(),
              [](const Detection& a, const Detection& b) { return a.box.x1 < b.box.x1; });
    return detections;
  }
};

// Landmarks in their box, eyes above the mouth corners; with `frontal`, the subject's right eye
// and mouth corner on the image's left.
void expect_plausible_landmarks(const Detection& d, bool frontal, const std::string& where) {
  SCOPED_TRACE(where);
  ASSERT_EQ(d.keypoints.size(), 10u);
  const auto& k = d.keypoints;
  for (int p = 0; p < 5; ++p) {
    EXPECT_GE(k[2 * p], d.box.x1) << "landmark " << p;
    EXPECT_LE(k[2 * p], d.box.x2) << "landmark " << p;
    EXPECT_GE(k[2 * p + 1], d.box.y1) << "landmark " << p;
    EXPECT_LE(k[2 * p + 1], d.box.y2) << "landmark " << p;
  }
  const float eyes_y = std::max(k[1], k[3]);
  const float mouth_y = std::min(k[7], k[9]);
  EXPECT_LT(eyes_y, mouth_y);
  if (frontal) {
    EXPECT_LT(k[0], k[2]);  // right eye left of the left eye
    EXPECT_LT(k[6], k[8]);  // right mouth corner left of the left one
  }
}

TEST_F(FaceDetectionTest, YunetMatchesModelsMdReferenceCounts) {
  auto stage = make_stage("{model: yunet_2023mar}");
  ASSERT_NE(stage, nullptr);
  const std::vector<std::pair<std::string, size_t>> expected = {
      {"lena.jpg", 1},       {"messi5.jpg", 1},          {"obama.jpg", 1},
      {"two_people.jpg", 2}, {"obama_and_biden.jpg", 3}, {"coco_000000001000.jpg", 12}};
  for (const auto& [image, count] : expected) {
    const auto faces = detect_sorted(*stage, image);
    EXPECT_EQ(faces.size(), count) << image;
    for (const Detection& d : faces) {
      EXPECT_EQ(d.label, "face") << image;
      EXPECT_EQ(d.class_id, 0) << image;
      EXPECT_GE(d.score, 0.6f) << image;
      expect_plausible_landmarks(d, /*frontal=*/false, image);
    }
  }
}

TEST_F(FaceDetectionTest, YunetBoxesAndScoresMatchModelsMd) {
  auto stage = make_stage("{model: yunet_2023mar}");
  ASSERT_NE(stage, nullptr);
  struct Reference {
    std::string image;
    float x, y, w, h, score;
  };
  for (const Reference& ref : {Reference{"lena.jpg", 209, 182, 142, 206, 0.91f},
                               Reference{"messi5.jpg", 227, 93, 30, 38, 0.92f}}) {
    const auto faces = detect_sorted(*stage, ref.image);
    ASSERT_EQ(faces.size(), 1u) << ref.image;
    const Detection& d = faces.front();
    EXPECT_NEAR(d.box.x1, ref.x, 3) << ref.image;
    EXPECT_NEAR(d.box.y1, ref.y, 3) << ref.image;
    EXPECT_NEAR(d.box.width(), ref.w, 3) << ref.image;
    EXPECT_NEAR(d.box.height(), ref.h, 3) << ref.image;
    EXPECT_NEAR(d.score, ref.score, 0.015) << ref.image;
  }
}

TEST_F(FaceDetectionTest, YunetFacesAreWhereMediaMdSaysAndLandmarksAreFrontal) {
  auto stage = make_stage("{model: yunet_2023mar}");
  ASSERT_NE(stage, nullptr);
  // MEDIA.md's "face x" is the left edge of the box (FaceDetectorYN's x, y, w, h): the centres
  // are ~75-90 px further right.
  const std::vector<std::pair<std::string, std::vector<float>>> expected = {
      {"two_people.jpg", {239, 786}}, {"obama_and_biden.jpg", {765, 1141, 1618}}};
  for (const auto& [image, xs] : expected) {
    const auto faces = detect_sorted(*stage, image);
    ASSERT_EQ(faces.size(), xs.size()) << image;
    for (size_t i = 0; i < xs.size(); ++i) {
      EXPECT_NEAR(faces[i].box.x1, xs[i], 10) << image << " face " << i;
      expect_plausible_landmarks(faces[i], /*frontal=*/true, image + " face " + std::to_string(i));
    }
  }
  for (const std::string image : {"lena.jpg", "obama.jpg"}) {
    const auto faces = detect_sorted(*stage, image);
    ASSERT_EQ(faces.size(), 1u) << image;
    expect_plausible_landmarks(faces.front(), /*frontal=*/true, image);
  }
}

TEST_F(FaceDetectionTest, UltrafaceMatchesModelsMdReferenceCountsWithoutLandmarks) {
  auto stage = make_stage("{model: ultraface_rfb_320}");
  ASSERT_NE(stage, nullptr);
  const std::vector<std::pair<std::string, size_t>> expected = {{"lena.jpg", 1},
                                                                {"two_people.jpg", 2},
                                                                {"obama_and_biden.jpg", 3},
                                                                {"coco_000000001000.jpg", 9},
                                                                {"messi5.jpg", 1}};
  for (const auto& [image, count] : expected) {
    const auto faces = detect_sorted(*stage, image);
    EXPECT_EQ(faces.size(), count) << image;
    for (const Detection& d : faces) {
      EXPECT_EQ(d.label, "face") << image;
      EXPECT_GE(d.score, 0.7f) << image;
      EXPECT_TRUE(d.keypoints.empty()) << image;
    }
  }
  const auto people = detect_sorted(*stage, "two_people.jpg");
  ASSERT_EQ(people.size(), 2u);
  EXPECT_NEAR(people[0].box.x1, 239, 15);  // MEDIA.md's face x, the left edge of the box
  EXPECT_NEAR(people[1].box.x1, 786, 15);
}

TEST_F(FaceDetectionTest, DetectStageTakesFaceDetectorsAndRefusesEmbedders) {
  auto faces = try_stage("{model: yunet_2023mar, classes: [face]}");
  EXPECT_TRUE(faces.ok()) << faces.error().message();

  auto embedder = try_stage("{model: mobilefacenet_128d}");
  ASSERT_FALSE(embedder.ok());
  const std::string message = embedder.error().message();
  EXPECT_NE(message.find("test.yaml:1:"), std::string::npos) << message;
  EXPECT_NE(message.find("kind 'embedder'"), std::string::npos) << message;
  EXPECT_NE(message.find("detector or face_detector"), std::string::npos) << message;
}

TEST(FaceDetection, RunWritesFacesWithLandmarksToDetectionsJsonl) {
  test::TempDir dir;
  test::write_file(dir / "faces.yaml",
                   "name: faces\nstages:\n  - detect: {model: yunet_2023mar}  # 640 letterbox\n");
  const auto r = test::run_framepipe({"run", (dir / "faces.yaml").string(),
                                      test::media_path("images/lena.jpg").string(), "--out",
                                      (dir / "out").string(), "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = test::read_jsonl(dir / "out" / "detections.jsonl");
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0]["detections"].size(), 1u) << rows[0];
  const auto& face = rows[0]["detections"][0];
  EXPECT_EQ(face["class"], "face");
  ASSERT_EQ(face["landmarks"].size(), 5u) << face;
  const auto& box = face["box"];
  for (const auto& point : face["landmarks"]) {
    ASSERT_EQ(point.size(), 2u);
    const double x = point[0].get<double>();
    const double y = point[1].get<double>();
    EXPECT_GE(x, box[0].get<double>());
    EXPECT_LE(x, box[2].get<double>());
    EXPECT_GE(y, box[1].get<double>());
    EXPECT_LE(y, box[3].get<double>());
    EXPECT_EQ(x, std::round(x * 100) / 100);  // two decimals, like boxes
  }
}

}  // namespace
}  // namespace fp::pipeline
