#include "vision/letterbox.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace fp::vision {

Box InputTransform::to_source(const Box& box) const {
  return Box{(box.x1 - pad_x) / scale_x, (box.y1 - pad_y) / scale_y, (box.x2 - pad_x) / scale_x,
             (box.y2 - pad_y) / scale_y};
}

std::vector<float> InputTransform::points_to_source(const std::vector<float>& xy) const {
  std::vector<float> out = xy;
  for (size_t i = 0; i + 1 < xy.size(); i += 2) {
    out[i] = (xy[i] - pad_x) / scale_x;
    out[i + 1] = (xy[i + 1] - pad_y) / scale_y;
  }
  return out;
}

cv::Mat fit_to_input(const cv::Mat& image, cv::Size target, ResizeMode mode,
                     Interpolation interpolation, double pad_value, InputTransform* transform) {
  const int flag = interpolation == Interpolation::kArea ? cv::INTER_AREA : cv::INTER_LINEAR;
  InputTransform t;
  cv::Mat out;
  if (mode == ResizeMode::kStretch) {
    t.scale_x = static_cast<float>(target.width) / image.cols;
    t.scale_y = static_cast<float>(target.height) / image.rows;
    cv::resize(image, out, target, 0, 0, flag);
  } else {
    const double r = std::min(static_cast<double>(target.width) / image.cols,
                              static_cast<double>(target.height) / image.rows);
    const cv::Size scaled(std::max(1, static_cast<int>(image.cols * r)),
                          std::max(1, static_cast<int>(image.rows * r)));
    t.scale_x = t.scale_y = static_cast<float>(r);
    int left = 0, top = 0;
    if (mode == ResizeMode::kLetterboxCenter) {
      left = (target.width - scaled.width) / 2;
      top = (target.height - scaled.height) / 2;
    }
    t.pad_x = static_cast<float>(left);
    t.pad_y = static_cast<float>(top);
    out.create(target, image.type());
    out.setTo(cv::Scalar::all(pad_value));
    cv::Mat roi = out(cv::Rect(left, top, scaled.width, scaled.height));
    if (scaled == image.size()) {
      image.copyTo(roi);
    } else {
      cv::resize(image, roi, scaled, 0, 0, flag);
    }
  }
  if (transform) *transform = t;
  return out;
}

Box clip_box(const Box& box, cv::Size image_size) {
  const auto w = static_cast<float>(image_size.width);
  const auto h = static_cast<float>(image_size.height);
  return Box{std::clamp(box.x1, 0.0f, w), std::clamp(box.y1, 0.0f, h), std::clamp(box.x2, 0.0f, w),
             std::clamp(box.y2, 0.0f, h)};
}

}  // namespace fp::vision
