// NanoDet (legacy GFL head) decoder: per-stride class maps and distance distributions.
#pragma once

#include "vision/detection_decoder.hpp"

namespace fp::vision {

class NanodetDecoder : public DetectionDecoder {
 public:
  // cls_pred_stride_{8,16,32} [1, N, classes] (sigmoid) then dis_pred_stride_{8,16,32} [1, N, 32]:
  // 4 sides x 8 bins whose softmax expectation, times the stride, is the distance to that side.
  std::vector<std::string> output_names() const override;
  Result<std::vector<Detection>> decode(const std::vector<cv::Mat>& outputs, cv::Size input,
                                        float conf) const override;
};

}  // namespace fp::vision
