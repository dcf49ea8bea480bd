#include "infer/model.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>

#include "core/clock.hpp"

namespace fp::infer {

Result<std::unique_ptr<Model>> Model::load(const ModelRegistry& registry, const std::string& name,
                                           const ModelOptions& options,
                                           std::vector<std::string> output_names) {
  const auto start = SteadyClock::now();
  FP_ASSIGN_OR_RETURN(ModelSpec spec, registry.find(name));
  FP_ASSIGN_OR_RETURN(std::filesystem::path file, registry.resolve(name));
  std::string backend_name = options.backend;
  const auto available = available_backends();
  if (std::find(available.begin(), available.end(), backend_name) == available.end() &&
      options.fallback_to_cpu) {
    spdlog::warn("backend '{}' is not available; `fallback: cpu` given, running '{}' on opencv",
                 backend_name, name);
    backend_name = "opencv";
  }
  auto backend = open_backend(backend_name, file);
  if (!backend.ok()) return backend.error().with_context("model '" + name + "'");

  std::unique_ptr<Model> model(new Model());
  model->spec_ = std::move(spec);
  model->backend_ = std::move(backend).value();
  model->backend_name_ = backend_name;
  model->output_names_ = std::move(output_names);
  model->input_size_ = options.input_size.empty()
                           ? cv::Size(model->spec_.input_width, model->spec_.input_height)
                           : options.input_size;
  model->load_seconds_ = seconds_since(start);
  return model;
}

Result<std::vector<cv::Mat>> Model::run(const cv::Mat& input) {
  auto outputs = backend_->run(input, output_names_);
  if (!outputs.ok()) return outputs.error().with_context("model '" + spec_.name + "'");
  return outputs;
}

Result<double> Model::warm_up() {
  const auto start = SteadyClock::now();
  const int shape[] = {1, 3, input_size_.height, input_size_.width};
  const cv::Mat zeros(4, shape, CV_32F, cv::Scalar(0));
  auto outputs = run(zeros);
  if (!outputs.ok()) {
    return Error("model '" + spec_.name + "' cannot run at input size " +
                 std::to_string(input_size_.width) + "x" + std::to_string(input_size_.height) +
                 ": " + outputs.error().message());
  }
  return seconds_since(start);
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
