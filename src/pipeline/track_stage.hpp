// TrackStage: gives each detection the id of the track it belongs to, per stream (track/).
//
// YAML (after the detector):
//   - track:
//       tracker: bytetrack     # or iou: matching by overlap alone, no motion model
//       high_score: 0.6        # detections from here join tracks first (ByteTrack paper values)
//       low_score: 0.1         # [low, high): can only continue a track (ByteTrack)
//       new_track_score: 0.7   # an unmatched detection from here starts a track
//       min_iou: 0.2           # least overlap (times score) for a match
//       low_min_iou: 0.5       # least overlap for a low-score detection
//       lost_seconds: 1.0      # a track unseen this long ends
//
// With the detector's `detect_every: N`, frames the detector skipped get the tracks' predicted
// boxes, marked `predicted: true`. Outputs: tracks.jsonl and tracks.txt (see
// outputs/track_sinks.hpp). The stage is stateful: one worker at a time runs it, on each stream's
// frames in order (Stage::in_order), wherever it sits (before `face_select` and `faces` in
// examples/faces.yaml).
#pragma once

#include <map>
#include <memory>

#include "pipeline/stage.hpp"
#include "track/tracker.hpp"

namespace fp::pipeline {

class TrackStage : public Stage {
 public:
  static Result<std::unique_ptr<Stage>> create(const StageContext& context);

  const std::string& name() const override { return name_; }
  Status process(FrameResult& item) override;
  bool in_order() const override { return true; }
  bool gives_track_ids() const override { return true; }
  nlohmann::ordered_json report() const override;

 private:
  TrackStage() = default;
  std::string name_;
  track::TrackerOptions options_;
  std::map<int, std::unique_ptr<track::Tracker>> trackers_;  // by stream
  int64_t detected_frames_ = 0;
  int64_t predicted_frames_ = 0;
  int64_t predicted_boxes_ = 0;
  std::map<int, int64_t> tracks_;  // by stream: the highest id given
};

}  // namespace fp::pipeline
