// OpenCV DNN backend: ONNX models on the CPU with OpenCV's own SIMD kernels.
#pragma once

#include <opencv2/dnn/dnn.hpp>

#include "infer/backend.hpp"

namespace fp::infer {

class OpenCvDnnBackend : public Backend {
 public:
  static Result<std::unique_ptr<Backend>> open(const std::filesystem::path& model_file);

  std::string name() const override { return "opencv"; }
  // OpenCV DNN does not say what its inputs and outputs are before a run: empty.
  const ModelInfo& info() const override { return info_; }
  Result<std::vector<cv::Mat>> run(const cv::Mat& input,
                                   const std::vector<std::string>& output_names) override;

 private:
  explicit OpenCvDnnBackend(cv::dnn::Net net) : net_(std::move(net)) {}
  cv::dnn::Net net_;
  ModelInfo info_;
};

}  // namespace fp::infer
