#include "vision/face_align.hpp"

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace fp::vision {

namespace {

constexpr int kLandmarks = 5;
constexpr double kTemplateSide = 112.0;
// Below this spread (sum of squared distances to the centroid, px^2) the landmarks are one point.
constexpr double kMinSpread = 1e-6;

}  // namespace

const std::array<cv::Point2d, 5>& arcface_template() {
  static const std::array<cv::Point2d, 5> points = {{{38.2946, 51.6963},
                                                     {73.5318, 51.5014},
                                                     {56.0252, 71.7366},
                                                     {41.5493, 92.3655},
                                                     {70.7299, 92.2041}}};
  return points;
}

std::optional<cv::Matx23d> face_alignment_transform(const std::vector<float>& keypoints,
                                                    cv::Size size) {
  if (keypoints.size() != 2 * kLandmarks || size.width <= 0 || size.height <= 0) {
    return std::nullopt;
  }
  for (float v : keypoints) {
    if (!std::isfinite(v)) return std::nullopt;
  }
  std::array<cv::Point2d, kLandmarks> from;
  std::array<cv::Point2d, kLandmarks> to;
  cv::Point2d from_mean, to_mean;
  for (int i = 0; i < kLandmarks; ++i) {
    from[i] = {keypoints[2 * i], keypoints[2 * i + 1]};
    to[i] = {arcface_template()[i].x * size.width / kTemplateSide,
             arcface_template()[i].y * size.height / kTemplateSide};
    from_mean += from[i] / kLandmarks;
    to_mean += to[i] / kLandmarks;
  }
  double spread = 0, dot = 0, cross = 0;
  for (int i = 0; i < kLandmarks; ++i) {
    const cv::Point2d p = from[i] - from_mean;
    const cv::Point2d q = to[i] - to_mean;
    spread += p.dot(p);
    dot += p.dot(q);
    cross += p.cross(q);
  }
  if (!(spread >= kMinSpread)) return std::nullopt;
  const double a = dot / spread;
  const double b = cross / spread;
  const double tx = to_mean.x - (a * from_mean.x - b * from_mean.y);
  const double ty = to_mean.y - (b * from_mean.x + a * from_mean.y);
  if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(tx) || !std::isfinite(ty)) {
    return std::nullopt;
  }
  return cv::Matx23d(a, -b, tx, b, a, ty);
}

cv::Mat align_face(const cv::Mat& image, const std::vector<float>& keypoints, cv::Size size) {
  if (image.empty()) return {};
  const auto transform = face_alignment_transform(keypoints, size);
  if (!transform) return {};
  cv::Mat aligned;
  cv::warpAffine(image, aligned, cv::Mat(*transform), size, cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar::all(0));
  return aligned;
}

cv::Mat face_crop(const cv::Mat& image, const Detection& face) {
  const cv::Size size(static_cast<int>(kTemplateSide), static_cast<int>(kTemplateSide));
  if (!face.keypoints.empty()) return align_face(image, face.keypoints, size);
  const cv::Rect box(cv::Point(static_cast<int>(face.box.x1), static_cast<int>(face.box.y1)),
                     cv::Point(static_cast<int>(face.box.x2), static_cast<int>(face.box.y2)));
  const cv::Rect inside = box & cv::Rect(0, 0, image.cols, image.rows);
  if (inside.width < 2 || inside.height < 2) return {};
  cv::Mat resized;
  cv::resize(image(inside), resized, size, 0, 0, cv::INTER_LINEAR);
  return resized;
}

}  // namespace fp::vision
