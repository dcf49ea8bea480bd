// User-style YOLOX-nano person detection written out by hand, the way users write it: load the
// network, letterbox, one forward, decode, keep persons, NMS, boxes back to the frame.
//
// UserStylePersonDetector is that recipe; its subclasses differ only in the forward call:
// UserStyleDetector runs a plain cv::dnn::Net, UserStyleOrtDetector (user_style_ort_detector.hpp)
// a plain Ort::Session. The recipe calls framepipe's vision functions (letterbox, blob, YOLOX
// decoder, NMS) so that its detections are bit-identical to the engine's, but no framepipe
// inference code. The settings are those of examples/people.yaml and the yolox_nano_416 registry
// entry (shared MODELS.md), written as constants the way a script hard-codes them.
#pragma once

#include <filesystem>
#include <opencv2/dnn.hpp>
#include <vector>

#include "core/detection.hpp"
#include "vision/letterbox.hpp"

namespace fp::bench {

class UserStylePersonDetector {
 public:
  virtual ~UserStylePersonDetector() = default;

  // The 1x3x416x416 input of `image`, and the transform that maps boxes back.
  cv::Mat input_blob(const cv::Mat& image, vision::InputTransform* transform) const;
  // The raw [1, 3549, 85] output for an input_blob(), valid until the next forward().
  virtual cv::Mat forward(const cv::Mat& blob) = 0;
  // Persons in `image`, in its pixels, sorted by descending score.
  std::vector<Detection> detect(const cv::Mat& image);

 protected:
  // yolox_nano_416's file, found through the registry.
  static std::filesystem::path model_path();
  // One forward() of a blank input, as the engine does before its first frame; subclasses call it
  // at the end of their constructor.
  void warm_up();
};

// The OpenCV DNN one. OpenCV's thread count is the caller's to set.
class UserStyleDetector : public UserStylePersonDetector {
 public:
  // Loads yolox_nano_416 and warms it up.
  UserStyleDetector();

  cv::Mat forward(const cv::Mat& blob) override;

 private:
  cv::dnn::Net net_;
};

}  // namespace fp::bench
