// Backend: runs a loaded network on input tensors. The OpenCV-DNN backend is the CPU default;
// others (ONNX Runtime with CUDA/TensorRT) will sit behind the same interface.
//
// Contract: open_backend() loads the file and fails with an Error naming it. A Backend is used by
// one thread at a time (parallel instances each own a Backend). run() takes an NCHW float32 blob
// and returns the requested outputs, in the order asked, as tensors the caller owns; a failure is
// an Error (a throwing framework is caught here) and leaves the Backend usable for the next call.
#pragma once

#include <filesystem>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace fp::infer {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual Result<std::vector<cv::Mat>> run(const cv::Mat& input,
                                           const std::vector<std::string>& output_names) = 0;
};

// Backends this build can run; asking for another is an Error, never a silent fallback.
std::vector<std::string> available_backends();

// `backend` is "opencv" (OpenCV DNN on the CPU).
Result<std::unique_ptr<Backend>> open_backend(const std::string& backend,
                                              const std::filesystem::path& model_file);

}  // namespace fp::infer
