// Multi-object trackers: ByteTrack (Kalman motion, two-stage association) and a plain IoU tracker.
//
// A tracker follows one stream. Each frame where the detector ran goes to update(), in order, with
// its time; each frame where it did not (detect_every > 1) goes to predict(). Detections of
// different classes never join the same track. Track ids are 1, 2, ... per tracker, given when a
// track is confirmed, so ids have no gaps.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/detection.hpp"
#include "track/assignment.hpp"

namespace fp::track {

enum class TrackerKind { kByteTrack, kIou };

// Defaults are the ByteTrack paper's (section 4.2): high score 0.6, low 0.1, new tracks from
// 0.7, a match needs IoU 0.2, lost tracks kept 30 frames (at 30 fps: 1 s); the second
// association's IoU 0.5 is its code's.
struct TrackerOptions {
  TrackerKind kind = TrackerKind::kByteTrack;
  float high_score = 0.6f;       // detections from here take part in the first association
  float low_score = 0.1f;        // [low, high): the second association only (ByteTrack)
  float new_track_score = 0.7f;  // an unmatched detection from here starts a track
  float min_iou = 0.2f;          // first association: least IoU (times score) to match
  float low_min_iou = 0.5f;      // second association: least IoU to match
  double lost_seconds = 1.0;     // a track unseen for longer is ended
};

// A confirmed track's box in a frame: its Kalman estimate (ByteTrack) or last detection (IoU).
struct TrackedBox {
  int64_t id = 0;
  Box box;
  float score = 0;  // the score of its last detection
  int class_id = 0;
  std::string label;
};

class Tracker {
 public:
  virtual ~Tracker() = default;
  // A frame where the detector ran. Returns, for each detection, the confirmed track it now
  // belongs to, with the track's box after taking it; id 0 when it belongs to none (too low a
  // score, or a track not yet confirmed).
  virtual std::vector<TrackedBox> update(const std::vector<Detection>& detections, double time) = 0;
  // A frame where the detector did not run: tracks move on by prediction. Returns the boxes of
  // the confirmed tracks being followed (not those already lost).
  virtual std::vector<TrackedBox> predict(double time) = 0;
  // Ids of confirmed tracks ended since the last call (lost too long, or merged as duplicates).
  std::vector<int64_t> take_ended() { return std::exchange(ended_, {}); }

 protected:
  std::vector<int64_t> ended_;
};

std::unique_ptr<Tracker> create_tracker(const TrackerOptions& options);

// Whether a track last seen at `last_seen` has been unseen for longer than `lost_seconds` at
// `time` (with a microsecond of slack for rounding in frame timestamps).
inline bool lost_too_long(double time, double last_seen, double lost_seconds) {
  return time - last_seen > lost_seconds + 1e-6;
}

// Association costs between track boxes (rows) and detections (columns) that overlap and share
// their class: 1 - IoU, or with `fuse_score` 1 - IoU x score (ByteTrack's fusion). Pairs not
// listed cannot match. Boxes are swept by x, so a crowd costs about its number of overlaps, not
// tracks x detections.
std::vector<Edge> iou_costs(const std::vector<Detection>& tracks,
                            const std::vector<const Detection*>& detections, bool fuse_score);

}  // namespace fp::track
