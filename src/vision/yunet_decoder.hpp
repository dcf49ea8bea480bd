// YuNet 2023mar decoder (libfacedetection.train / opencv_zoo face_detection_yunet_2023mar):
// anchor-free face boxes with 5 landmarks, strides 8/16/32 (see shared MODELS.md, "2. Face
// detection").
#pragma once

#include "vision/detection_decoder.hpp"

namespace fp::vision {

class YunetDecoder : public DetectionDecoder {
 public:
  // cls_{8,16,32} [1, N, 1], obj_{8,16,32} [1, N, 1], bbox_{8,16,32} [1, N, 4] and
  // kps_{8,16,32} [1, N, 10], in that order; N = (W / s) * (H / s) cells, row-major.
  std::vector<std::string> output_names() const override;
  // score = sqrt(cls * obj), both clamped to [0, 1]. Class 0; `keypoints` holds the 5 landmarks
  // (right eye, left eye, nose, right and left mouth corner: the subject's right, which appears on
  // the image's left), in input pixels like the box.
  Result<std::vector<Detection>> decode(const std::vector<cv::Mat>& outputs, cv::Size input,
                                        float conf) const override;
};

}  // namespace fp::vision
