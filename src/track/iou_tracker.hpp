// IoU tracker: the simpler choice. No motion model: each track keeps its last box, and the
// detections of a frame are matched to the tracks by IoU (Hungarian, least IoU `min_iou`). An
// unmatched detection from `new_track_score` starts a track at once; a track unseen for longer
// than `lost_seconds` ends. Between detections (detect_every > 1) tracks stay where they were.
#pragma once

#include "track/tracker.hpp"

namespace fp::track {

class IouTracker : public Tracker {
 public:
  explicit IouTracker(const TrackerOptions& options) : options_(options) {}
  std::vector<TrackedBox> update(const std::vector<Detection>& detections, double time) override;
  std::vector<TrackedBox> predict(double time) override;

 private:
  struct Track {
    int64_t id = 0;
    Detection last;
    double last_seen = 0;
    bool seen_last_update = true;
  };
  void end_lost_tracks(double time);

  TrackerOptions options_;
  std::vector<Track> tracks_;
  int64_t next_id_ = 1;
};

}  // namespace fp::track
