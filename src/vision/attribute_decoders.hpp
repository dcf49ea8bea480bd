// Attribute models: the crop each sees of an object, and how its output becomes attributes
// (README "Attributes"; the models' reference preprocessing and decoding are in MODELS.md).
#pragma once

#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "core/attribute.hpp"
#include "core/detection.hpp"

namespace fp::vision {

// A crop of a frame and where it lies in the frame (source pixels; it may reach outside).
struct Crop {
  cv::Mat image;
  cv::Rect2f region;
};

// The box widened by `margin_x` pixels left and right and `margin_y` above and below, clipped to
// the image. An empty image when nothing of it is inside.
Crop crop_box(const cv::Mat& frame, const Box& box, float margin_x, float margin_y);

// A square of side `scale` x the box's longer side, centred on the box; outside the frame is
// black. An empty image for an empty box.
Crop crop_square(const cv::Mat& frame, const Box& box, float scale);

// InsightFace gender-age ([1, 202]): "gender" (female | male, softmax of the first two values)
// and "age" (years: the number of the 100 age pairs whose second value is the larger).
std::vector<Attribute> decode_gender_age(const cv::Mat& output);

// Class probabilities ([1, N], N = names.size()): the most likely class as `name`, with its
// probability (a softmax is applied first when the values are not already probabilities).
Attribute decode_classes(const cv::Mat& output, const std::vector<std::string>& names,
                         const std::string& name);

// Landmarks ([1, 2K]: K (x, y) pairs in 0..1 of the crop) in source pixels, as `name`.
Attribute decode_landmarks(const cv::Mat& output, const cv::Rect2f& region,
                           const std::string& name);

}  // namespace fp::vision
