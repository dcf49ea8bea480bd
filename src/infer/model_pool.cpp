#include "infer/model_pool.hpp"

#include <spdlog/spdlog.h>

#include <opencv2/core/utility.hpp>

#include "core/clock.hpp"
#include "core/strings.hpp"

namespace fp::infer {

namespace {

constexpr int kMaxPlannedInstances = 8;
constexpr int kPlanRuns = 3;    // timed batches per instance and candidate in a round
constexpr int kPlanRounds = 3;  // rounds over the candidates; each is judged by its median

std::string pool_key(const ModelRequest& request) {
  return request.name + "|" + request.options.backend + "|" + request.options.device + "|" +
         std::to_string(request.options.input_size.width) + "x" +
         std::to_string(request.options.input_size.height) + "|" + join(request.output_names, ",");
}

}  // namespace

nlohmann::ordered_json PooledModel::report() const {
  nlohmann::ordered_json warm = nlohmann::ordered_json::object();
  for (const auto& [batch, seconds] : warm_up_.seconds) warm[std::to_string(batch)] = seconds;
  nlohmann::ordered_json out = batcher_->report();
  out["backend"] = backend_name_;
  out["input_size"] = {input_size_.width, input_size_.height};
  out["load_seconds"] = load_seconds_;
  out["warmup_seconds_by_batch"] = warm;
  if (!warm_up_.batch_problem.empty()) out["batch_problem"] = warm_up_.batch_problem;
  return out;
}

Result<std::vector<std::unique_ptr<Model>>> ModelPool::load_instances(const ModelRequest& request,
                                                                      int count) const {
  std::vector<std::unique_ptr<Model>> instances;
  for (int i = 0; i < count; ++i) {
    FP_ASSIGN_OR_RETURN(
        auto model, Model::load(registry_, request.name, request.options, request.output_names));
    instances.push_back(std::move(model));
  }
  return instances;
}

Status ModelPool::make_plan(const ModelRequest& request,
                            std::vector<std::unique_ptr<Model>>& loaded, int max_batch) {
  if (options_.instances > 0 || options_.threads > 0) {
    FP_ASSIGN_OR_RETURN(plan_,
                        plan_from_config(options_.cores, options_.instances, options_.threads));
    set_inference_threads(plan_->threads);
  } else {
    const auto candidates = plan_candidates(options_.cores, kMaxPlannedInstances);
    FP_ASSIGN_OR_RETURN(auto extra, load_instances(request, candidates.front().first -
                                                                static_cast<int>(loaded.size())));
    for (auto& model : extra) {
      FP_RETURN_IF_ERROR(model->warm_up(max_batch, false));
      loaded.push_back(std::move(model));
    }
    const int shape[] = {1, loaded.front()->channels(), loaded.front()->input_size().height,
                         loaded.front()->input_size().width};
    // Single items: how instances share the cores does not depend on the batch much, and the
    // measurement stays short.
    const cv::Mat zeros(4, shape, CV_32F, cv::Scalar(0));
    auto run_once = [&](int instance) -> Status {
      FP_RETURN_IF_ERROR(loaded[instance]->run(zeros));
      return ok_status();
    };
    FP_ASSIGN_OR_RETURN(plan_, measure_plan(candidates, run_once, 1, kPlanRuns, kPlanRounds));
  }
  plan_->model = request.name;
  spdlog::info("instance plan: {}", plan_->describe());
  return ok_status();
}

Result<PooledModel*> ModelPool::get(const ModelRequest& asked_for) {
  std::lock_guard lock(mutex_);
  // A request without an input size means the registry's: key it by that size, so that it
  // shares the model with a request naming the same size instead of loading it again.
  ModelRequest request = asked_for;
  if (request.options.input_size.empty()) {
    const auto spec = registry_.find(request.name);
    if (spec.ok() && spec->input_width > 0 && spec->input_height > 0) {
      request.options.input_size = cv::Size(spec->input_width, spec->input_height);
    }
  }
  const std::string key = pool_key(request);
  if (const auto it = models_.find(key); it != models_.end()) {
    const int asked = request.max_batch;
    if (asked > 0 && asked != it->second->batcher().options().max_batch) {
      spdlog::warn(
          "model '{}' is shared and already runs batches of up to {}; max_batch {} is "
          "not applied",
          request.name, it->second->batcher().options().max_batch, asked);
    }
    return it->second.get();
  }
  const auto start = SteadyClock::now();
  FP_ASSIGN_OR_RETURN(auto instances, load_instances(request, 1));
  Model& first = *instances.front();
  const int asked = request.max_batch > 0 ? request.max_batch : first.spec().max_batch;
  FP_ASSIGN_OR_RETURN(WarmUp warm, first.warm_up(asked, true));
  if (!warm.batch_problem.empty()) {
    spdlog::warn("model '{}' runs one item at a time: a batch of {} failed its check ({})",
                 request.name, asked, warm.batch_problem);
  }
  if (!plan_) FP_RETURN_IF_ERROR(make_plan(request, instances, warm.max_batch));
  instances.resize(std::min<size_t>(instances.size(), plan_->instances));
  if (static_cast<int>(instances.size()) < plan_->instances) {
    FP_ASSIGN_OR_RETURN(
        auto more, load_instances(request, plan_->instances - static_cast<int>(instances.size())));
    for (auto& model : more) {
      FP_RETURN_IF_ERROR(model->warm_up(warm.max_batch, false));
      instances.push_back(std::move(model));
    }
  }

  auto pooled = std::make_unique<PooledModel>();
  pooled->spec_ = first.spec();
  pooled->backend_name_ = first.backend_name();
  pooled->input_size_ = first.input_size();
  pooled->warm_up_ = std::move(warm);
  std::vector<std::unique_ptr<BatchExecutor>> executors;
  for (auto& model : instances) executors.push_back(std::move(model));
  const std::string input =
      std::to_string(pooled->input_size_.width) + "x" + std::to_string(pooled->input_size_.height);
  telemetry::Labels labels{
      {"model", request.name}, {"backend", pooled->backend_name_}, {"input", input}};
  for (const auto& [other_key, other] : models_) {  // one differing in device or outputs
    if (other->batcher().options().labels == labels) {
      labels.emplace_back("variant", std::to_string(models_.size()));
    }
  }
  pooled->batcher_ = std::make_unique<Batcher>(
      std::move(executors), BatcherOptions{request.name, pooled->warm_up_.max_batch,
                                           request.max_delay, 0, options_.metrics, labels});
  pooled->load_seconds_ = seconds_since(start);
  PooledModel* result = pooled.get();
  models_.emplace(key, std::move(pooled));
  return result;
}

int ModelPool::frames_in_flight() const {
  int frames = 1;
  for (const auto& [key, model] : models_) {
    const Batcher& batcher = *model->batcher_;
    frames = std::max(frames, batcher.instances() * (batcher.options().max_batch + 1));
  }
  return frames;
}

nlohmann::ordered_json ModelPool::report() const {
  nlohmann::ordered_json models = nlohmann::ordered_json::array();
  for (const auto& [key, model] : models_) models.push_back(model->report());
  return {{"plan", plan_ ? plan_->to_json() : nlohmann::ordered_json()}, {"models", models}};
}

void ModelPool::shutdown() {
  for (auto& [key, model] : models_) model->batcher_->shutdown();
}

}  // namespace fp::infer
