#include "vision/attribute_decoders.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace fp::vision {

namespace {

// The output's values as floats, whatever its shape ([1, N] or N).
const float* values_of(const cv::Mat& output, size_t needed) {
  if (output.type() != CV_32F || output.total() < needed || !output.isContinuous()) return nullptr;
  return output.ptr<float>();
}

}  // namespace

Crop crop_box(const cv::Mat& frame, const Box& box, float margin_x, float margin_y) {
  const cv::Rect2f wanted(box.x1 - margin_x, box.y1 - margin_y, box.width() + 2 * margin_x,
                          box.height() + 2 * margin_y);
  const cv::Rect inside =
      cv::Rect(
          cv::Point(static_cast<int>(std::floor(wanted.x)), static_cast<int>(std::floor(wanted.y))),
          cv::Point(static_cast<int>(std::ceil(wanted.x + wanted.width)),
                    static_cast<int>(std::ceil(wanted.y + wanted.height)))) &
      cv::Rect(0, 0, frame.cols, frame.rows);
  if (inside.width < 2 || inside.height < 2) return {};
  return {frame(inside), cv::Rect2f(inside)};
}

Crop crop_square(const cv::Mat& frame, const Box& box, float scale) {
  const float side = scale * std::max(box.width(), box.height());
  if (side < 2) return {};
  const float cx = (box.x1 + box.x2) / 2, cy = (box.y1 + box.y2) / 2;
  const cv::Rect square(static_cast<int>(std::round(cx - side / 2)),
                        static_cast<int>(std::round(cy - side / 2)),
                        static_cast<int>(std::round(side)), static_cast<int>(std::round(side)));
  cv::Mat image(square.size(), frame.type(), cv::Scalar::all(0));
  const cv::Rect inside = square & cv::Rect(0, 0, frame.cols, frame.rows);
  if (inside.empty()) return {};
  frame(inside).copyTo(image(inside - square.tl()));
  return {image, cv::Rect2f(square)};
}

std::vector<Attribute> decode_gender_age(const cv::Mat& output) {
  const float* o = values_of(output, 202);
  if (o == nullptr) return {};
  const double e0 = std::exp(o[0] - std::max(o[0], o[1])),
               e1 = std::exp(o[1] - std::max(o[0], o[1]));
  const bool male = o[1] > o[0];
  const float score = static_cast<float>((male ? e1 : e0) / (e0 + e1));
  int age = 0;
  for (int k = 0; k < 100; ++k) age += o[3 + 2 * k] > o[2 + 2 * k] ? 1 : 0;
  return {Attribute{"age", static_cast<double>(age)},
          Attribute{"gender", AttributeLabel{male ? "male" : "female", score}}};
}

Attribute decode_classes(const cv::Mat& output, const std::vector<std::string>& names,
                         const std::string& name) {
  const float* o = values_of(output, names.size());
  if (o == nullptr) return {name, AttributeLabel{}};
  std::vector<double> p(o, o + names.size());
  double sum = 0;
  bool probabilities = true;
  for (double v : p) {
    sum += v;
    probabilities = probabilities && v >= 0 && v <= 1;
  }
  if (!probabilities || std::abs(sum - 1) > 1e-3) {
    const double top = *std::max_element(p.begin(), p.end());
    sum = 0;
    for (double& v : p) sum += (v = std::exp(v - top));
    for (double& v : p) v /= sum;
  }
  const size_t best = static_cast<size_t>(std::max_element(p.begin(), p.end()) - p.begin());
  return {name, AttributeLabel{names[best], static_cast<float>(p[best])}};
}

Attribute decode_landmarks(const cv::Mat& output, const cv::Rect2f& region,
                           const std::string& name) {
  std::vector<float> points(output.total());
  const float* o = values_of(output, points.size());
  for (size_t i = 0; o != nullptr && i + 1 < points.size(); i += 2) {
    points[i] = region.x + o[i] * region.width;
    points[i + 1] = region.y + o[i + 1] * region.height;
  }
  return {name, points};
}

}  // namespace fp::vision
