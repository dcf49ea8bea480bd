#include "faces/quality.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace fp::faces {
namespace {

// is_bad_source_frame(): grey levels of the 8-bit grayscale image.
constexpr double kUniformMaxStddev = 2.0;
constexpr double kBlackMaxMean = 5.0;
constexpr double kBlackMaxStddev = 5.0;
constexpr int kSampleLongSide = 160;

// face_quality(): the aligned crop's side, and the sharpness that earns half credit.
constexpr double kAlignedSide = 112.0;
constexpr double kHalfCreditSharpness = 100.0;

cv::Mat to_gray(const cv::Mat& image) {
  if (image.channels() == 1) return image;
  cv::Mat gray;
  cv::cvtColor(image, gray, image.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  return gray;
}

}  // namespace

double sharpness(const cv::Mat& face_bgr) {
  if (face_bgr.empty()) return 0;
  cv::Mat laplacian;
  cv::Laplacian(to_gray(face_bgr), laplacian, CV_64F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(laplacian, mean, stddev);
  return stddev[0] * stddev[0];
}

bool is_bad_source_frame(const cv::Mat& frame) {
  if (frame.empty()) return true;
  cv::Mat sample = frame;
  const int long_side = std::max(frame.cols, frame.rows);
  if (long_side > kSampleLongSide) {
    const double scale = static_cast<double>(kSampleLongSide) / long_side;
    const cv::Size size(std::max(1, static_cast<int>(frame.cols * scale)),
                        std::max(1, static_cast<int>(frame.rows * scale)));
    cv::resize(frame, sample, size, 0, 0, cv::INTER_NEAREST);
  }
  cv::Scalar mean, stddev;
  cv::meanStdDev(to_gray(sample), mean, stddev);
  if (stddev[0] < kUniformMaxStddev) return true;
  return mean[0] < kBlackMaxMean && stddev[0] < kBlackMaxStddev;
}

std::optional<std::string> pre_embedding_skip(const Box& box, cv::Size image, float score,
                                              const QualityOptions& options) {
  const bool finite = std::isfinite(box.x1) && std::isfinite(box.y1) && std::isfinite(box.x2) &&
                      std::isfinite(box.y2);
  if (!finite || !(box.x2 > box.x1) || !(box.y2 > box.y1)) return "invalid_bbox";
  const bool overlaps = box.x1 < image.width && box.x2 > 0 && box.y1 < image.height && box.y2 > 0;
  if (!overlaps) return "invalid_bbox";
  if (std::min(box.width(), box.height()) < static_cast<float>(options.min_face_size)) {
    return "too_small";
  }
  if (!(score >= options.min_score)) return "low_confidence";
  return std::nullopt;
}

double face_quality(float score, const Box& box, double sharpness) {
  const double score_term =
      std::isfinite(score) ? std::clamp(static_cast<double>(score), 0.0, 1.0) : 0.0;
  const double side = std::min(box.width(), box.height());
  const double size_term = std::isfinite(side) ? std::clamp(side / kAlignedSide, 0.0, 1.0) : 0.0;
  const double sharpness_term = std::isfinite(sharpness) && sharpness > 0
                                    ? sharpness / (sharpness + kHalfCreditSharpness)
                                    : 0.0;
  return score_term * size_term * sharpness_term;
}

}  // namespace fp::faces
