// Face alignment onto the ArcFace 112x112 template: known similarities, bad landmarks, and a real
// face found by YuNet.
#include "vision/face_align.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <tuple>

#include "pipeline/stage_registry.hpp"
#include "test_support.hpp"

namespace fp::vision {
namespace {

cv::Point2d apply(const cv::Matx23d& m, cv::Point2d p) {
  return {m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2), m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2)};
}

// The template moved by a rotation of `degrees`, a `scale` and a shift: landmarks as a detector
// would report them for a face that far from the aligned pose.
std::vector<float> moved_template(double degrees, double scale, cv::Point2d shift) {
  const double r = degrees * CV_PI / 180;
  const cv::Matx23d m(scale * std::cos(r), -scale * std::sin(r), shift.x, scale * std::sin(r),
                      scale * std::cos(r), shift.y);
  std::vector<float> keypoints;
  for (const cv::Point2d& p : arcface_template()) {
    const cv::Point2d q = apply(m, p);
    keypoints.push_back(static_cast<float>(q.x));
    keypoints.push_back(static_cast<float>(q.y));
  }
  return keypoints;
}

TEST(FaceAlign, TemplateIsTheArcFaceOneInYunetOrder) {
  const auto& t = arcface_template();
  EXPECT_DOUBLE_EQ(t[0].x, 38.2946);
  EXPECT_DOUBLE_EQ(t[0].y, 51.6963);
  EXPECT_DOUBLE_EQ(t[4].x, 70.7299);
  EXPECT_DOUBLE_EQ(t[4].y, 92.2041);
  EXPECT_LT(t[0].x, t[1].x);  // the subject's right eye on the image's left, as YuNet gives it
  EXPECT_LT(t[3].x, t[4].x);
}

TEST(FaceAlign, TransformUndoesAKnownSimilarity) {
  for (const auto& [degrees, scale, shift] :
       {std::tuple{17.0, 2.3, cv::Point2d(150, 80)}, std::tuple{-40.0, 0.6, cv::Point2d(-5, 300)},
        std::tuple{0.0, 1.0, cv::Point2d(0, 0)}, std::tuple{180.0, 4.0, cv::Point2d(900, 700)}}) {
    SCOPED_TRACE(::testing::Message() << degrees << " deg, x" << scale);
    const std::vector<float> landmarks = moved_template(degrees, scale, shift);
    const auto transform = face_alignment_transform(landmarks);
    ASSERT_TRUE(transform.has_value());
    // A similarity: [a -b; b a], scale 1 / `scale`.
    EXPECT_NEAR((*transform)(0, 0), (*transform)(1, 1), 1e-9);
    EXPECT_NEAR((*transform)(0, 1), -(*transform)(1, 0), 1e-9);
    EXPECT_NEAR(std::hypot((*transform)(0, 0), (*transform)(1, 0)), 1 / scale, 1e-5);
    for (int i = 0; i < 5; ++i) {
      const cv::Point2d back = apply(*transform, {landmarks[2 * i], landmarks[2 * i + 1]});
      EXPECT_NEAR(back.x, arcface_template()[i].x, 1e-3) << i;
      EXPECT_NEAR(back.y, arcface_template()[i].y, 1e-3) << i;
    }
  }
}

TEST(FaceAlign, SmallLandmarkNoiseMovesTheFitLittle) {
  // Detected landmarks never fit the template exactly; the fit spreads the error over all five.
  std::vector<float> landmarks = moved_template(10, 1.5, {40, 20});
  const std::vector<float> clean = landmarks;
  landmarks[8] += 2;  // nose x
  landmarks[0] -= 1;  // right eye x
  landmarks[2] -= 1;  // left eye x
  const auto noisy = face_alignment_transform(landmarks);
  const auto exact = face_alignment_transform(clean);
  ASSERT_TRUE(noisy && exact);
  // Residuals stay small and the fit moves little: no landmark is dropped as an outlier.
  for (int i = 0; i < 5; ++i) {
    const cv::Point2d back = apply(*noisy, {landmarks[2 * i], landmarks[2 * i + 1]});
    EXPECT_NEAR(back.x, arcface_template()[i].x, 1.5) << i;
    EXPECT_NEAR(back.y, arcface_template()[i].y, 1.5) << i;
  }
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 2; ++c) EXPECT_NEAR((*noisy)(r, c), (*exact)(r, c), 0.02);
  }
}

