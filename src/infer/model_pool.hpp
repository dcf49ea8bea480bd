// ModelPool: the models of one run, each loaded once and shared through its Batcher by every stage
// that asks for it (same model, backend and input size), whatever frame or stream the call is for.
//
// The first model loaded fixes the run's InstancePlan: measured on that model within the core
// budget, or taken from the pipeline. Every model then gets plan.instances instances, warmed up at
// batch 1 and at its largest batch (whose correctness is checked; see Model::warm_up).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "infer/batcher.hpp"
#include "infer/instance_plan.hpp"
#include "infer/model.hpp"
#include "infer/model_registry.hpp"

namespace fp::infer {

struct PoolOptions {
  int cores = 1;      // the CPU budget, or the cores the process may use
  int instances = 0;  // fixed by the pipeline; 0: planned
  int threads = 0;    // fixed by the pipeline; 0: planned
  // Where the batchers count, labelled {model, backend, input} (and variant, for a model loaded
  // again with another device or outputs); null: each batcher its own.
  telemetry::MetricsRegistry* metrics = nullptr;
};

// What a stage asks for.
struct ModelRequest {
  std::string name;
  ModelOptions options;
  std::vector<std::string> output_names;
  int max_batch = 0;  // 0: the registry's default for the model
  std::chrono::microseconds max_delay{2000};
};

// A loaded model as stages see it: its description and the batcher that runs it.
class PooledModel {
 public:
  const ModelSpec& spec() const { return spec_; }
  const std::string& backend_name() const { return backend_name_; }
  cv::Size input_size() const { return input_size_; }
  Batcher& batcher() { return *batcher_; }
  nlohmann::ordered_json report() const;

 private:
  friend class ModelPool;
  ModelSpec spec_;
  std::string backend_name_;
  cv::Size input_size_;
  double load_seconds_ = 0;
  WarmUp warm_up_;
  std::unique_ptr<Batcher> batcher_;
};

class ModelPool {
 public:
  ModelPool(const ModelRegistry& registry, PoolOptions options)
      : registry_(registry), options_(options) {}
  ~ModelPool() { shutdown(); }

  // The shared model, loaded and warmed up on first use. The Error names the model.
  Result<PooledModel*> get(const ModelRequest& request);
  const std::optional<InstancePlan>& plan() const { return plan_; }
  // Frames the stages should keep in flight so every instance can fill its batches and has the
  // next one queued while it runs.
  int frames_in_flight() const;
  // {"plan": ..., "models": [...]} for the run report.
  nlohmann::ordered_json report() const;
  // Fails every queued request and stops the batchers (see Batcher::shutdown).
  void shutdown();

 private:
  Result<std::vector<std::unique_ptr<Model>>> load_instances(const ModelRequest& request,
                                                             int count) const;
  // Fixes plan_ from the options, or by measuring `loaded` (topped up to enough instances, each
  // warmed up at batch 1 and `max_batch`).
  Status make_plan(const ModelRequest& request, std::vector<std::unique_ptr<Model>>& loaded,
                   int max_batch);

  const ModelRegistry& registry_;
  PoolOptions options_;
  std::mutex mutex_;
  std::optional<InstancePlan> plan_;
  std::map<std::string, std::unique_ptr<PooledModel>> models_;  // by name, backend, size, outputs
};

}  // namespace fp::infer
