#include "vision/yunet_decoder.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace fp::vision {

namespace {

constexpr int kStrides[] = {8, 16, 32};
constexpr int kLevels = 3;
constexpr int kLandmarks = 5;

// Output groups in the order output_names() asks for them, with their values per cell.
constexpr const char* kGroups[] = {"cls_", "obj_", "bbox_", "kps_"};
constexpr int kGroupWidth[] = {1, 1, 4, 2 * kLandmarks};

}  // namespace

std::vector<std::string> YunetDecoder::output_names() const {
  std::vector<std::string> names;
  for (const char* group : kGroups) {
    for (int s : kStrides) names.push_back(group + std::to_string(s));
  }
  return names;
}

Result<std::vector<Detection>> YunetDecoder::decode(const std::vector<cv::Mat>& outputs,
                                                    cv::Size input, float conf) const {
  if (outputs.size() != 4 * kLevels) {
    return Error("YuNet decoder expects 12 outputs (cls, obj, bbox, kps per stride 8/16/32), got " +
                 std::to_string(outputs.size()));
  }
  std::vector<Detection> detections;
  for (int level = 0; level < kLevels; ++level) {
    const int s = kStrides[level];
    const int cols = input.width / s;
    const int rows = input.height / s;
    const auto cells = static_cast<size_t>(cols) * rows;
    const float* data[4];
    for (int group = 0; group < 4; ++group) {
      const cv::Mat& out = outputs[group * kLevels + level];
      // OpenCV may hand back [1, N, k] or [N, k]; only the element count and type matter.
      if (out.type() != CV_32F || !out.isContinuous() ||
          out.total() != cells * kGroupWidth[group]) {
        return Error("YuNet output " + std::string(kGroups[group]) + std::to_string(s) + " has " +
                     std::to_string(out.total()) + " values, expected " +
                     std::to_string(cells * kGroupWidth[group]) + " for a " +
                     std::to_string(input.width) + "x" + std::to_string(input.height) +
                     " input (width and height must be multiples of 32)");
      }
      data[group] = out.ptr<float>();
    }
    const float* cls = data[0];
    const float* obj = data[1];
    const float* bbox = data[2];
    const float* kps = data[3];
    for (size_t i = 0; i < cells; ++i) {
      const float score =
          std::sqrt(std::clamp(cls[i], 0.0f, 1.0f) * std::clamp(obj[i], 0.0f, 1.0f));
      if (score < conf) continue;
      const auto c = static_cast<float>(i % cols);
      const auto r = static_cast<float>(i / cols);
      const float* b = bbox + 4 * i;
      const float cx = (c + b[0]) * s;
      const float cy = (r + b[1]) * s;
      const float w = std::exp(b[2]) * s;
      const float h = std::exp(b[3]) * s;
      Detection d;
      d.box = {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
      d.class_id = 0;
      d.score = score;
      const float* k = kps + 2 * kLandmarks * i;
      d.keypoints.resize(2 * kLandmarks);
      for (int p = 0; p < kLandmarks; ++p) {
        d.keypoints[2 * p] = (c + k[2 * p]) * s;
        d.keypoints[2 * p + 1] = (r + k[2 * p + 1]) * s;
      }
      detections.push_back(std::move(d));
    }
  }
  return detections;
}

}  // namespace fp::vision