TEST(FaceAlign, WarpPutsLandmarkPixelsOnTheTemplate) {
  // White dots where the landmarks are, in a black image: after alignment the dots are at the
  // template's points, so the warp goes in the right direction.
  const std::vector<float> landmarks = moved_template(-25, 3.0, {200, 120});
  cv::Mat image(700, 700, CV_8UC3, cv::Scalar::all(0));
  for (int i = 0; i < 5; ++i) {
    cv::circle(image, cv::Point(cvRound(landmarks[2 * i]), cvRound(landmarks[2 * i + 1])), 6,
               cv::Scalar::all(255), cv::FILLED);
  }
  const cv::Mat aligned = align_face(image, landmarks);
  ASSERT_EQ(aligned.size(), cv::Size(112, 112));
  ASSERT_EQ(aligned.type(), CV_8UC3);
  for (const cv::Point2d& p : arcface_template()) {
    EXPECT_GT(aligned.at<cv::Vec3b>(cvRound(p.y), cvRound(p.x))[0], 200) << p;
  }
  EXPECT_EQ(aligned.at<cv::Vec3b>(5, 5), cv::Vec3b(0, 0, 0));  // away from every dot
}

TEST(FaceAlign, TemplateScalesWithTheOutputSize) {
  const std::vector<float> landmarks = moved_template(5, 2.0, {30, 30});
  const auto transform = face_alignment_transform(landmarks, {224, 224});
  ASSERT_TRUE(transform.has_value());
  const cv::Point2d nose = apply(*transform, {landmarks[4], landmarks[5]});
  EXPECT_NEAR(nose.x, 2 * arcface_template()[2].x, 1e-3);
  EXPECT_NEAR(nose.y, 2 * arcface_template()[2].y, 1e-3);
  const cv::Mat image(300, 300, CV_8UC3, cv::Scalar::all(128));
  EXPECT_EQ(align_face(image, landmarks, {224, 224}).size(), cv::Size(224, 224));
}

TEST(FaceAlign, BadLandmarksGiveNoTransformAndAnEmptyCrop) {
  const cv::Mat image(200, 200, CV_8UC3, cv::Scalar::all(128));
  const std::vector<float> good = moved_template(0, 1, {40, 40});
  ASSERT_FALSE(align_face(image, good).empty());

  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> with_nan = good;
  with_nan[3] = nan;
  std::vector<float> with_inf = good;
  with_inf[6] = inf;
  const std::vector<std::pair<std::string, std::vector<float>>> cases = {
      {"none", {}},
      {"4 points", std::vector<float>(good.begin(), good.begin() + 8)},
      {"6 points",
       [&] {
         auto v = good;
         v.insert(v.end(), {50, 50});
         return v;
       }()},
      {"odd count", std::vector<float>(good.begin(), good.begin() + 9)},
      {"NaN", with_nan},
      {"infinity", with_inf},
      {"all points equal", std::vector<float>(10, 77.0f)},
  };
  for (const auto& [what, keypoints] : cases) {
    EXPECT_FALSE(face_alignment_transform(keypoints).has_value()) << what;
    EXPECT_TRUE(align_face(image, keypoints).empty()) << what;
  }
  EXPECT_TRUE(align_face(cv::Mat(), good).empty());
}

