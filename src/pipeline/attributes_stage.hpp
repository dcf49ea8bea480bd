// AttributesStage: secondary inference. Runs an attribute model on selected objects of each frame
// and writes what it says as attributes of those objects (core/attribute.hpp), which
// detections.jsonl writes under each detection's "attributes".
//
// YAML (after a detector; after a `track` stage for per_track):
//   - attributes:
//       model: genderage_v1      # registry entry of kind `attribute` (or an `embedder`)
//       attribute: reid          # the name of its result (default: the registry's; an
//                                # embedder's: "embedding"); not for genderage (age, gender)
//       classes: [face]          # only objects of these classes (default: all)
//       min_size: 40             # only objects whose shorter box side is at least this (px)
//       min_score: 0.5           # only objects the detector is at least this sure of
//       per_track: {best: 3, every: 10, max: 0}  # of a track, only some objects: the rules of
//                                # faces/track_selection.hpp, the detector's score as quality
//       max_batch: 8             # objects per model call, across objects, frames and streams
//       max_delay_us: 20000      # longest an object waits for its batch to fill
//       backend, device, fallback  # as for detect
//
// The registry entry says what the model sees (`crop`: the box with a margin, a square around
// it, or the face aligned from its 5 landmarks), how the crop becomes its input (`preprocess`,
// `gray`), and how its output is read (`decoder`: genderage, classes, landmarks, embedding).
// Objects not selected get nothing; a tracker's predicted boxes are never selected; a face
// without landmarks cannot be aligned (`no_landmarks`). The counts are in run.json.
//
// Without per_track the stage keeps no state: all selected objects of a frame are submitted to
// the model's Batcher at once and the frame completes when the last result arrives (start()).
// With per_track it follows each stream in frame order (stateful) and waits for its calls.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "faces/track_selection.hpp"
#include "pipeline/object_filter.hpp"
#include "pipeline/stage.hpp"
#include "vision/attribute_decoders.hpp"
#include "vision/blob.hpp"

namespace fp::pipeline {

class AttributesStage : public Stage {
 public:
  static Result<std::unique_ptr<Stage>> create(const StageContext& context);

  const std::string& name() const override { return name_; }
  Status process(FrameResult& item) override;
  bool start(FrameResult& item, std::function<void(Status)> done) override;
  bool in_order() const override { return per_track_.has_value(); }
  nlohmann::ordered_json report() const override;

 private:
  // One selected object of a frame: its index in FrameResult::detections, its crop's place, and
  // the model's input.
  struct Job {
    size_t object = 0;
    cv::Rect2f region;
    cv::Mat blob;
  };
  AttributesStage() = default;
  // The objects of `item` to run the model on (counted), with their inputs.
  std::vector<Job> select(FrameResult& item);
  std::optional<Job> prepare(const cv::Mat& image, const Detection& object) const;
  // The model's `outputs` for `job`, as attributes of its object.
  void apply(FrameResult& item, const Job& job, const infer::Outputs& outputs) const;
  // Every job's outputs applied and counted, timed from `start`; the first failed call's Error.
  Status apply_all(FrameResult& item, const std::vector<Job>& jobs,
                   const std::vector<Result<infer::Outputs>>& outputs,
                   SteadyClock::time_point start);
  void count(const std::string& reason, int64_t n = 1);

  std::string name_;
  infer::PooledModel* model_ = nullptr;  // owned by the run's ModelPool
  vision::Normalization normalization_;
  std::string attribute_;
  ObjectFilter filter_;
  std::optional<faces::TrackSelectionOptions> per_track_;
  std::map<int, faces::TrackSelection> selections_;  // by stream (per_track only)

  mutable std::mutex mutex_;  // guards the counts
  int64_t objects_ = 0, inferred_ = 0;
  std::map<std::string, int64_t> skipped_;
};

}  // namespace fp::pipeline
