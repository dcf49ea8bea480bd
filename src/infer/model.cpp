#include "infer/model.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <opencv2/core.hpp>

#include "core/clock.hpp"

namespace fp::infer {

Result<std::unique_ptr<Model>> Model::load(const ModelRegistry& registry, const std::string& name,
                                           const ModelOptions& options,
                                           std::vector<std::string> output_names) {
  const auto start = SteadyClock::now();
  FP_ASSIGN_OR_RETURN(ModelSpec spec, registry.find(name));
  FP_ASSIGN_OR_RETURN(std::filesystem::path file, registry.resolve(name));
  std::string backend_name = options.backend;
  BackendOptions backend_options;
  backend_options.device = options.device;
  backend_options.opencv_batch_layout = spec.batch_layout;
  backend_options.input_size = options.input_size.empty()
                                   ? cv::Size(spec.input_width, spec.input_height)
                                   : options.input_size;
  auto backend = open_backend(backend_name, file, backend_options);
  if (!backend.ok() && options.fallback_to_cpu &&
      (backend_name != default_backend() || options.device != "cpu")) {
    spdlog::warn("model '{}': {}; `fallback: cpu` given, running it on {} (cpu)", name,
                 backend.error().message(), default_backend());
    backend_name = default_backend();
    backend_options.device = "cpu";
    backend = open_backend(backend_name, file, backend_options);
  }
  if (!backend.ok()) return backend.error().with_context("model '" + name + "'");

  std::unique_ptr<Model> model(new Model());
  model->spec_ = std::move(spec);
  model->backend_ = std::move(backend).value();
  model->backend_name_ = backend_name;
  model->output_names_ = std::move(output_names);
  model->input_size_ = options.input_size.empty()
                           ? cv::Size(model->spec_.input_width, model->spec_.input_height)
                           : options.input_size;
  FP_RETURN_IF_ERROR(model->fit_input(options.input_size_is_preference));
  model->load_seconds_ = seconds_since(start);
  return model;
}

Status Model::fit_input(bool size_is_preference) {
  const ModelInfo& info = backend_->info();
  if (info.inputs.empty()) return ok_status();
  const TensorSpec& input = info.inputs.front();
  const auto& shape = input.shape;
  const int channels = this->channels();
  if (shape.size() != 4 || (shape[1] > 0 && shape[1] != channels)) {
    return Error("model '" + spec_.name + "': its input '" + input.name + "' is not a " +
                 std::to_string(channels) + "-channel N x C x H x W image tensor" +
                 (channels == 1 ? "" : " (a grey model needs `gray: true` in its preprocess)"));
  }
  const cv::Size fixed(static_cast<int>(shape[3]), static_cast<int>(shape[2]));
  const bool fits = (fixed.height <= 0 || fixed.height == input_size_.height) &&
                    (fixed.width <= 0 || fixed.width == input_size_.width);
  if (fits) return ok_status();
  const std::string asked =
      std::to_string(input_size_.width) + "x" + std::to_string(input_size_.height);
  const std::string own = std::to_string(fixed.width) + "x" + std::to_string(fixed.height);
  if (size_is_preference && fixed.width > 0 && fixed.height > 0) {
    spdlog::info("model '{}' runs at {} on {} (its ONNX fixes the size), not the profile's {}",
                 spec_.name, own, backend_name_, asked);
    input_size_ = fixed;
    return ok_status();
  }
  return Error("model '" + spec_.name + "' runs only at " + own + " on " + backend_name_ +
               " (its ONNX input '" + input.name + "' fixes the size), not " + asked +
               ": remove input_size, or set `backend: opencv`, which resizes the network");
}

Result<Outputs> Model::run(const cv::Mat& input) {
  auto outputs = backend_->run(input, output_names_);
  if (!outputs.ok()) return outputs.error().with_context("model '" + spec_.name + "'");
  return outputs;
}

Result<std::vector<Outputs>> Model::run_batch(const std::vector<cv::Mat>& items) {
  if (items.size() == 1) {
    FP_ASSIGN_OR_RETURN(Outputs one, run(items.front()));
    return std::vector<Outputs>{std::move(one)};
  }
  // ONNX Runtime runs the items one after another (the ONNX fixes the batch at 1; the Batcher
  // still groups the requests); OpenCV stacks them and unfolds its outputs (its own quirks).
  auto split = backend_->run_batch(items, output_names_, item_shapes_);
  if (!split.ok()) return split.error().with_context("model '" + spec_.name + "'");
  return split;
}

namespace {

// Largest absolute difference between two sets of outputs (infinity if their shapes differ).
double max_difference(const Outputs& a, const Outputs& b) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double worst = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    if (shape_of(a[k]) != shape_of(b[k])) return std::numeric_limits<double>::infinity();
    worst = std::max(worst, cv::norm(a[k], b[k], cv::NORM_INF));
  }
  return worst;
}

}  // namespace

Result<WarmUp> Model::warm_up(int max_batch, bool check_batches) {
  const int shape[] = {1, channels(), input_size_.height, input_size_.width};
  WarmUp warm;
  auto start = SteadyClock::now();
  auto outputs = run(cv::Mat(4, shape, CV_32F, cv::Scalar(0)));
  if (!outputs.ok()) {
    return Error("model '" + spec_.name + "' cannot run at input size " +
                 std::to_string(input_size_.width) + "x" + std::to_string(input_size_.height) +
                 ": " + outputs.error().message());
  }
  warm.seconds.emplace_back(1, seconds_since(start));
  item_shapes_.clear();
  for (const cv::Mat& output : *outputs) item_shapes_.push_back(shape_of(output));
  if (max_batch <= 1) return warm;

  // Distinct inputs, so an item that got another's outputs is caught.
  std::vector<cv::Mat> items;
  std::vector<Outputs> alone;
  cv::RNG rng(12345);
  for (int b = 0; b < max_batch; ++b) {
    cv::Mat item(4, shape, CV_32F, cv::Scalar(0));
    if (check_batches) {
      rng.fill(item, cv::RNG::UNIFORM, 0.0, 255.0);
      FP_ASSIGN_OR_RETURN(Outputs single, run(item));
      alone.push_back(std::move(single));
    }
    items.push_back(std::move(item));
  }
  start = SteadyClock::now();
  auto batched = run_batch(items);
  warm.seconds.emplace_back(max_batch, seconds_since(start));
  if (!batched.ok()) {
    if (!check_batches) return batched.error();
    warm.batch_problem = batched.error().message();
    return warm;
  }
  for (size_t b = 0; b < alone.size(); ++b) {
    const double difference = max_difference((*batched)[b], alone[b]);
    double scale = 1;
    for (const cv::Mat& output : alone[b]) scale = std::max(scale, cv::norm(output, cv::NORM_INF));
    if (!(difference <= 1e-4 * scale)) {
      warm.batch_problem = "item " + std::to_string(b) + " of a batch of " +
                           std::to_string(max_batch) + " differs from its run alone by " +
                           std::to_string(difference);
      return warm;
    }
  }
  warm.max_batch = max_batch;
  return warm;
}

Result<std::vector<std::string>> load_labels(const ModelRegistry& registry,
                                             const std::string& name) {
  FP_ASSIGN_OR_RETURN(std::filesystem::path file, registry.resolve(name));
  std::ifstream in(file);
  std::vector<std::string> labels;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) labels.push_back(line);
  }
  if (labels.empty()) return Error("labels '" + name + "' at " + file.string() + " are empty");
  return labels;
}

}  // namespace fp::infer
