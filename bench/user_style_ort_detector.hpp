// The user-style person detector on ONNX Runtime: the recipe of UserStylePersonDetector with one
// Ort::Session::Run() per frame, written directly on ONNX Runtime's C++ API the way its examples
// do (no framepipe inference code). Issue 11's yardstick for the onnxruntime backend.
#pragma once

#include <onnxruntime_cxx_api.h>

#include <vector>

#include "user_style_detector.hpp"

namespace fp::bench {

class UserStyleOrtDetector : public UserStylePersonDetector {
 public:
  // Loads yolox_nano_416 into one session on the CPU execution provider with `intra_op_threads`
  // threads inside each Run() and one inter-op thread (ONNX Runtime's other settings left at
  // their defaults, as a user leaves them), and warms it up. `allow_spinning` false turns off the
  // default spin-waiting of the intra-op threads between and after Run() calls, which on a loaded
  // machine takes CPU from the decoding thread.
  UserStyleOrtDetector(int intra_op_threads, bool allow_spinning);

  cv::Mat forward(const cv::Mat& blob) override;

 private:
  Ort::Env env_;
  Ort::Session session_{nullptr};
  Ort::MemoryInfo memory_{nullptr};
  std::vector<Ort::Value> outputs_;  // the last Run()'s, which forward()'s result points into
};

}  // namespace fp::bench
