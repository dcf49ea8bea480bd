#include "vision/yolox_decoder.hpp"

#include <cmath>
#include <string>

namespace fp::vision {

namespace {
constexpr int kStrides[] = {8, 16, 32};
}

Result<std::vector<Detection>> YoloxDecoder::decode(const std::vector<cv::Mat>& outputs,
                                                    cv::Size input, float conf) const {
  if (outputs.size() != 1 || outputs[0].dims != 3) {
    return Error("YOLOX decoder expects one [1, N, 5+classes] output");
  }
  const cv::Mat& out = outputs[0];
  const int rows = out.size[1];
  const int width = out.size[2];
  const int classes = width - 5;
  int expected_rows = 0;
  for (int s : kStrides) expected_rows += (input.width / s) * (input.height / s);
  if (classes < 1 || rows != expected_rows) {
    return Error("YOLOX output has " + std::to_string(rows) + " rows, expected " +
                 std::to_string(expected_rows) + " for a " + std::to_string(input.width) + "x" +
                 std::to_string(input.height) + " input");
  }
  std::vector<Detection> detections;
  const float* p = out.ptr<float>();
  for (int s : kStrides) {
    const int grid_w = input.width / s;
    const int grid_h = input.height / s;
    for (int gy = 0; gy < grid_h; ++gy) {
      for (int gx = 0; gx < grid_w; ++gx, p += width) {
        const float objectness = p[4];
        if (objectness < conf) continue;  // class scores are <= 1, so no class can reach conf
        int best = 0;
        for (int c = 1; c < classes; ++c) {
          if (p[5 + c] > p[5 + best]) best = c;
        }
        const float score = objectness * p[5 + best];
        if (score < conf) continue;
        const float cx = (p[0] + gx) * s;
        const float cy = (p[1] + gy) * s;
        const float w = std::exp(p[2]) * s;
        const float h = std::exp(p[3]) * s;
        detections.push_back({{cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2}, best, score, {}});
      }
    }
  }
  return detections;
}

}  // namespace fp::vision
