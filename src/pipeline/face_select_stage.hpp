// FaceSelectStage: checks each face and, per track, picks the few worth embedding, so that the
// `faces` stage after it embeds a handful of faces per track instead of every face (issue 12:
// secondary inference on selected objects).
//
// YAML (after a `track` stage, before `faces`):
//   - face_select:
//       best: 5             # take a face only while it is among the 5 best taken from its track
//       every: 1            # and at least this many sampled frames after the last one taken
//       max: 0              # and at most this many per track (0: no limit)
//       min_face_size: 20   # the faces stage's checks, applied here for it (faces_stage.hpp)
//       min_score: 0.7
//       min_sharpness: 15
//
// Each face gets the checks (check_faces). One that passes and has a track id is offered to its
// track's TrackSelection (faces/track_selection.hpp: the rules of best, every and max), in the
// stream's frame order, and is marked `not_sampled` unless taken; faces without a track id are all
// taken. The verdicts go in FrameResult::faces, and the faces stage embeds the faces taken. With
// best: 5, the number of faces a track's embedding averages (face_sinks.hpp), the faces taken
// include each track's 5 best, so the track embeddings, and so the identities, are those of
// embedding every face. The stage is stateful (one worker at a time, each stream in frame order);
// a track's state is dropped when the tracker ends it.
#pragma once

#include <map>
#include <memory>

#include "faces/track_selection.hpp"
#include "pipeline/stage.hpp"

namespace fp::pipeline {

// The keys `best`, `every` and `max` of `config` into `options` (kept when absent); `items` names
// what is picked in messages ("faces").
Status read_track_selection(const YamlMap& config, faces::TrackSelectionOptions& options,
                            const std::string& items);

class FaceSelectStage : public Stage {
 public:
  static Result<std::unique_ptr<Stage>> create(const StageContext& context);

  const std::string& name() const override { return name_; }
  Status process(FrameResult& item) override;
  bool in_order() const override { return true; }
  const faces::QualityOptions* face_checks() const override { return &quality_; }
  nlohmann::ordered_json report() const override;

 private:
  FaceSelectStage() = default;

  std::string name_;
  faces::QualityOptions quality_;
  faces::TrackSelectionOptions options_;
  std::map<int, faces::TrackSelection> selections_;  // by stream
  int64_t faces_ = 0, passed_ = 0, taken_ = 0, untracked_ = 0;
};

}  // namespace fp::pipeline
