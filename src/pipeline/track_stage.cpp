#include "pipeline/track_stage.hpp"

#include <algorithm>

namespace fp::pipeline {

namespace {

Status read_score(const YamlMap& config, const char* key, float& value) {
  FP_RETURN_IF_ERROR(config.read(key, value));
  if (!(value >= 0 && value <= 1)) {
    return config.error_at(key, "'" + std::string(key) + "' must be from 0 to 1");
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Stage>> TrackStage::create(const StageContext& context) {
  const YamlMap& config = context.config;
  FP_RETURN_IF_ERROR(
      config.check_keys({"name", "tracker", "high_score", "low_score", "new_track_score", "min_iou",
                         "low_min_iou", "lost_seconds"}));
  if (context.detector == nullptr) {
    return config.error_at(nullptr, "stage '" + context.name +
                                        "' tracks detections, but no detector comes before it "
                                        "(put a detect stage or node first)");
  }
  std::unique_ptr<TrackStage> stage(new TrackStage());
  stage->name_ = context.name;
  track::TrackerOptions& options = stage->options_;
  std::string tracker = "bytetrack";
  FP_RETURN_IF_ERROR(config.read("tracker", tracker));
  if (tracker != "bytetrack" && tracker != "iou") {
    return config.error_at("tracker", "unknown tracker '" + tracker + "' (known: bytetrack, iou)");
  }
  options.kind = tracker == "iou" ? track::TrackerKind::kIou : track::TrackerKind::kByteTrack;
  FP_RETURN_IF_ERROR(read_score(config, "high_score", options.high_score));
  FP_RETURN_IF_ERROR(read_score(config, "low_score", options.low_score));
  FP_RETURN_IF_ERROR(read_score(config, "new_track_score", options.new_track_score));
  FP_RETURN_IF_ERROR(read_score(config, "min_iou", options.min_iou));
  FP_RETURN_IF_ERROR(read_score(config, "low_min_iou", options.low_min_iou));
  if (options.low_score > options.high_score) {
    return config.error_at("low_score", "'low_score' must not be above 'high_score'");
  }
  FP_RETURN_IF_ERROR(config.read("lost_seconds", options.lost_seconds));
  if (!(options.lost_seconds >= 0 && options.lost_seconds <= 3600)) {
    return config.error_at("lost_seconds", "'lost_seconds' must be from 0 to 3600");
  }
  return std::unique_ptr<Stage>(std::move(stage));
}

Status TrackStage::process(FrameResult& item) {
  const auto start = SteadyClock::now();
  const int stream = item.frame.stream;
  std::unique_ptr<track::Tracker>& tracker = trackers_[stream];
  if (!tracker) tracker = track::create_tracker(options_);
  if (item.detector_skipped) {
    item.detections.clear();
    for (const track::TrackedBox& b : tracker->predict(item.frame.pts)) {
      item.detections.push_back(Detection{b.box, b.class_id, b.score, b.label, {}, b.id, true});
    }
    ++predicted_frames_;
    predicted_boxes_ += static_cast<int64_t>(item.detections.size());
  } else {
    const std::vector<track::TrackedBox> assigned =
        tracker->update(item.detections, item.frame.pts);
    for (size_t d = 0; d < assigned.size(); ++d) item.detections[d].track_id = assigned[d].id;
    ++detected_frames_;
  }
  for (const Detection& d : item.detections)
    tracks_[stream] = std::max(tracks_[stream], d.track_id);
  item.ended_tracks = tracker->take_ended();
  item.tracked = true;
  item.add_timing(name_, start);
  return ok_status();
}

nlohmann::ordered_json TrackStage::report() const {
  int64_t tracks = 0;
  for (const auto& [stream, count] : tracks_) tracks += count;
  return {{"tracker", options_.kind == track::TrackerKind::kIou ? "iou" : "bytetrack"},
          {"tracks", tracks},
          {"detected_frames", detected_frames_},
          {"predicted_frames", predicted_frames_},
          {"predicted_boxes", predicted_boxes_}};
}

}  // namespace fp::pipeline
