#include "infer/instance_plan.hpp"

#include <cstdio>
#include <opencv2/core/utility.hpp>
#include <thread>

#include "core/clock.hpp"
#include "infer/backend.hpp"

namespace fp::infer {

nlohmann::ordered_json InstancePlan::to_json() const {
  nlohmann::ordered_json trials_json = nlohmann::ordered_json::array();
  for (const Trial& t : trials) {
    trials_json.push_back({{"instances", t.instances},
                           {"threads", t.threads},
                           {"items_per_second", t.items_per_second}});
  }
  return {{"instances", instances}, {"threads", threads}, {"measured", measured},
          {"model", model},         {"seconds", seconds}, {"trials", trials_json},
          {"summary", describe()}};
}

std::string InstancePlan::describe() const {
  std::string text = std::to_string(instances) + (instances == 1 ? " instance" : " instances") +
                     " x " + std::to_string(threads) + (threads == 1 ? " thread" : " threads");
  if (!measured) return text + " (from the pipeline's resources)";
  char took[32];
  std::snprintf(took, sizeof(took), " in %.2f s", seconds);
  text += " (measured on " + model + took + ":";
  char trial[96];
  for (const Trial& t : trials) {
    std::snprintf(trial, sizeof(trial), " %dx%d %.1f/s", t.instances, t.threads,
                  t.items_per_second);
    text += trial;
  }
  return text + ")";
}

std::vector<std::pair<int, int>> plan_candidates(int cores, int max_instances) {
  std::vector<std::pair<int, int>> candidates;
  for (int threads = 1; threads <= cores; ++threads) {
    if (cores % threads != 0 || cores / threads > max_instances) continue;
    candidates.emplace_back(cores / threads, threads);
  }
  return candidates;
}

Result<InstancePlan> plan_from_config(int cores, int instances, int threads) {
  InstancePlan plan;
  plan.instances = instances > 0 ? instances : std::max(1, cores / std::max(1, threads));
  plan.threads = threads > 0 ? threads : std::max(1, cores / plan.instances);
  if (plan.instances * plan.threads > cores) {
    return Error(std::to_string(plan.instances) + " instances x " + std::to_string(plan.threads) +
                 " threads need " + std::to_string(plan.instances * plan.threads) +
                 " cores, but the budget is " + std::to_string(cores));
  }
  return plan;
}

namespace {

constexpr double kFewerInstancesMargin = 1.10;

}  // namespace

Result<InstancePlan> measure_plan(const std::vector<std::pair<int, int>>& candidates,
                                  const std::function<Status(int instance)>& run_once,
                                  int batch_items, int runs) {
  if (candidates.empty()) return Error("no instance plan to measure");
  const auto start = SteadyClock::now();
  InstancePlan best;
  best.measured = true;
  double best_rate = -1;
  for (const auto& [instances, threads] : candidates) {
    set_inference_threads(threads);
    std::vector<Status> statuses(instances, ok_status());
    auto run_all = [&](int times) {
      std::vector<std::thread> pool;
      for (int i = 0; i < instances; ++i) {
        pool.emplace_back([&, i] {
          for (int r = 0; r < times && statuses[i].ok(); ++r) statuses[i] = run_once(i);
        });
      }
      for (std::thread& t : pool) t.join();
    };
    run_all(1);
    const auto timed = SteadyClock::now();
    run_all(runs);
    const double seconds = seconds_since(timed);
    for (const Status& status : statuses) FP_RETURN_IF_ERROR(status);
    const double rate = instances * runs * batch_items / std::max(seconds, 1e-9);
    best.trials.push_back({instances, threads, rate});
    // Candidates come most instances first. Fewer instances must win clearly: a few percent is
    // within the noise of so short a measurement, and in a pipeline more instances also overlap
    // with the other stages (ONNX Runtime's threads without spinning scale less than OpenCV's).
    if (best_rate < 0 || rate > best_rate * kFewerInstancesMargin) {
      best_rate = rate;
      best.instances = instances;
      best.threads = threads;
    }
  }
  set_inference_threads(best.threads);
  best.seconds = seconds_since(start);
  return best;
}

}  // namespace fp::infer
