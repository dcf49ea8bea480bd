// Turning an image into a model input tensor.
#pragma once

#include <array>
#include <opencv2/core/mat.hpp>

namespace fp::vision {

struct Normalization {
  bool swap_rb = false;                 // BGR frame -> RGB tensor
  std::array<double, 3> mean{0, 0, 0};  // per tensor channel, subtracted first
  std::array<double, 3> std{1, 1, 1};   // per tensor channel, divides after the mean
};

// A 1xCxHxW float32 tensor of `image` (already at the model's input size; C its channels, 3 or
// 1 for a grey image, which uses the first mean and std).
cv::Mat make_blob(const cv::Mat& image, const Normalization& norm);

}  // namespace fp::vision
