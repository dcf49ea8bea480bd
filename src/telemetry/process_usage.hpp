// CPU time and peak memory of this process, for the run report.
#pragma once

#include <cstdint>

namespace fp::telemetry {

struct ProcessUsage {
  double cpu_seconds = 0;      // user + system, all threads
  int64_t peak_rss_bytes = 0;  // high-water resident set size
};

ProcessUsage sample_process_usage();

}  // namespace fp::telemetry
