#include "track/mot_sequence.hpp"

#include <set>

namespace fp::track {

namespace {

MotRow result_row(int64_t frame, int64_t id, const Box& box, double conf) {
  return MotRow{frame, id, box.x1, box.y1, box.width(), box.height(), conf};
}

}  // namespace

SequenceResult track_sequence(const std::vector<MotRow>& detections,
                              const SequenceOptions& options) {
  SequenceResult result;
  const std::unique_ptr<Tracker> tracker = create_tracker(options.tracker);
  const int64_t last_frame = detections.empty() ? 0 : detections.back().frame;
  std::set<int64_t> ids;
  size_t next = 0;  // first detection of the current frame (rows are sorted by frame)
  for (int64_t frame = 1; frame <= last_frame; ++frame) {
    std::vector<Detection> frame_detections;
    for (; next < detections.size() && detections[next].frame == frame; ++next) {
      const MotRow& row = detections[next];
      const auto s = static_cast<float>(options.scale);
      const Box b = row.box();
      frame_detections.push_back(Detection{Box{b.x1 * s, b.y1 * s, b.x2 * s, b.y2 * s}, 0,
                                           static_cast<float>(row.conf), "object"});
    }
    const double time = static_cast<double>(frame - 1) / options.fps;
    if ((frame - 1) % options.detect_every == 0) {
      ++result.detector_frames;
      // A detected frame reports the detections themselves, labelled with their tracks.
      const std::vector<TrackedBox> tracked = tracker->update(frame_detections, time);
      for (size_t d = 0; d < tracked.size(); ++d) {
        if (tracked[d].id == 0) continue;
        const Detection& det = frame_detections[d];
        result.rows.push_back(result_row(frame, tracked[d].id, det.box, det.score));
        result.predicted.push_back(false);
        ids.insert(tracked[d].id);
      }
    } else {
      for (const TrackedBox& tracked : tracker->predict(time)) {
        result.rows.push_back(result_row(frame, tracked.id, tracked.box, tracked.score));
        result.predicted.push_back(true);
        ids.insert(tracked.id);
      }
    }
  }
  result.frames = last_frame;
  result.tracks = static_cast<int64_t>(ids.size());
  return result;
}

}  // namespace fp::track
