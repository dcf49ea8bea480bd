// Model: a registry model loaded on a backend, ready to run. Stages ask infer/ for a Model; they
// never open model files themselves.
#pragma once

#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "infer/backend.hpp"
#include "infer/batcher.hpp"
#include "infer/model_registry.hpp"

namespace fp::infer {

struct ModelOptions {
  std::string backend = default_backend();
  std::string device = "cpu";  // "cpu" or "cuda"
  // `fallback: cpu`: when the backend or device is not available here, run on the CPU (the
  // default backend's) with a warning instead of failing.
  bool fallback_to_cpu = false;
  cv::Size input_size;  // overrides the registry's input size when non-empty
  // input_size is a profile's preference: a backend that runs the model only at the size its
  // ONNX fixes (ONNX Runtime) keeps that size instead of failing. An input size the stage names
  // itself must fit.
  bool input_size_is_preference = false;
};

// What warm_up() found: the largest batch the model runs correctly (at most the one asked for),
// why a larger one was refused, and the seconds each warm-up run took by batch size.
struct WarmUp {
  int max_batch = 1;
  std::string batch_problem;  // empty when the batch asked for works
  std::vector<std::pair<int, double>> seconds;
};

class Model : public BatchExecutor {
 public:
  // Resolves the file through the registry (sha256 checked) and opens it on the backend.
  static Result<std::unique_ptr<Model>> load(const ModelRegistry& registry, const std::string& name,
                                             const ModelOptions& options,
                                             std::vector<std::string> output_names);

  const ModelSpec& spec() const { return spec_; }
  const std::string& backend_name() const { return backend_name_; }
  // What the backend says the model takes and gives (empty for OpenCV DNN).
  const ModelInfo& info() const { return backend_->info(); }
  cv::Size input_size() const { return input_size_; }
  // Channels of its input tensor: 1 for a grey model (preprocess `gray`), else 3.
  int channels() const { return spec_.preprocess.gray ? 1 : 3; }
  double load_seconds() const { return load_seconds_; }

  // One forward pass of a 1xCxHxW blob; outputs in the order of the names given to load().
  Result<Outputs> run(const cv::Mat& input);
  // Needs warm_up() first (it learns the outputs' shapes at batch 1).
  Result<std::vector<Outputs>> run_batch(const std::vector<cv::Mat>& items) override;
  // Runs the model at batch 1 and at `max_batch`, so the first frames do not pay for lazy
  // initialisation, and proves the input size works before any frame is read (an Error if not).
  // With `check_batches`, a batch of distinct inputs must give every item what it gets alone; a
  // model whose ONNX fixes the batch size, or folds it in a way the registry does not describe,
  // fails that check and is limited to batch 1 (the reason is in the WarmUp).
  Result<WarmUp> warm_up(int max_batch, bool check_batches);

 private:
  Model() = default;
  ModelSpec spec_;
  // Checks that the backend's model takes this model's input size (when it says), or adopts the
  // size its ONNX fixes when the size asked for was only a preference.
  Status fit_input(bool size_is_preference);

  std::unique_ptr<Backend> backend_;
  std::string backend_name_;
  std::vector<std::string> output_names_;
  std::vector<std::vector<int>> item_shapes_;  // outputs' shapes at batch 1
  cv::Size input_size_;
  double load_seconds_ = 0;
};

// Class names from a registry labels entry (one per line); an Error if missing or empty.
Result<std::vector<std::string>> load_labels(const ModelRegistry& registry,
                                             const std::string& name);

}  // namespace fp::infer
