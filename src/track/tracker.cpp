#include "track/tracker.hpp"

#include "track/byte_tracker.hpp"
#include "track/iou_tracker.hpp"
#include "vision/nms.hpp"

namespace fp::track {

std::unique_ptr<Tracker> create_tracker(const TrackerOptions& options) {
  if (options.kind == TrackerKind::kIou) return std::make_unique<IouTracker>(options);
  return std::make_unique<ByteTracker>(options);
}

cv::Mat_<double> iou_cost(const std::vector<Detection>& tracks,
                          const std::vector<const Detection*>& detections, bool fuse_score) {
  cv::Mat_<double> cost(static_cast<int>(tracks.size()), static_cast<int>(detections.size()));
  for (size_t t = 0; t < tracks.size(); ++t) {
    for (size_t d = 0; d < detections.size(); ++d) {
      const Detection& det = *detections[d];
      double similarity = 0;
      if (det.class_id == tracks[t].class_id) {
        similarity = vision::iou(tracks[t].box, det.box);
        if (fuse_score) similarity *= det.score;
      }
      cost(static_cast<int>(t), static_cast<int>(d)) = 1.0 - similarity;
    }
  }
  return cost;
}

}  // namespace fp::track
