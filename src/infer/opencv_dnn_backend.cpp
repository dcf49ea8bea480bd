#include "infer/opencv_dnn_backend.hpp"

namespace fp::infer {

Result<std::unique_ptr<Backend>> OpenCvDnnBackend::open(const std::filesystem::path& model_file,
                                                        const BackendOptions& options) {
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(model_file.string());
    if (net.empty()) return Error("OpenCV DNN loaded no layers from " + model_file.string());
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return std::unique_ptr<Backend>(new OpenCvDnnBackend(std::move(net), options));
  } catch (const cv::Exception& e) {
    return Error("OpenCV DNN cannot load " + model_file.string() + ": " + e.what());
  }
}

Result<std::vector<cv::Mat>> OpenCvDnnBackend::run(const cv::Mat& input,
                                                   const std::vector<std::string>& output_names) {
  try {
    net_.setInput(input);
    std::vector<cv::Mat> outputs;
    if (output_names.empty()) {
      net_.forward(outputs, net_.getUnconnectedOutLayersNames());
    } else {
      net_.forward(outputs, output_names);
    }
    // The net reuses its output buffers on the next forward(); the caller gets its own copies.
    for (cv::Mat& m : outputs) m = m.clone();
    return outputs;
  } catch (const cv::Exception& e) {
    return Error(std::string("OpenCV DNN forward failed: ") + e.what());
  }
}

Result<std::vector<std::vector<cv::Mat>>> OpenCvDnnBackend::run_batch(
    const std::vector<cv::Mat>& items, const std::vector<std::string>& output_names,
    const std::vector<std::vector<int>>& item_shapes) {
  FP_ASSIGN_OR_RETURN(const cv::Mat batch, stack_items(items));
  FP_ASSIGN_OR_RETURN(const auto outputs, run(batch, output_names));
  return split_outputs(outputs, static_cast<int>(items.size()), item_shapes, layout_, input_size_);
}

}  // namespace fp::infer
