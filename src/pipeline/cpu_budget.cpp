#include "pipeline/cpu_budget.hpp"

#include <dirent.h>
#include <sched.h>
#include <tbb/global_control.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <opencv2/core/utility.hpp>

#include "core/cpu_cores.hpp"
#include "infer/backend.hpp"

namespace fp::pipeline {

struct CpuBudget::TbbCap {
  tbb::global_control control;
  explicit TbbCap(int cpus)
      : control(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(cpus)) {}
};

namespace {

// Pins every thread that exists now; threads created afterwards inherit the caller's mask.
Status pin_all_threads(const cpu_set_t& mask) {
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks)
    return Error(std::string("cannot list this process's threads: ") + std::strerror(errno));
  Status status = ok_status();
  while (dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    const pid_t tid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (sched_setaffinity(tid, sizeof(mask), &mask) != 0 && errno != ESRCH) {
      status =
          Error(std::string("cannot pin thread ") + entry->d_name + ": " + std::strerror(errno));
      break;
    }
  }
  closedir(tasks);
  return status;
}

}  // namespace

int available_cores() { return static_cast<int>(allowed_cores().size()); }

Status check_cpu_budget(int cpus, const std::string& source) {
  const int available = available_cores();
  if (cpus < 1 || cpus > available) {
    return Error(source + " must be a whole number of cores from 1 to " +
                 std::to_string(available) + " (this machine lets the process use " +
                 std::to_string(available) + "), got " + std::to_string(cpus));
  }
  return ok_status();
}

Result<int> parse_cpu_budget(const std::string& text, const std::string& source) {
  size_t used = 0;
  int cpus = 0;
  try {
    cpus = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) {
    return Error(source + " must be a whole number of cores, got '" + text + "'");
  }
  FP_RETURN_IF_ERROR(check_cpu_budget(cpus, source));
  return cpus;
}

Result<std::unique_ptr<CpuBudget>> CpuBudget::apply(int cpus) {
  FP_RETURN_IF_ERROR(check_cpu_budget(cpus, "the CPU budget"));
  std::unique_ptr<CpuBudget> budget(new CpuBudget());
  budget->cpus_ = cpus;
  const std::vector<int> allowed = allowed_cores();
  budget->cores_.assign(allowed.begin(), allowed.begin() + cpus);
  cpu_set_t mask;
  CPU_ZERO(&mask);
  for (int c : budget->cores_) CPU_SET(c, &mask);
  FP_RETURN_IF_ERROR(pin_all_threads(mask));
  budget->tbb_cap_ = std::make_unique<TbbCap>(cpus);
  infer::set_inference_threads(cpus);  // OpenCV's thread count and ONNX Runtime sessions'
  return budget;
}

CpuBudget::~CpuBudget() = default;

nlohmann::ordered_json CpuBudget::to_json() const {
  return {{"cpus", cpus_}, {"cores", cores_}, {"opencv_threads", cv::getNumThreads()}};
}

}  // namespace fp::pipeline
