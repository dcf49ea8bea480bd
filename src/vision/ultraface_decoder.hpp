// UltraFace decoder (Ultra-Light-Fast-Generic-Face-Detector-1MB, version-RFB-320): the graph
// already decodes its priors, so this only scales and filters (see shared MODELS.md).
#pragma once

#include "vision/detection_decoder.hpp"

namespace fp::vision {

class UltrafaceDecoder : public DetectionDecoder {
 public:
  // `scores` [1, N, 2] (softmax: background, face) then `boxes` [1, N, 4] (x1, y1, x2, y2
  // normalised to 0..1 of the input).
  std::vector<std::string> output_names() const override { return {"scores", "boxes"}; }
  // Class 0, score = the face column; no keypoints (the model gives no landmarks).
  Result<std::vector<Detection>> decode(const std::vector<cv::Mat>& outputs, cv::Size input,
                                        float conf) const override;
};

}  // namespace fp::vision
