#include "telemetry/process_usage.hpp"

#include <sys/resource.h>

namespace fp::telemetry {

ProcessUsage sample_process_usage() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  ProcessUsage u;
  u.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                  static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  u.peak_rss_bytes = static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
  return u;
}

}  // namespace fp::telemetry
