#include "pipeline/face_select_stage.hpp"

#include "pipeline/faces_stage.hpp"

namespace fp::pipeline {

Result<std::unique_ptr<Stage>> FaceSelectStage::create(const StageContext& context) {
  const YamlMap& config = context.config;
  FP_RETURN_IF_ERROR(config.check_keys(
      {"name", "best", "every", "max", "min_face_size", "min_score", "min_sharpness"}));
  FP_RETURN_IF_ERROR(context.require_tracked("picks faces per track"));
  std::unique_ptr<FaceSelectStage> stage(new FaceSelectStage());
  stage->name_ = context.name;
  FP_RETURN_IF_ERROR(read_track_selection(config, stage->options_, "faces"));
  FP_RETURN_IF_ERROR(read_face_checks(config, stage->quality_));
  return std::unique_ptr<Stage>(std::move(stage));
}

Status read_track_selection(const YamlMap& config, faces::TrackSelectionOptions& options,
                            const std::string& items) {
  FP_RETURN_IF_ERROR(config.read("best", options.best));
  if (options.best < 0 || options.best > 1000) {
    return config.error_at("best", "'best' must be from 0 (no limit) to 1000 " + items);
  }
  FP_RETURN_IF_ERROR(config.read("every", options.every));
  if (options.every < 1 || options.every > 1'000'000) {
    return config.error_at("every", "'every' must be from 1 (any frame) to 1000000 frames");
  }
  FP_RETURN_IF_ERROR(config.read("max", options.max));
  if (options.max < 0 || options.max > 1'000'000) {
    return config.error_at("max", "'max' must be from 0 (no limit) to 1000000 " + items);
  }
  return ok_status();
}

Status FaceSelectStage::process(FrameResult& item) {
  const auto start = SteadyClock::now();
  check_faces(item, quality_);
  faces::TrackSelection& selection =
      selections_.try_emplace(item.frame.stream, options_).first->second;
  for (size_t i : faces::checked_faces(item.detections)) {
    Detection& face = item.detections[i];
    ++faces_;
    if (!faces::face_passed_checks(face)) continue;
    ++passed_;
    // A face that passed the checks has its quality (faces/face_attributes.hpp).
    const double quality = *find_number(face.attributes, faces::kFaceQuality);
    if (face.track_id == 0) {
      ++untracked_;
    } else if (!selection.offer(face.track_id, item.sequence, quality)) {
      faces::set_face_skipped(face, faces::kNotSampled);
      item.aligned_faces[i].release();  // only embedded faces are cropped out
      continue;
    }
    ++taken_;
  }
  for (int64_t id : item.ended_tracks) selection.end(id);
  item.add_timing(name_, start);
  return ok_status();
}

nlohmann::ordered_json FaceSelectStage::report() const {
  return {{"best", options_.best},
          {"every", options_.every},
          {"max", options_.max},
          {"faces", faces_},
          {"passed_checks", passed_},
          {"taken", taken_},
          {"not_sampled", passed_ - taken_},
          {"taken_without_track", untracked_}};
}

}  // namespace fp::pipeline
