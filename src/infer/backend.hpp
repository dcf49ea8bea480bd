// Backend: runs a loaded network on input tensors. Two are built in: ONNX Runtime (the default;
// CPU, and CUDA where the library has that execution provider) and OpenCV DNN (CPU).
//
// Contract: open_backend() loads the file and fails with an Error naming it, the backend and what
// is missing (an unknown backend, a device the library or machine lacks). A Backend object is used
// by one thread at a time, but several may share one loaded model: ONNX Runtime sessions serve
// concurrent runs, so every Backend opened on the same file, device and thread count shares one
// session instead of reading the file again; OpenCV's Net is not thread-safe, so each OpenCV
// Backend owns its Net. run() takes an NCHW float32 blob and returns the requested outputs, in the
// order asked, as tensors the caller owns; a failure is an Error (a throwing framework is caught
// here) and leaves the Backend usable for the next call. Options (threads, device) are explicit
// values of each Backend, not process-wide side effects, except OpenCV's thread count, which
// OpenCV only has process-wide (set_inference_threads sets it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "infer/batch_layout.hpp"

namespace fp::infer {

// One input or output of a model: its name, element type ("float32", "int64", ...) and shape,
// with -1 for a dimension the model leaves open (a dynamic batch, size or count).
struct TensorSpec {
  std::string name;
  std::string element_type;
  std::vector<int64_t> shape;
};

// What a loaded model takes and gives. Empty when the backend cannot tell (OpenCV DNN).
struct ModelInfo {
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  // The batch sizes the first input accepts: 0 for any (a dynamic first dimension), else the
  // fixed size (1 for every model in ../shared/models). OpenCV DNN stacks batches itself: 0.
  int64_t fixed_batch() const;
};

struct BackendOptions {
  // Intra-op threads of one run; 0 follows set_inference_threads (what instance plans change).
  int threads = 0;
  std::string device = "cpu";  // "cpu" or "cuda"
  // How OpenCV DNN returns this model's batches (the registry's `batch:`) and the input size it
  // runs at: facts about OpenCV, which stacks batches itself; other backends ignore them.
  BatchLayout opencv_batch_layout;
  cv::Size input_size;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual const ModelInfo& info() const = 0;
  virtual Result<std::vector<cv::Mat>> run(const cv::Mat& input,
                                           const std::vector<std::string>& output_names) = 0;
  // Runs several 1xCxHxW items and returns each item's outputs as it gets them alone.
  // `item_shapes` are the outputs' shapes at batch 1. By default the items run one after
  // another; a backend that runs real batches overrides it.
  virtual Result<std::vector<std::vector<cv::Mat>>> run_batch(
      const std::vector<cv::Mat>& items, const std::vector<std::string>& output_names,
      const std::vector<std::vector<int>>& item_shapes);
};

// What `framepipe models backends` lists: every backend this build knows, whether it can run
// here, its devices, and a line of detail (the library version, its execution providers).
struct BackendDescription {
  std::string name;
  bool available = false;
  std::vector<std::string> devices;
  std::string detail;
};
std::vector<BackendDescription> describe_backends();

// Backends this build can run; asking for another is an Error, never a silent fallback.
std::vector<std::string> available_backends();
// Devices `backend` can use here ("cpu", "cuda"); empty for an unknown backend.
std::vector<std::string> available_devices(const std::string& backend);

// The default backend: "onnxruntime".
const char* default_backend();

// `backend` is "onnxruntime" or "opencv"; see the contract above.
Result<std::unique_ptr<Backend>> open_backend(const std::string& backend,
                                              const std::filesystem::path& model_file,
                                              const BackendOptions& options = {});

// Threads each run uses when BackendOptions::threads is 0: ONNX Runtime sessions are chosen (or
// made) for this count at each run, and OpenCV's process-wide thread count is set to it. The
// instance planner and the CPU budget set it.
void set_inference_threads(int threads);
int inference_threads();

}  // namespace fp::infer
