// Model: a registry model loaded on a backend, ready to run. Stages ask infer/ for a Model; they
// never open model files themselves.
#pragma once

#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "infer/backend.hpp"
#include "infer/model_registry.hpp"

namespace fp::infer {

struct ModelOptions {
  std::string backend = "opencv";
  bool fallback_to_cpu =
      false;            // `fallback: cpu`: use the OpenCV CPU backend if `backend` is absent
  cv::Size input_size;  // overrides the registry's input size when non-empty
};

class Model {
 public:
  // Resolves the file through the registry (sha256 checked) and opens it on the backend.
  static Result<std::unique_ptr<Model>> load(const ModelRegistry& registry, const std::string& name,
                                             const ModelOptions& options,
                                             std::vector<std::string> output_names);

  const ModelSpec& spec() const { return spec_; }
  const std::string& backend_name() const { return backend_name_; }
  cv::Size input_size() const { return input_size_; }
  double load_seconds() const { return load_seconds_; }

  // One forward pass; outputs in the order of the names given to load().
  Result<std::vector<cv::Mat>> run(const cv::Mat& input);
  // Runs a zero tensor once so the first frame does not pay for lazy initialisation; returns the
  // seconds it took. Also proves the input size works before any frame is read.
  Result<double> warm_up();

 private:
  Model() = default;
  ModelSpec spec_;
  std::unique_ptr<Backend> backend_;
  std::string backend_name_;
  std::vector<std::string> output_names_;
  cv::Size input_size_;
  double load_seconds_ = 0;
};

// Class names from a registry labels entry (one per line); an Error if missing or empty.
Result<std::vector<std::string>> load_labels(const ModelRegistry& registry,
                                             const std::string& name);

}  // namespace fp::infer
