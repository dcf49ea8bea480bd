#include "infer/backend.hpp"

#include <algorithm>
#include <atomic>
#include <opencv2/core/utility.hpp>

#include "core/strings.hpp"
#include "infer/fake_backend.hpp"
#include "infer/onnxruntime/ort_backend.hpp"
#include "infer/opencv_dnn_backend.hpp"

namespace fp::infer {

namespace {

std::atomic<int> g_inference_threads{1};

}  // namespace

int64_t ModelInfo::fixed_batch() const {
  if (inputs.empty() || inputs.front().shape.empty()) return 0;
  const int64_t batch = inputs.front().shape.front();
  return batch > 0 ? batch : 0;
}

Result<std::vector<std::vector<cv::Mat>>> Backend::run_batch(
    const std::vector<cv::Mat>& items, const std::vector<std::string>& output_names,
    const std::vector<std::vector<int>>&) {
  std::vector<std::vector<cv::Mat>> outputs;
  for (const cv::Mat& item : items) {
    FP_ASSIGN_OR_RETURN(auto one, run(item, output_names));
    outputs.push_back(std::move(one));
  }
  return outputs;
}

std::vector<BackendDescription> describe_backends() {
  std::vector<BackendDescription> backends = {
      describe_onnxruntime(),
      {"opencv", true, {"cpu"}, "OpenCV " CV_VERSION " DNN module, CPU kernels"}};
  if (const auto fake = fake_backend_plan()) {
    backends.push_back(
        {"fake", true, {"cpu"}, "wraps " + fake->wraps + ", fails on purpose (tests)"});
  }
  return backends;
}

std::vector<std::string> available_backends() {
  std::vector<std::string> names;
  for (const BackendDescription& backend : describe_backends()) {
    if (backend.available) names.push_back(backend.name);
  }
  return names;
}

std::vector<std::string> available_devices(const std::string& backend) {
  for (const BackendDescription& description : describe_backends()) {
    if (description.name == backend) return description.devices;
  }
  return {};
}

const char* default_backend() { return "onnxruntime"; }

Result<std::unique_ptr<Backend>> open_backend(const std::string& backend,
                                              const std::filesystem::path& model_file,
                                              const BackendOptions& options) {
  const auto names = available_backends();
  if (std::find(names.begin(), names.end(), backend) == names.end()) {
    return Error("backend '" + backend + "' is not available in this build (available: " +
                 join(names) + "); name one of those, or add `fallback: cpu` to the stage");
  }
  const auto devices = available_devices(backend);
  if (std::find(devices.begin(), devices.end(), options.device) == devices.end()) {
    std::string why = "backend '" + backend + "' cannot use device '" + options.device +
                      "' here (devices: " + join(devices) + ")";
    if (backend == "onnxruntime" && options.device == "cuda") {
      why +=
          ": this ONNX Runtime has no CUDA execution provider (the CPU package "
          "Microsoft.ML.OnnxRuntime; CUDA needs Microsoft.ML.OnnxRuntime.Gpu.Linux, which "
          "scripts/fetch-onnxruntime --gpu fetches, an NVIDIA GPU and its CUDA 13 libraries)";
    }
    return Error(why + "; or add `fallback: cpu` to the stage");
  }
  if (backend == "opencv") return OpenCvDnnBackend::open(model_file, options);
  if (backend == "fake") return open_fake_backend(model_file, options);
  return OrtBackend::open(model_file, options);
}

void set_inference_threads(int threads) {
  const int clamped = std::max(1, threads);
  g_inference_threads.store(clamped);
  cv::setNumThreads(clamped);
}

int inference_threads() { return g_inference_threads.load(); }

}  // namespace fp::infer
