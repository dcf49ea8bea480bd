// Letterbox: fit an image into a model's input size, and map boxes back to the source image.
#pragma once

#include <opencv2/core/mat.hpp>
#include <vector>

#include "core/detection.hpp"

namespace fp::vision {

enum class ResizeMode {
  kLetterboxTopLeft,  // keep aspect ratio, image at the top-left, pad right/bottom (YOLOX)
  kLetterboxCenter,   // keep aspect ratio, image centred (NanoDet)
  kStretch,           // plain resize to the input size (UltraFace)
};

// The filter of the resize, whatever the mode; a model's reference preprocessing fixes it.
enum class Interpolation {
  kLinear,  // cv::INTER_LINEAR (YOLOX)
  kArea,    // cv::INTER_AREA: averages source pixels when shrinking (NanoDet)
};

// Maps network-input pixels back to source pixels: source = (input - pad) / scale.
struct InputTransform {
  float scale_x = 1, scale_y = 1;
  float pad_x = 0, pad_y = 0;

  Box to_source(const Box& box) const;
  // Maps x, y pairs (e.g. Detection::keypoints) the same way as boxes; not clipped, since a
  // landmark of a face cut by the frame edge may lie outside the image.
  std::vector<float> points_to_source(const std::vector<float>& xy) const;
};

// Resizes `image` into a `target`-sized image per `mode` with `interpolation`, filling the border
// with `pad_value`. Writes the transform that undoes it.
cv::Mat fit_to_input(const cv::Mat& image, cv::Size target, ResizeMode mode,
                     Interpolation interpolation, double pad_value, InputTransform* transform);

// Clips a box to an image of the given size.
Box clip_box(const Box& box, cv::Size image_size);

}  // namespace fp::vision
