// YOLOX raw-head decoder (anchor-free grid, strides 8/16/32; see shared MODELS.md).
#pragma once

#include "vision/detection_decoder.hpp"

namespace fp::vision {

class YoloxDecoder : public DetectionDecoder {
 public:
  std::vector<std::string> output_names() const override { return {"output"}; }
  // Output [1, N, 5 + classes]: per row cx, cy, log w, log h offsets, objectness, class scores
  // (both already sigmoid); rows run stride 8 first, then (y, x) row-major within a stride.
  Result<std::vector<Detection>> decode(const std::vector<cv::Mat>& outputs, cv::Size input,
                                        float conf) const override;
};

}  // namespace fp::vision
