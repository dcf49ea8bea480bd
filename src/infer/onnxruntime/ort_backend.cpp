#include "infer/onnxruntime/ort_backend.hpp"

#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "core/strings.hpp"

namespace fp::infer {

namespace {

// Made once and never destroyed: releasing the environment during static destruction, after the
// CUDA provider has used it, reads freed memory and aborts a run that has finished (known for the
// CUDA execution provider of ONNX Runtime; sessions are released before main returns).
Ort::Env& ort_env() {
  static Ort::Env* env = new Ort::Env(ORT_LOGGING_LEVEL_ERROR, "framepipe");
  return *env;
}

bool has_cuda_provider() {
  const std::vector<std::string> providers = Ort::GetAvailableProviders();
  return std::find(providers.begin(), providers.end(), "CUDAExecutionProvider") != providers.end();
}

std::string element_type_name(ONNXTensorElementDataType type) {
  switch (type) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
      return "float32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
      return "float16";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
      return "float64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8:
      return "uint8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
      return "int8";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
      return "int32";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
      return "int64";
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL:
      return "bool";
    default:
      return "type " + std::to_string(static_cast<int>(type));
  }
}

TensorSpec describe(const std::string& name, const Ort::TypeInfo& type) {
  TensorSpec spec;
  spec.name = name;
  if (type.GetONNXType() != ONNX_TYPE_TENSOR) {
    spec.element_type = "not a tensor";
    return spec;
  }
  const auto tensor = type.GetTensorTypeAndShapeInfo();
  spec.element_type = element_type_name(tensor.GetElementType());
  spec.shape = tensor.GetShape();
  for (int64_t& dim : spec.shape) dim = dim > 0 ? dim : -1;
  return spec;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    text += (i ? "," : "") + (shape[i] < 0 ? std::string("?") : std::to_string(shape[i]));
  }
  return text + "]";
}

}  // namespace

// A model file loaded once for a device: its bytes, what it takes and gives, and its sessions by
// thread count (made on first use; Ort::Session::Run is safe to call from several threads).
class OrtModel {
 public:
  OrtModel(std::string path, std::string bytes, std::string device)
      : path_(std::move(path)), bytes_(std::move(bytes)), device_(std::move(device)) {}

  const ModelInfo& info() const { return info_; }

  Result<Ort::Session*> session(int threads) {
    std::lock_guard lock(mutex_);
    auto& slot = sessions_[threads];
    if (slot) return slot.get();
    try {
      // The environment first: the CUDA provider logs through the default logger it registers.
      Ort::Env& env = ort_env();
      Ort::SessionOptions options;
      options.SetIntraOpNumThreads(threads);
      options.SetInterOpNumThreads(1);
      options.SetExecutionMode(ExecutionMode::ORT_SEQUENTIAL);
      options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
      // Spinning pool threads would use the cores the budget gives to decoding and other stages.
      options.AddConfigEntry("session.intra_op.allow_spinning", "0");
      options.AddConfigEntry("session.inter_op.allow_spinning", "0");
      if (device_ == "cuda") options.AppendExecutionProvider_CUDA(OrtCUDAProviderOptions{});
      slot = std::make_unique<Ort::Session>(env, bytes_.data(), bytes_.size(), options);
    } catch (const Ort::Exception& e) {
      return Error("ONNX Runtime cannot load " + path_ + ": " + e.what());
    }
    if (info_.inputs.empty()) describe_session(*slot);
    return slot.get();
  }

  // Names as ONNX Runtime wants them, in the model's order (pointers into info_, set once).
  const std::vector<const char*>& input_names() const { return input_names_; }
  const std::vector<const char*>& output_names() const { return output_names_; }

 private:
  void describe_session(const Ort::Session& session) {
    Ort::AllocatorWithDefaultOptions allocator;
    for (size_t i = 0; i < session.GetInputCount(); ++i) {
      info_.inputs.push_back(
          describe(session.GetInputNameAllocated(i, allocator).get(), session.GetInputTypeInfo(i)));
    }
    for (size_t i = 0; i < session.GetOutputCount(); ++i) {
      info_.outputs.push_back(describe(session.GetOutputNameAllocated(i, allocator).get(),
                                       session.GetOutputTypeInfo(i)));
    }
    input_names_ = names(info_.inputs);
    output_names_ = names(info_.outputs);
  }
  static std::vector<const char*> names(const std::vector<TensorSpec>& specs) {
    std::vector<const char*> out;
    for (const TensorSpec& spec : specs) out.push_back(spec.name.c_str());
    return out;
  }

