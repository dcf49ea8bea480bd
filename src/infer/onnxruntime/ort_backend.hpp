// ONNX Runtime backend: ONNX models through the official ONNX Runtime library (Microsoft's NuGet
// package; README "ONNX Runtime"), on the CPU execution provider or CUDA where the library has it.
//
// One OrtModel per model file and device holds the file's bytes and one Ort::Session per thread
// count; every OrtBackend opened on that file and device shares it, and ONNX Runtime sessions run
// concurrent Run() calls. Sessions have `threads` intra-op threads (the caller runs one of them),
// one inter-op thread, and spinning disabled, so idle pool threads do not burn the CPU budget.
#pragma once

#include <memory>

#include "infer/backend.hpp"

namespace fp::infer {

class OrtModel;

class OrtBackend final : public Backend {
 public:
  static Result<std::unique_ptr<Backend>> open(const std::filesystem::path& model_file,
                                               const BackendOptions& options);
  ~OrtBackend() override;

  std::string name() const override { return "onnxruntime"; }
  const ModelInfo& info() const override;
  Result<std::vector<cv::Mat>> run(const cv::Mat& input,
                                   const std::vector<std::string>& output_names) override;

 private:
  OrtBackend(std::shared_ptr<OrtModel> model, BackendOptions options);
  std::shared_ptr<OrtModel> model_;
  BackendOptions options_;
};

// The library's version and execution providers, for describe_backends().
BackendDescription describe_onnxruntime();

}  // namespace fp::infer
