#include "track/iou_tracker.hpp"

#include "track/assignment.hpp"

namespace fp::track {

std::vector<TrackedBox> IouTracker::update(const std::vector<Detection>& detections, double time) {
  std::vector<Detection> last_boxes;
  for (const Track& track : tracks_) last_boxes.push_back(track.last);
  std::vector<const Detection*> candidates;
  for (const Detection& det : detections) {
    if (det.score >= options_.low_score) candidates.push_back(&det);
  }
  const Matching matching =
      assign_with_limit(static_cast<int>(last_boxes.size()), static_cast<int>(candidates.size()),
                        iou_costs(last_boxes, candidates, false), 1.0 - options_.min_iou);

  std::vector<TrackedBox> assigned(detections.size());
  auto assign = [&](const Track& track, const Detection* det) {
    assigned[det - detections.data()] =
        TrackedBox{track.id, det->box, det->score, det->class_id, det->label};
  };
  for (Track& track : tracks_) track.seen_last_update = false;
  for (const auto& [row, col] : matching.pairs) {
    Track& track = tracks_[row];
    track.last = *candidates[col];
    track.last_seen = time;
    track.seen_last_update = true;
    assign(track, candidates[col]);
  }
  for (int col : matching.unmatched_cols) {
    if (candidates[col]->score < options_.new_track_score) continue;
    tracks_.push_back(Track{next_id_++, *candidates[col], time, true});
    assign(tracks_.back(), candidates[col]);
  }
  end_lost_tracks(time);
  return assigned;
}

std::vector<TrackedBox> IouTracker::predict(double time) {
  std::vector<TrackedBox> boxes;
  for (const Track& track : tracks_) {
    if (track.seen_last_update) {
      boxes.push_back(TrackedBox{track.id, track.last.box, track.last.score, track.last.class_id,
                                 track.last.label});
    }
  }
  end_lost_tracks(time);
  return boxes;
}

void IouTracker::end_lost_tracks(double time) {
  std::vector<Track> kept;
  for (Track& track : tracks_) {
    if (lost_too_long(time, track.last_seen, options_.lost_seconds)) {
      ended_.push_back(track.id);
    } else {
      kept.push_back(std::move(track));
    }
  }
  tracks_ = std::move(kept);
}

}  // namespace fp::track
