// ByteTrack (Zhang et al., ECCV 2022), written from the paper and its published parameters:
// 1. every track's Kalman state moves one frame ahead;
// 2. high-score detections are matched to confirmed tracks, followed or lost, by IoU fused with
//    the detection score (Hungarian, cost limit);
// 3. low-score detections are matched to the followed tracks left over by plain IoU: this keeps
//    tracks through occlusions where the detector's confidence drops; tracks still unmatched are
//    lost;
// 4. tracks created on the previous frame are confirmed when a remaining high detection matches
//    them, else dropped;
// 5. remaining detections above the new-track score start tracks (confirmed at once on the
//    first frame);
// 6. tracks lost for longer than the buffer end, and of a followed and a lost track overlapping
//    by IoU > 0.85 the younger is dropped as a duplicate.
#pragma once

#include "track/kalman_filter.hpp"
#include "track/tracker.hpp"

namespace fp::track {

class ByteTracker : public Tracker {
 public:
  explicit ByteTracker(const TrackerOptions& options) : options_(options) {}
  std::vector<TrackedBox> update(const std::vector<Detection>& detections, double time) override;
  std::vector<TrackedBox> predict(double time) override;

 private:
  struct Track {
    int64_t id = 0;  // 0 while unconfirmed
    KalmanState kalman;
    bool lost = false;
    double last_seen = 0;
    int64_t born = 0;  // update count at creation: the older of two duplicates is kept
    float score = 0;
    int class_id = 0;
    std::string label;
  };

  // Associates `tracks` (indices into tracks_) with `detections` (indices into `all`); matched
  // tracks take their detection. Returns the unmatched track and detection indices.
  std::pair<std::vector<size_t>, std::vector<size_t>> associate(
      const std::vector<size_t>& tracks, const std::vector<Detection>& all,
      const std::vector<size_t>& detections, float min_iou, bool fuse_score, double time,
      std::vector<int64_t>& ids);
  void take_detection(Track& track, const Detection& detection, double time);
  void end_lost_tracks(double time);
  void drop_duplicates();
  void drop(std::vector<bool>& dropped);

  TrackerOptions options_;
  std::vector<Track> tracks_;
  int64_t updates_ = 0;
  int64_t next_id_ = 1;
};

}  // namespace fp::track
