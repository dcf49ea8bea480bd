#include "user_style_ort_detector.hpp"

#include <array>

#include "bench_support.hpp"

namespace fp::bench {

namespace {

// yolox_nano_416's tensor names (shared MODELS.md).
constexpr const char* kInputName = "images";
constexpr const char* kOutputName = "output";

}  // namespace

UserStyleOrtDetector::UserStyleOrtDetector(int intra_op_threads, bool allow_spinning)
    : env_(ORT_LOGGING_LEVEL_WARNING, "user_style_ort") {
  try {
    Ort::SessionOptions options;
    options.SetIntraOpNumThreads(intra_op_threads);
    options.SetInterOpNumThreads(1);
    if (!allow_spinning) options.AddConfigEntry("session.intra_op.allow_spinning", "0");
    session_ = Ort::Session(env_, model_path().c_str(), options);
    memory_ = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  } catch (const Ort::Exception& e) {
    die(std::string("ONNX Runtime cannot load yolox_nano_416: ") + e.what());
  }
  warm_up();
}

cv::Mat UserStyleOrtDetector::forward(const cv::Mat& blob) {
  CV_Assert(blob.isContinuous() && blob.type() == CV_32F && blob.dims == 4);
  const std::array<int64_t, 4> shape{blob.size[0], blob.size[1], blob.size[2], blob.size[3]};
  try {
    // The tensor reads the blob's memory in place; Run() does not write its inputs.
    const Ort::Value input = Ort::Value::CreateTensor<float>(
        memory_, const_cast<float*>(blob.ptr<float>()), blob.total(), shape.data(), shape.size());
    outputs_ = session_.Run(Ort::RunOptions{nullptr}, &kInputName, &input, 1, &kOutputName, 1);
    const std::vector<int64_t> out_shape = outputs_[0].GetTensorTypeAndShapeInfo().GetShape();
    const std::vector<int> sizes(out_shape.begin(), out_shape.end());
    return cv::Mat(sizes, CV_32F, outputs_[0].GetTensorMutableData<float>());
  } catch (const Ort::Exception& e) {
    die(std::string("ONNX Runtime Run() failed: ") + e.what());
  }
}

}  // namespace fp::bench