  std::string path_;
  std::string bytes_;
  std::string device_;
  std::mutex mutex_;
  ModelInfo info_;  // set with the first session, before any run can see it
  std::vector<const char*> input_names_;
  std::vector<const char*> output_names_;
  std::map<int, std::unique_ptr<Ort::Session>> sessions_;
};

namespace {

// Loaded models by file and device, kept while a backend uses them.
Result<std::shared_ptr<OrtModel>> shared_model(const std::filesystem::path& file,
                                               const std::string& device) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<OrtModel>> models;
  const std::string key = file.string() + "\n" + device;
  std::lock_guard lock(mutex);
  if (auto model = models[key].lock()) return model;
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error("ONNX Runtime cannot read " + file.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto model = std::make_shared<OrtModel>(file.string(), bytes.str(), device);
  models[key] = model;
  return model;
}

}  // namespace

OrtBackend::OrtBackend(std::shared_ptr<OrtModel> model, BackendOptions options)
    : model_(std::move(model)), options_(std::move(options)) {}

OrtBackend::~OrtBackend() = default;

Result<std::unique_ptr<Backend>> OrtBackend::open(const std::filesystem::path& model_file,
                                                  const BackendOptions& options) {
  FP_ASSIGN_OR_RETURN(auto model, shared_model(model_file, options.device));
  const int threads = options.threads > 0 ? options.threads : inference_threads();
  FP_RETURN_IF_ERROR(model->session(threads));  // loads now: a bad file fails here, not later
  if (model->info().inputs.size() != 1 || model->info().inputs[0].element_type != "float32") {
    return Error("ONNX Runtime: " + model_file.string() +
                 " does not take one float32 image tensor (framepipe's models do)");
  }
  return std::unique_ptr<Backend>(new OrtBackend(std::move(model), options));
}

const ModelInfo& OrtBackend::info() const { return model_->info(); }

Result<std::vector<cv::Mat>> OrtBackend::run(const cv::Mat& input,
                                             const std::vector<std::string>& output_names) {
  const int threads = options_.threads > 0 ? options_.threads : inference_threads();
  FP_ASSIGN_OR_RETURN(Ort::Session * session, model_->session(threads));
  if (input.type() != CV_32F || !input.isContinuous()) {
    return Error("ONNX Runtime takes a continuous float32 blob");
  }
  std::vector<int64_t> shape(input.size.p, input.size.p + input.dims);
  std::vector<const char*> outputs;
  for (const std::string& name : output_names) outputs.push_back(name.c_str());
  if (outputs.empty()) outputs = model_->output_names();
  try {
    // Made once: describing CPU memory is the same for every run.
    static const Ort::MemoryInfo memory =
        Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    const Ort::Value tensor = Ort::Value::CreateTensor<float>(
        memory, const_cast<float*>(input.ptr<float>()), input.total(), shape.data(), shape.size());
    std::vector<Ort::Value> values =
        session->Run(Ort::RunOptions{nullptr}, model_->input_names().data(), &tensor, 1,
                     outputs.data(), outputs.size());
    std::vector<cv::Mat> mats;
    for (size_t k = 0; k < values.size(); ++k) {
      const auto info = values[k].GetTensorTypeAndShapeInfo();
      if (info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
        return Error(std::string("ONNX Runtime output '") + outputs[k] + "' is " +
                     element_type_name(info.GetElementType()) + ", not float32");
      }
      // cv::Mat needs two dimensions at least: a vector of N becomes 1 x N, as OpenCV gives it.
      std::vector<int> dims;
      for (int64_t d : info.GetShape()) dims.push_back(static_cast<int>(d));
      if (dims.size() < 2) dims.insert(dims.begin(), 2 - dims.size(), 1);
      mats.emplace_back(static_cast<int>(dims.size()), dims.data(), CV_32F);
      std::copy_n(values[k].GetTensorData<float>(), mats.back().total(), mats.back().ptr<float>());
    }
    return mats;
  } catch (const Ort::Exception& e) {
    return Error(std::string("ONNX Runtime run failed (input ") + shape_text(shape) +
                 "): " + e.what());
  }
}

BackendDescription describe_onnxruntime() {
  BackendDescription out;
  out.name = "onnxruntime";
  out.available = true;
  out.devices = {"cpu"};
  if (has_cuda_provider()) out.devices.push_back("cuda");
  out.detail = "ONNX Runtime " + Ort::GetVersionString() +
               ", execution providers: " + join(Ort::GetAvailableProviders());
  return out;
}

}  // namespace fp::infer
