// DetectStage: runs an object detector on each frame (prepare -> preprocess -> infer -> decode).
//
// YAML (inside `stages:`):
//   - detect:
//       model: yolox_nano_416    # registry name
//       conf: 0.3                # score threshold (default: the registry's)
//       nms: 0.45                # per-class NMS IoU (default: the registry's)
//       classes: [person]        # keep only these class names (default: all)
//       input_size: [416, 416]   # width, height of the network input (default: the registry's)
//       backend: opencv          # inference backend; an unavailable one is an error...
//       fallback: cpu            # ...unless this allows the CPU backend instead
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "infer/model.hpp"
#include "pipeline/stage.hpp"
#include "vision/blob.hpp"
#include "vision/detection_decoder.hpp"
#include "vision/letterbox.hpp"

namespace fp::pipeline {

class DetectStage : public Stage {
 public:
  static Result<std::unique_ptr<Stage>> create(const StageContext& context);

  const std::string& name() const override { return name_; }
  Status process(FrameResult& item) override;
  nlohmann::ordered_json report() const override;

  // The steps of process(), public so benchmarks can time the model alone on the same inputs.
  cv::Mat preprocess(const cv::Mat& image, vision::InputTransform* transform) const;
  Result<std::vector<Detection>> postprocess(const std::vector<cv::Mat>& outputs,
                                             const vision::InputTransform& transform,
                                             cv::Size image_size) const;
  infer::Model& model() { return *model_; }

 private:
  DetectStage() = default;
  std::string name_;
  std::unique_ptr<infer::Model> model_;
  std::unique_ptr<vision::DetectionDecoder> decoder_;
  std::vector<std::string> labels_;
  std::vector<bool> keep_class_;  // empty: keep all
  float conf_ = 0.3f;
  float nms_ = 0.45f;
  vision::ResizeMode resize_ = vision::ResizeMode::kLetterboxTopLeft;
  vision::Interpolation interpolation_ = vision::Interpolation::kLinear;
  double pad_value_ = 0;
  vision::Normalization normalization_;
  double warmup_seconds_ = 0;
  int64_t calls_ = 0;
};

}  // namespace fp::pipeline
