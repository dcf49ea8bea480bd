#include "track/byte_tracker.hpp"

#include <unordered_map>

#include "track/assignment.hpp"

namespace fp::track {

namespace {

// Step 4's limit (ByteTrack's 0.7 cost for tracks awaiting confirmation): IoU x score above 0.3.
constexpr float kConfirmMinIou = 0.3f;
// Step 6: a followed and a lost track closer than this are one object twice.
constexpr float kDuplicateIou = 0.85f;

}  // namespace

void ByteTracker::take_detection(Track& track, const Detection& detection, double time) {
  KalmanBoxFilter::update(track.kalman, detection.box);
  track.lost = false;
  track.last_seen = time;
  track.score = detection.score;
  track.label = detection.label;
}

std::pair<std::vector<size_t>, std::vector<size_t>> ByteTracker::associate(
    const std::vector<size_t>& tracks, const std::vector<Detection>& all,
    const std::vector<size_t>& detections, float min_iou, bool fuse_score, double time,
    std::vector<int64_t>& ids) {
  std::vector<Detection> track_boxes;
  for (size_t t : tracks) {
    track_boxes.push_back(Detection{
        KalmanBoxFilter::box(tracks_[t].kalman), tracks_[t].class_id, tracks_[t].score, {}});
  }
  std::vector<const Detection*> candidates;
  for (size_t d : detections) candidates.push_back(&all[d]);
  const Matching matching =
      assign_with_limit(static_cast<int>(tracks.size()), static_cast<int>(candidates.size()),
                        iou_costs(track_boxes, candidates, fuse_score), 1.0 - min_iou);
  for (const auto& [row, col] : matching.pairs) {
    Track& track = tracks_[tracks[row]];
    const size_t d = detections[col];
    take_detection(track, all[d], time);
    if (track.id == 0) track.id = next_id_++;  // an unconfirmed track matched again: confirmed
    ids[d] = track.id;
  }
  std::pair<std::vector<size_t>, std::vector<size_t>> unmatched;
  for (int row : matching.unmatched_rows) unmatched.first.push_back(tracks[row]);
  for (int col : matching.unmatched_cols) unmatched.second.push_back(detections[col]);
  return unmatched;
}

std::vector<TrackedBox> ByteTracker::update(const std::vector<Detection>& detections, double time) {
  ++updates_;
  for (Track& track : tracks_) KalmanBoxFilter::predict(track.kalman, track.lost);

  std::vector<size_t> high, low;
  for (size_t d = 0; d < detections.size(); ++d) {
    const float score = detections[d].score;
    if (score >= options_.high_score) {
      high.push_back(d);
    } else if (score >= options_.low_score) {
      low.push_back(d);
    }
  }
  std::vector<size_t> confirmed, unconfirmed;
  for (size_t t = 0; t < tracks_.size(); ++t)
    (tracks_[t].id != 0 ? confirmed : unconfirmed).push_back(t);

  std::vector<int64_t> ids(detections.size(), 0);
  // Step 2: high-score detections against every confirmed track, followed or lost.
  auto [left_tracks, left_high] =
      associate(confirmed, detections, high, options_.min_iou, true, time, ids);
  // Step 3: low-score detections against the followed tracks still unmatched.
  std::vector<size_t> followed;
  for (size_t t : left_tracks) {
    if (!tracks_[t].lost) followed.push_back(t);
  }
  const auto [unseen, unused_low] =
      associate(followed, detections, low, options_.low_min_iou, false, time, ids);
  for (size_t t : unseen) tracks_[t].lost = true;
  // Step 4: last frame's new tracks are confirmed by a remaining high detection, or dropped.
  const auto [unconfirmed_left, new_tracks] =
      associate(unconfirmed, detections, left_high, kConfirmMinIou, true, time, ids);
  std::vector<bool> dropped(tracks_.size(), false);
  for (size_t t : unconfirmed_left) dropped[t] = true;
  drop(dropped);
  // Step 5: new tracks; on the first frame there is nothing to confirm them against.
  for (size_t d : new_tracks) {
    const Detection& det = detections[d];
    if (det.score < options_.new_track_score) continue;
    Track track;
    track.kalman = KalmanBoxFilter::initiate(det.box);
    track.last_seen = time;
    track.born = updates_;
    track.score = det.score;
    track.class_id = det.class_id;
    track.label = det.label;
    if (updates_ == 1) {
      track.id = next_id_++;
      ids[d] = track.id;
    }
    tracks_.push_back(std::move(track));
  }
  // Step 6.
  end_lost_tracks(time);
  drop_duplicates();
  // A detection whose track was just dropped as a duplicate belongs to no track.
  std::unordered_map<int64_t, const Track*> live;
  for (const Track& track : tracks_) live[track.id] = &track;
  std::vector<TrackedBox> assigned(detections.size());
  for (size_t d = 0; d < detections.size(); ++d) {
    const auto it = live.find(ids[d]);
    if (ids[d] == 0 || it == live.end()) continue;
    const Track& track = *it->second;
    assigned[d] = TrackedBox{track.id, KalmanBoxFilter::box(track.kalman), track.score,
                             track.class_id, track.label};
  }
  return assigned;
}

std::vector<TrackedBox> ByteTracker::predict(double time) {
  std::vector<TrackedBox> boxes;
  for (Track& track : tracks_) {
    KalmanBoxFilter::predict(track.kalman, track.lost);
    if (track.id != 0 && !track.lost) {
      boxes.push_back(TrackedBox{track.id, KalmanBoxFilter::box(track.kalman), track.score,
                                 track.class_id, track.label});
    }
  }
  end_lost_tracks(time);
  return boxes;
}

void ByteTracker::end_lost_tracks(double time) {
  std::vector<bool> dropped(tracks_.size(), false);
  for (size_t t = 0; t < tracks_.size(); ++t) {
    const Track& track = tracks_[t];
    dropped[t] = track.lost && lost_too_long(time, track.last_seen, options_.lost_seconds);
  }
  drop(dropped);
}

void ByteTracker::drop_duplicates() {
  std::vector<size_t> followed, lost;
  std::vector<Detection> followed_boxes, lost_boxes;
  for (size_t t = 0; t < tracks_.size(); ++t) {
    const Track& track = tracks_[t];
    (track.lost ? lost : followed).push_back(t);
    (track.lost ? lost_boxes : followed_boxes)
        .push_back(Detection{KalmanBoxFilter::box(track.kalman), track.class_id, 1.0f, {}});
  }
  std::vector<const Detection*> lost_pointers;
  for (const Detection& d : lost_boxes) lost_pointers.push_back(&d);
  std::vector<bool> dropped(tracks_.size(), false);
  for (const Edge& e : iou_costs(followed_boxes, lost_pointers, false)) {
    if (1.0 - e.cost <= kDuplicateIou) continue;
    const size_t a = followed[e.row], b = lost[e.col];
    dropped[tracks_[a].born < tracks_[b].born ? b : a] = true;  // ties keep the lost one
  }
  drop(dropped);
}

void ByteTracker::drop(std::vector<bool>& dropped) {
  std::vector<Track> kept;
  for (size_t t = 0; t < tracks_.size(); ++t) {
    if (!dropped[t]) {
      kept.push_back(std::move(tracks_[t]));
    } else if (tracks_[t].id != 0) {
      ended_.push_back(tracks_[t].id);
    }
  }
  tracks_ = std::move(kept);
}

}  // namespace fp::track
