#include "bench_support.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace fp::bench {

std::filesystem::path shared_dir() {
  return std::filesystem::path(FRAMEPIPE_SHARED_DIR).lexically_normal();
}

std::string vtest_path() { return (shared_dir() / "media/video/vtest_480x360.avi").string(); }

std::string people_pipeline_path() {
  return std::string(FRAMEPIPE_SOURCE_DIR) + "/examples/people.yaml";
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n == 0 ? 0 : (n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2);
}

void die(const std::string& message) {
  // glibc's short name of argv[0]: each benchmark's messages carry its own name.
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, message.c_str());
  std::exit(1);
}

}  // namespace fp::bench
