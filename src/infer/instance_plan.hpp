// Instance planning: how a model uses the cores it is given. A plan is a number of model
// instances that run side by side (each on its own thread, fed by the model's Batcher) and the
// OpenCV threads each instance's layers use. On a small CPU, two single-thread instances of a
// small detector beat one two-thread instance because per-layer parallelism has overheads; on
// larger models the opposite can hold. So the plan is measured on the model at load time, unless
// the pipeline fixes it (`resources.instances` / `resources.threads`).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace fp::infer {

struct InstancePlan {
  int instances = 1;
  int threads = 1;  // OpenCV threads per instance (a process-wide setting)
  bool measured = false;
  struct Trial {
    int instances = 0;
    int threads = 0;
    double items_per_second = 0;
  };
  std::vector<Trial> trials;  // what was measured, when measured
  double seconds = 0;         // time spent measuring
  std::string model;          // the model it was measured on

  nlohmann::ordered_json to_json() const;
  // One line for the log, e.g. "2 instances x 1 thread (measured on yolox_nano_416: ...)".
  std::string describe() const;
};

// The ways to split `cores`: (cores / t instances, t threads) for every t dividing `cores`, with
// at most `max_instances` instances; most instances first.
std::vector<std::pair<int, int>> plan_candidates(int cores, int max_instances);

// A plan from the pipeline's settings (0 = not given): instances x threads must fit in `cores`.
Result<InstancePlan> plan_from_config(int cores, int instances, int threads);

// Measures every candidate `rounds` times (alternating the order; a candidate's rate is the median
// of its rounds): `instances` threads each call run_once(instance) once to warm up and then `runs`
// times, all at once; the plan with the most items per second wins, except that a plan with fewer
// instances must be more than 10 % faster to replace one with more. run_once(i) runs
// one batch of `batch_items` items on instance i. It sets OpenCV's thread count as it goes and
// leaves it at the winner's.
Result<InstancePlan> measure_plan(const std::vector<std::pair<int, int>>& candidates,
                                  const std::function<Status(int instance)>& run_once,
                                  int batch_items, int runs, int rounds);

}  // namespace fp::infer
