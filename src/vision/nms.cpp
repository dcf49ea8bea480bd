#include "vision/nms.hpp"

#include <algorithm>

namespace fp::vision {

float iou(const Box& a, const Box& b) {
  const Box inter{std::max(a.x1, b.x1), std::max(a.y1, b.y1), std::min(a.x2, b.x2),
                  std::min(a.y2, b.y2)};
  const float i = inter.area();
  const float u = a.area() + b.area() - i;
  return u > 0 ? i / u : 0.0f;
}

std::vector<Detection> nms_per_class(std::vector<Detection> detections, float iou_threshold) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  for (const Detection& candidate : detections) {
    const bool suppressed = std::any_of(kept.begin(), kept.end(), [&](const Detection& k) {
      return k.class_id == candidate.class_id && iou(k.box, candidate.box) > iou_threshold;
    });
    if (!suppressed) kept.push_back(candidate);
  }
  return kept;
}

}  // namespace fp::vision
