#include "vision/nms.hpp"

#include <algorithm>

namespace fp::vision {

namespace {

float intersection(const Box& a, const Box& b) {
  return Box{std::max(a.x1, b.x1), std::max(a.y1, b.y1), std::min(a.x2, b.x2), std::min(a.y2, b.y2)}
      .area();
}

}  // namespace

float iou(const Box& a, const Box& b) {
  const float i = intersection(a, b);
  const float u = a.area() + b.area() - i;
  return u > 0 ? i / u : 0.0f;
}

float ios(const Box& a, const Box& b) {
  const float smaller = std::min(a.area(), b.area());
  return smaller > 0 ? intersection(a, b) / smaller : 0.0f;
}

std::vector<Detection> merge_per_class(std::vector<Detection> detections, MergeMethod method,
                                       Overlap overlap, float threshold) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  const auto overlaps = overlap == Overlap::kIou ? iou : ios;
  std::vector<Detection> kept;
  for (Detection& candidate : detections) {
    const auto group = std::find_if(kept.begin(), kept.end(), [&](const Detection& k) {
      return k.class_id == candidate.class_id && overlaps(k.box, candidate.box) > threshold;
    });
    if (group == kept.end()) {
      kept.push_back(std::move(candidate));
    } else if (method == MergeMethod::kNmm) {
      Box& box = group->box;
      box = Box{std::min(box.x1, candidate.box.x1), std::min(box.y1, candidate.box.y1),
                std::max(box.x2, candidate.box.x2), std::max(box.y2, candidate.box.y2)};
    }
  }
  return kept;
}

std::vector<Detection> nms_per_class(std::vector<Detection> detections, float iou_threshold) {
  return merge_per_class(std::move(detections), MergeMethod::kNms, Overlap::kIou, iou_threshold);
}

}  // namespace fp::vision
