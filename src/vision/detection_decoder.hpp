// DetectionDecoder: turns a detector's raw output tensors into candidate boxes.
//
// Each model family lays out its outputs differently; the decoder names the outputs it needs and
// reads them. Boxes come out in network-input pixels, before NMS; the caller maps them back to
// the source image and runs NMS.
#pragma once

#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "core/detection.hpp"
#include "core/result.hpp"

namespace fp::vision {

class DetectionDecoder {
 public:
  virtual ~DetectionDecoder() = default;
  // Output names to ask the backend for, in the order decode() expects them.
  virtual std::vector<std::string> output_names() const = 0;
  // Candidates whose score is at least `conf`, in input pixels of an `input`-sized tensor.
  virtual Result<std::vector<Detection>> decode(const std::vector<cv::Mat>& outputs, cv::Size input,
                                                float conf) const = 0;
};

// "yolox", "nanodet", "yunet" or "ultraface"; an Error names the known decoders otherwise.
Result<std::unique_ptr<DetectionDecoder>> make_detection_decoder(const std::string& name);

}  // namespace fp::vision