// YuNet's landmarks on a shared sample image, by the left edge of the face box.
std::vector<std::vector<float>> yunet_landmarks(const cv::Mat& image) {
  auto registry = infer::ModelRegistry::load_default();
  EXPECT_TRUE(registry.ok()) << registry.error().message();
  if (!registry.ok()) return {};
  infer::ModelPool pool(*registry, {.cores = 1, .instances = 1, .threads = 1});
  const YAML::Node node = YAML::Load("{model: yunet_2023mar}");
  auto config = YamlMap::from(node, "test.yaml", "stage 'detect'");
  EXPECT_TRUE(config.ok());
  auto stage = pipeline::create_stage(
      "detect", pipeline::StageContext{*config, *registry, pool, {}, "detect"});
  EXPECT_TRUE(stage.ok()) << stage.error().message();
  if (!stage.ok()) return {};
  pipeline::FrameResult item;
  item.frame.image = image;
  EXPECT_TRUE((*stage)->process(item).ok());
  std::sort(item.detections.begin(), item.detections.end(),
            [](const Detection& a, const Detection& b) { return a.box.x1 < b.box.x1; });
  std::vector<std::vector<float>> landmarks;
  for (const Detection& d : item.detections) landmarks.push_back(d.keypoints);
  return landmarks;
}

// How far each landmark lands from its template point after alignment, in crop pixels.
std::vector<double> residuals(const std::vector<float>& landmarks) {
  const auto transform = face_alignment_transform(landmarks);
  EXPECT_TRUE(transform.has_value());
  if (!transform) return {};
  std::vector<double> out;
  for (int i = 0; i < 5; ++i) {
    const cv::Point2d p = apply(*transform, {landmarks[2 * i], landmarks[2 * i + 1]});
    out.push_back(cv::norm(p - arcface_template()[i]));
  }
  return out;
}

TEST(FaceAlign, AlignsLenaFoundByYunetOntoTheTemplate) {
  const cv::Mat image = cv::imread(test::media_path("images/lena.jpg").string());
  ASSERT_FALSE(image.empty());
  const auto faces = yunet_landmarks(image);
  ASSERT_EQ(faces.size(), 1u);

  const cv::Mat aligned = align_face(image, faces[0]);
  ASSERT_EQ(aligned.size(), cv::Size(112, 112));
  ASSERT_EQ(aligned.type(), image.type());
  EXPECT_GT(cv::mean(aligned)[2], 50);  // a face, not the black border

  const auto transform = face_alignment_transform(faces[0]);
  ASSERT_TRUE(transform.has_value());
  const double scale = std::hypot((*transform)(0, 0), (*transform)(1, 0));
  EXPECT_NEAR(scale, 0.55, 0.1);  // her eyes are ~60 px apart, the template's 35

  // Her head is turned, so the nose sits ~7.5 px beside the template's and no similarity can
  // put all five points on it; the eyes land within ~3 px (measured 1.1 and 3.0).
  const auto r = residuals(faces[0]);
  ASSERT_EQ(r.size(), 5u);
  EXPECT_LT(r[0], 4);
  EXPECT_LT(r[1], 4);
  for (int i = 2; i < 5; ++i) EXPECT_LT(r[i], 9) << "landmark " << i;
}

TEST(FaceAlign, FrontalFaceLandmarksLandWithin3PixelsOfTheTemplate) {
  const cv::Mat image = cv::imread(test::media_path("images/obama_and_biden.jpg").string());
  ASSERT_FALSE(image.empty());
  const auto faces = yunet_landmarks(image);
  ASSERT_EQ(faces.size(), 3u);
  // Sorted by box left edge: Biden (x ~765), Obama (x ~1141), a child (x ~1618). Obama faces the
  // camera.
  const auto r = residuals(faces[1]);
  ASSERT_EQ(r.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_LT(r[i], 3) << "landmark " << i;
  EXPECT_EQ(align_face(image, faces[1]).size(), cv::Size(112, 112));
}

}  // namespace
}  // namespace fp::vision
