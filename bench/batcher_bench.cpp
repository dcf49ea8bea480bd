// Batcher micro-benchmark: the cost per item of running a model through its Batcher at batch 1, 2,
// 4 and 8, for the detector (YOLOX-nano 416) and the face embedder (MobileFaceNet), with 1 or 2
// threads, on ONNX Runtime (backend 0) and OpenCV DNN (backend 1). The registry's
// `batch: {max: N}` defaults come from these figures.
//
//   build/bench/batcher_bench [--benchmark_repetitions=3 --benchmark_report_aggregates_only=true]
//
// items_per_second is the figure to compare (1000 / items_per_second = milliseconds per item).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <opencv2/core.hpp>

#include "infer/backend.hpp"
#include "infer/batcher.hpp"
#include "infer/model.hpp"

namespace {

using fp::infer::Batcher;
using fp::infer::BatchExecutor;
using fp::infer::Model;

const char* const kBackends[] = {"onnxruntime", "opencv"};

// A loaded, warmed-up instance of a registry model, kept across benchmark cases.
Model* load_model(const std::string& name, const std::string& backend) {
  static std::map<std::string, std::unique_ptr<Model>> cache;
  auto& slot = cache[name + "|" + backend];
  if (slot) return slot.get();
  auto registry = fp::infer::ModelRegistry::load_default();
  if (!registry.ok()) return nullptr;
  fp::infer::ModelOptions options;
  options.backend = backend;
  auto model = Model::load(*registry, name, options, {});
  if (!model.ok()) return nullptr;
  slot = std::move(model).value();
  return slot.get();
}

// Lends a model to a Batcher without giving it away.
class Borrowed : public BatchExecutor {
 public:
  explicit Borrowed(Model& model) : model_(model) {}
  fp::Result<std::vector<fp::infer::Outputs>> run_batch(
      const std::vector<cv::Mat>& items) override {
    return model_.run_batch(items);
  }

 private:
  Model& model_;
};

void per_item_cost(benchmark::State& state, const std::string& name) {
  const int batch = static_cast<int>(state.range(0));
  fp::infer::set_inference_threads(static_cast<int>(state.range(1)));
  Model* model = load_model(name, kBackends[state.range(2)]);
  if (model == nullptr) {
    state.SkipWithError(("cannot load " + name + " (is ../shared/models there?)").c_str());
    return;
  }
  auto warm = model->warm_up(batch, true);
  if (!warm.ok() || warm->max_batch != batch) {
    state.SkipWithError((name + " does not run batches of " + std::to_string(batch)).c_str());
    return;
  }
  std::vector<std::unique_ptr<BatchExecutor>> instances;
  instances.push_back(std::make_unique<Borrowed>(*model));
  // A long delay: every batch is formed by reaching max_batch, never by the timer.
  Batcher batcher(std::move(instances), {name, batch, std::chrono::seconds(10)});
  const int shape[] = {1, 3, model->input_size().height, model->input_size().width};
  cv::Mat input(4, shape, CV_32F);
  cv::randu(input, 0, 255);
  for (auto _ : state) {
    for (const auto& outputs : batcher.run_all(std::vector<cv::Mat>(batch, input))) {
      if (!outputs.ok()) state.SkipWithError("a request failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);  // items/s; 1000 / it = ms per item
}

void BM_Detector(benchmark::State& state) { per_item_cost(state, "yolox_nano_416"); }
void BM_Embedder(benchmark::State& state) { per_item_cost(state, "mobilefacenet_128d"); }

// {batch, threads, backend}
void batch_and_threads(benchmark::internal::Benchmark* b) {
  for (int backend : {0, 1}) {
    for (int threads : {1, 2}) {
      for (int batch : {1, 2, 4, 8}) b->Args({batch, threads, backend});
    }
  }
  b->ArgNames({"batch", "threads", "backend"})->UseRealTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_Detector)->Apply(batch_and_threads)->MinTime(2.0);
BENCHMARK(BM_Embedder)->Apply(batch_and_threads)->MinTime(1.0);

}  // namespace

BENCHMARK_MAIN();
