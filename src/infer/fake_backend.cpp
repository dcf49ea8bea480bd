#include "infer/fake_backend.hpp"

#include <atomic>
#include <mutex>

namespace fp::infer {

namespace {

std::mutex g_mutex;
std::optional<FakeBackendPlan> g_plan;
std::atomic<int64_t> g_runs{0};

class FakeBackend final : public Backend {
 public:
  FakeBackend(std::unique_ptr<Backend> real, int64_t fail_run)
      : real_(std::move(real)), fail_run_(fail_run) {}
  std::string name() const override { return "fake"; }
  const ModelInfo& info() const override { return real_->info(); }
  Result<std::vector<cv::Mat>> run(const cv::Mat& input,
                                   const std::vector<std::string>& output_names) override {
    if (fail_run_ < 0) return real_->run(input, output_names);
    const int64_t run = g_runs++;
    if (run == fail_run_) return Error("fake backend: run " + std::to_string(run) + " failed");
    return real_->run(input, output_names);
  }

 private:
  std::unique_ptr<Backend> real_;
  int64_t fail_run_;
};

}  // namespace

void set_fake_backend(std::optional<FakeBackendPlan> plan) {
  std::lock_guard lock(g_mutex);
  g_plan = std::move(plan);
  g_runs = 0;
}

std::optional<FakeBackendPlan> fake_backend_plan() {
  std::lock_guard lock(g_mutex);
  return g_plan;
}

Result<std::unique_ptr<Backend>> open_fake_backend(const std::filesystem::path& model_file,
                                                   const BackendOptions& options) {
  const std::optional<FakeBackendPlan> plan = fake_backend_plan();
  if (!plan) return Error("backend 'fake' is only there for tests");
  if (plan->fail_load) return Error("fake backend: loading " + model_file.string() + " failed");
  FP_ASSIGN_OR_RETURN(auto real, open_backend(plan->wraps, model_file, options));
  const bool counts = model_file.filename().string().find(plan->only) != std::string::npos;
  return std::unique_ptr<Backend>(new FakeBackend(std::move(real), counts ? plan->fail_run : -1));
}

}  // namespace fp::infer
