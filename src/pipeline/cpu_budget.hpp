// CpuBudget: `resources.cpus: N` (or `--cpus N`) is a promise that the process uses at most N
// cores, measured as CPU time / wall time. It is enforced, not advised:
// - every thread of the process is pinned to N cores (sched_setaffinity), and threads started
//   later (FFmpeg decoders, TBB workers) inherit the mask;
// - oneTBB's global parallelism, which OpenCV's kernels run on, is capped to N;
// - OpenCV's own thread count is set to N.
// FFmpeg's automatic decoder thread count follows the affinity mask, so it stays inside too.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace fp::pipeline {

// Cores this process may run on now (its affinity mask).
int available_cores();

// Checks a budget: a whole number from 1 to available_cores(). `source` names where it came
// from in the message ("--cpus", "p.yaml:3:9: 'cpus' in resources").
Status check_cpu_budget(int cpus, const std::string& source);
// Parses a command-line value such as "2"; anything else is an Error naming `source`.
Result<int> parse_cpu_budget(const std::string& text, const std::string& source);

class CpuBudget {
 public:
  // Applies the budget to the whole process; it holds until the object goes away.
  static Result<std::unique_ptr<CpuBudget>> apply(int cpus);
  ~CpuBudget();
  CpuBudget(const CpuBudget&) = delete;
  CpuBudget& operator=(const CpuBudget&) = delete;

  int cpus() const { return cpus_; }
  const std::vector<int>& cores() const { return cores_; }
  nlohmann::ordered_json to_json() const;

 private:
  CpuBudget() = default;
  struct TbbCap;
  int cpus_ = 0;
  std::vector<int> cores_;
  std::unique_ptr<TbbCap> tbb_cap_;
};

}  // namespace fp::pipeline
