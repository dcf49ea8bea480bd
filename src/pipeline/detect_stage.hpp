// DetectStage: runs an object or face detector on each frame (prepare -> preprocess -> infer ->
// decode).
//
// The model is a registry entry of kind `detector` or `face_detector`. A face detector's classes
// are named "face" unless it has a label list; its landmarks (YuNet: 5 points), when it gives
// any, come out in Detection::keypoints, mapped to source pixels like the boxes.
//
// YAML (inside `stages:`):
//   - detect:
//       model: yolox_nano_416    # registry name (e.g. yunet_2023mar for faces)
//       conf: 0.3                # score threshold (default: the registry's)
//       nms: 0.45                # per-class NMS IoU (default: the registry's)
//       classes: [person]        # keep only these class names (default: all)
//       input_size: [416, 416]   # width, height of the network input (default: the registry's)
//       backend: opencv          # inference backend; an unavailable one is an error...
//       fallback: cpu            # ...unless this allows the CPU backend instead
//       max_batch: 4             # largest batch across frames and streams (default: registry's)
//       max_delay_us: 2000       # longest a frame waits for its batch to fill
//       detect_every: 1          # run on every Nth sampled frame of a stream; a `track` stage
//                                # after it carries the tracks through the others
//       within:                  # search inside the objects of an earlier detector instead of
//         classes: [person]      # the whole frame (ObjectFilter keys choose the objects)
//         margin: 0.1            # each object's box grown by this share of its size per side
//
//       tiles: {size: [640, 640], overlap: 0.2}  # sliced inference (pipeline/tiling.hpp)
//
// With `within:`, the frame's objects stay and each object found joins them with `parent` set to
// the object it was found in; the crops of a frame go to the model's Batcher together, and what
// two overlapping crops both found is kept once (NMS at `nms`).
//
// process() is called by several worker threads at once; the stage keeps no per-frame state, and
// its model calls go through the model's shared Batcher.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "infer/model_pool.hpp"
#include "pipeline/object_filter.hpp"
#include "pipeline/stage.hpp"
#include "pipeline/tiling.hpp"
#include "vision/blob.hpp"
#include "vision/detection_decoder.hpp"
#include "vision/letterbox.hpp"

namespace fp::pipeline {

// Reads a stage's `max_batch` and `max_delay_us` keys into `request` (kept when absent).
// Reads `backend` (onnxruntime | opencv), `device` (cpu | cuda) and `fallback: cpu` of a stage
// that runs a model; a run's --backend (StageContext::backend) overrides the stage's backend.
Status read_model_options(const YamlMap& config, const StageContext& context,
                          infer::ModelOptions& options);
Status read_batching(const YamlMap& config, infer::ModelRequest& request);
// The model of a stage that runs one on what a detector found (faces, attributes): `request`
// (its name and default batching set) with the stage's batching and backend keys, from the run's
// pool; an Error located at `key`, the stage's key naming the model.
Result<infer::PooledModel*> load_model(const YamlMap& config, const StageContext& context,
                                       infer::ModelRequest request, const char* key);

// The tensor normalisation a registry entry's `preprocess:` asks for.
vision::Normalization normalization_of(const infer::Preprocess& preprocess);

class DetectStage : public Stage {
 public:
  static Result<std::unique_ptr<Stage>> create(const StageContext& context);
  // The stage without YAML, for registry entry `spec` (a detector or face_detector, checked by
  // the caller) as `request` asks, with the registry's conf and nms, every class kept and every
  // frame detected: e.g. the faces stage's detector of gallery photos. Errors name no position.
  static Result<std::unique_ptr<DetectStage>> open(std::string name, const infer::ModelSpec& spec,
                                                   infer::ModelRequest request,
                                                   const infer::ModelRegistry& registry,
                                                   infer::ModelPool& models);

  const std::string& name() const override { return name_; }
  Status process(FrameResult& item) override;
  // The same without waiting for the model: postprocessing runs on the model's instance thread.
  bool start(FrameResult& item, std::function<void(Status)> done) override;
  nlohmann::ordered_json report() const override;
  const infer::ModelSpec* detector() const override { return &model_->spec(); }

  // The steps of process(), public so benchmarks can time the model alone on the same inputs.
  cv::Mat preprocess(const cv::Mat& image, vision::InputTransform* transform) const;
  Result<std::vector<Detection>> postprocess(const std::vector<cv::Mat>& outputs,
                                             const vision::InputTransform& transform,
                                             cv::Size image_size) const;
  infer::PooledModel& model() { return *model_; }

 private:
  // True (and the frame marked detector_skipped) when `detect_every` skips the frame.
  bool skipped_by_rate(FrameResult& item) const;
  // Preprocesses the frame into its blob (timed).
  cv::Mat prepare(FrameResult& item, vision::InputTransform* transform) const;
  // The model's outputs into the frame's detections (timed), or the model's Error.
  Status finish(FrameResult& item, Result<infer::Outputs> outputs,
                const infer::RequestTimings& timings,
                const vision::InputTransform& transform) const;

  // `within:`: the objects searched; a Region: where a crop (of an object, or a tile) sits.
  struct Within {
    ObjectFilter objects;
    double margin = 0.1;
  };
  struct Region {
    int64_t parent = 0;  // the object's id
    cv::Point origin;    // the crop's top-left corner in the frame
    cv::Size size;
    vision::InputTransform transform;
  };
  static Result<Within> read_within(const StageContext& context);
  // The crops of the objects `within_` selects, or the tiles, preprocessed into `blobs` (timed).
  std::vector<Region> prepare_regions(FrameResult& item, std::vector<cv::Mat>& blobs);
  // What the model found in each region, in frame pixels: added to the frame's objects (within),
  // or merged into them (tiles) (timed).
  Status finish_regions(FrameResult& item, const std::vector<Region>& regions,
                        const std::vector<Result<infer::Outputs>>& outputs,
                        SteadyClock::time_point submitted);
  DetectStage() = default;
  std::string name_;
  infer::PooledModel* model_ = nullptr;  // owned by the run's ModelPool
  std::unique_ptr<vision::DetectionDecoder> decoder_;
  std::vector<std::string> labels_;
  std::vector<bool> keep_class_;  // empty: keep all
  float conf_ = 0.3f;
  float nms_ = 0.45f;
  int detect_every_ = 1;
  vision::ResizeMode resize_ = vision::ResizeMode::kLetterboxTopLeft;
  vision::Interpolation interpolation_ = vision::Interpolation::kLinear;
  double pad_value_ = 0;
  vision::Normalization normalization_;
  std::optional<Within> within_;
  std::optional<TileOptions> tiles_;
  std::atomic<int64_t> regions_searched_{0};
  std::atomic<int64_t> last_regions_{0};  // tiles (and the global view) of the latest frame
};

}  // namespace fp::pipeline
