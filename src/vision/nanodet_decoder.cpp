#include "vision/nanodet_decoder.hpp"

#include <array>
#include <cmath>
#include <string>

namespace fp::vision {

namespace {

constexpr int kStrides[] = {8, 16, 32};
constexpr int kBins = 8;

// Expected value over 0..kBins-1 of the softmax of `logits`.
float distribution_mean(const float* logits) {
  float max_logit = logits[0];
  for (int i = 1; i < kBins; ++i) max_logit = std::max(max_logit, logits[i]);
  float sum = 0, weighted = 0;
  for (int i = 0; i < kBins; ++i) {
    const float e = std::exp(logits[i] - max_logit);
    sum += e;
    weighted += e * static_cast<float>(i);
  }
  return weighted / sum;
}

int ceil_div(int a, int b) { return (a + b - 1) / b; }

}  // namespace

std::vector<std::string> NanodetDecoder::output_names() const {
  std::vector<std::string> names;
  for (const char* kind : {"cls_pred_stride_", "dis_pred_stride_"}) {
    for (int s : kStrides) names.push_back(kind + std::to_string(s));
  }
  return names;
}

Result<std::vector<Detection>> NanodetDecoder::decode(const std::vector<cv::Mat>& outputs,
                                                      cv::Size input, float conf) const {
  if (outputs.size() != 6) return Error("NanoDet decoder expects 6 outputs (3 cls, 3 dis)");
  std::vector<Detection> detections;
  for (int level = 0; level < 3; ++level) {
    const int s = kStrides[level];
    const cv::Mat& cls = outputs[level];
    const cv::Mat& dis = outputs[level + 3];
    const int grid_w = ceil_div(input.width, s);
    const int grid_h = ceil_div(input.height, s);
    const int cells = grid_w * grid_h;
    if (cls.dims != 3 || dis.dims != 3 || cls.size[1] != cells || dis.size[1] != cells ||
        dis.size[2] != 4 * kBins) {
      return Error("NanoDet output for stride " + std::to_string(s) + " does not match a " +
                   std::to_string(input.width) + "x" + std::to_string(input.height) + " input");
    }
    const int classes = cls.size[2];
    const float* scores = cls.ptr<float>();
    const float* dists = dis.ptr<float>();
    for (int i = 0; i < cells; ++i, scores += classes, dists += 4 * kBins) {
      int best = 0;
      for (int c = 1; c < classes; ++c) {
        if (scores[c] > scores[best]) best = c;
      }
      if (scores[best] < conf) continue;
      const float cx = static_cast<float>((i % grid_w) * s) + 0.5f * (s - 1);
      const float cy = static_cast<float>((i / grid_w) * s) + 0.5f * (s - 1);
      std::array<float, 4> d{};  // left, top, right, bottom
      for (int side = 0; side < 4; ++side) d[side] = distribution_mean(dists + side * kBins) * s;
      detections.push_back({{cx - d[0], cy - d[1], cx + d[2], cy + d[3]}, best, scores[best], {}});
    }
  }
  return detections;
}

}  // namespace fp::vision
