// UserStyleDetector: YOLOX-nano person detection written out by hand, the way users write it:
// readNetFromONNX, letterbox, one forward(), decode, keep persons, NMS, boxes back to the frame.
//
// It calls framepipe's vision functions (letterbox, blob, YOLOX decoder, NMS) so that its
// detections are bit-identical to the engine's, but no framepipe inference code: the network is a
// plain cv::dnn::Net. The settings are those of examples/people.yaml and the yolox_nano_416
// registry entry (shared MODELS.md), written as constants the way a script hard-codes them.
#pragma once

#include <opencv2/dnn.hpp>
#include <vector>

#include "core/detection.hpp"
#include "vision/letterbox.hpp"

namespace fp::bench {

class UserStyleDetector {
 public:
  // Loads yolox_nano_416 (found through the registry) and runs one forward() to warm it up, as
  // the engine does before its first frame. OpenCV's thread count is the caller's to set.
  UserStyleDetector();

  // The 1x3x416x416 input of `image`, and the transform that maps boxes back.
  cv::Mat input_blob(const cv::Mat& image, vision::InputTransform* transform) const;
  // The raw [1, 3549, 85] output for an input_blob().
  cv::Mat forward(const cv::Mat& blob);
  // Persons in `image`, in its pixels, sorted by descending score.
  std::vector<Detection> detect(const cv::Mat& image);

 private:
  cv::dnn::Net net_;
};

}  // namespace fp::bench
