#include "vision/ultraface_decoder.hpp"

#include <string>

namespace fp::vision {

Result<std::vector<Detection>> UltrafaceDecoder::decode(const std::vector<cv::Mat>& outputs,
                                                        cv::Size input, float conf) const {
  if (outputs.size() != 2) return Error("UltraFace decoder expects 2 outputs (scores, boxes)");
  const cv::Mat& scores = outputs[0];
  const cv::Mat& boxes = outputs[1];
  // OpenCV may hand back [1, N, k] or [N, k]; only the element counts and type matter.
  const size_t rows = scores.total() / 2;
  if (scores.type() != CV_32F || boxes.type() != CV_32F || !scores.isContinuous() ||
      !boxes.isContinuous() || rows == 0 || scores.total() != 2 * rows ||
      boxes.total() != 4 * rows) {
    return Error("UltraFace outputs do not match: scores has " + std::to_string(scores.total()) +
                 " values and boxes " + std::to_string(boxes.total()) +
                 ", expected N x 2 and N x 4");
  }
  const auto w = static_cast<float>(input.width);
  const auto h = static_cast<float>(input.height);
  const float* score = scores.ptr<float>();
  const float* box = boxes.ptr<float>();
  std::vector<Detection> detections;
  for (size_t i = 0; i < rows; ++i, score += 2, box += 4) {
    if (score[1] < conf) continue;
    Detection d;
    d.box = {box[0] * w, box[1] * h, box[2] * w, box[3] * h};
    d.class_id = 0;
    d.score = score[1];
    detections.push_back(std::move(d));
  }
  return detections;
}

}  // namespace fp::vision
