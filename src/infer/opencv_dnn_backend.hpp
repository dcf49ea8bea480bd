// OpenCV DNN backend: ONNX models on the CPU with OpenCV's own SIMD kernels.
//
// OpenCV accepts a batch dimension B > 1 even where the ONNX fixes it at 1, but returns some
// models' batches folded (YOLOX: [1, B*3549, 85], items interleaved level by level; see
// batch_layout.hpp). Undoing that is this backend's business: run_batch() gives every item its
// own outputs, using the layout the registry records for OpenCV (BackendOptions).
#pragma once

#include <opencv2/dnn/dnn.hpp>

#include "infer/backend.hpp"

namespace fp::infer {

class OpenCvDnnBackend : public Backend {
 public:
  static Result<std::unique_ptr<Backend>> open(const std::filesystem::path& model_file,
                                               const BackendOptions& options);

  std::string name() const override { return "opencv"; }
  // OpenCV DNN does not say what its inputs and outputs are before a run: empty.
  const ModelInfo& info() const override { return info_; }
  Result<std::vector<cv::Mat>> run(const cv::Mat& input,
                                   const std::vector<std::string>& output_names) override;
  // Stacks the items into one batch and splits the outputs by the model's OpenCV layout.
  Result<std::vector<std::vector<cv::Mat>>> run_batch(
      const std::vector<cv::Mat>& items, const std::vector<std::string>& output_names,
      const std::vector<std::vector<int>>& item_shapes) override;

 private:
  OpenCvDnnBackend(cv::dnn::Net net, const BackendOptions& options)
      : net_(std::move(net)),
        layout_(options.opencv_batch_layout),
        input_size_(options.input_size) {}
  cv::dnn::Net net_;
  ModelInfo info_;
  BatchLayout layout_;
  cv::Size input_size_;
};

}  // namespace fp::infer
