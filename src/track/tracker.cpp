#include "track/tracker.hpp"

#include <algorithm>

#include "track/byte_tracker.hpp"
#include "track/iou_tracker.hpp"
#include "vision/nms.hpp"

namespace fp::track {

std::unique_ptr<Tracker> create_tracker(const TrackerOptions& options) {
  if (options.kind == TrackerKind::kIou) return std::make_unique<IouTracker>(options);
  return std::make_unique<ByteTracker>(options);
}

std::vector<Edge> iou_costs(const std::vector<Detection>& tracks,
                            const std::vector<const Detection*>& detections, bool fuse_score) {
  // Detections by left edge: a track can only overlap those starting before its right edge and
  // no further left than its own left edge minus the widest detection.
  std::vector<int> order(detections.size());
  float widest = 0;
  for (size_t d = 0; d < detections.size(); ++d) {
    order[d] = static_cast<int>(d);
    widest = std::max(widest, detections[d]->box.width());
  }
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return detections[a]->box.x1 < detections[b]->box.x1; });
  std::vector<float> lefts;
  for (int d : order) lefts.push_back(detections[d]->box.x1);

  std::vector<Edge> edges;
  for (size_t t = 0; t < tracks.size(); ++t) {
    const Box& box = tracks[t].box;
    auto it = std::lower_bound(lefts.begin(), lefts.end(), box.x1 - widest);
    for (; it != lefts.end() && *it < box.x2; ++it) {
      const int d = order[it - lefts.begin()];
      const Detection& det = *detections[d];
      if (det.class_id != tracks[t].class_id) continue;
      double similarity = vision::iou(box, det.box);
      if (similarity <= 0) continue;
      if (fuse_score) similarity *= det.score;
      edges.push_back(Edge{static_cast<int>(t), d, 1.0 - similarity});
    }
  }
  return edges;
}

}  // namespace fp::track
