#include "infer/instance_plan.hpp"

#include <algorithm>
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

// Items per second of one candidate: each instance on its own thread runs once to warm up (a
// thread count's session or pool is made then), then `runs` times, all at once.
Result<double> measure_candidate(int instances, int threads,
                                 const std::function<Status(int instance)>& run_once,
                                 int batch_items, int runs) {
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
  return instances * runs * batch_items / std::max(seconds, 1e-9);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

Result<InstancePlan> measure_plan(const std::vector<std::pair<int, int>>& candidates,
                                  const std::function<Status(int instance)>& run_once,
                                  int batch_items, int runs, int rounds) {
  if (candidates.empty()) return Error("no instance plan to measure");
  const auto start = SteadyClock::now();
  // Every candidate once per round, the order reversed every other round, so that a slow spell of
  // a shared machine does not decide the plan alone: a candidate's rate is its median.
  std::vector<std::vector<double>> rates(candidates.size());
  for (int round = 0; round < std::max(1, rounds); ++round) {
    for (size_t k = 0; k < candidates.size(); ++k) {
      const size_t c = round % 2 == 0 ? k : candidates.size() - 1 - k;
      FP_ASSIGN_OR_RETURN(const double rate,
                          measure_candidate(candidates[c].first, candidates[c].second, run_once,
                                            batch_items, runs));
      rates[c].push_back(rate);
    }
  }
  InstancePlan best;
  best.measured = true;
  double best_rate = -1;
  for (size_t c = 0; c < candidates.size(); ++c) {
    const auto [instances, threads] = candidates[c];
    const double rate = median(rates[c]);
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
