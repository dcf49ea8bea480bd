// What the whole-run benchmarks share: where the media and the example pipeline are, medians, and
// failing with a message.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace fp::bench {

// ../shared beside the source tree (media and models; see DESIGN.md).
std::filesystem::path shared_dir();
// The 795-frame 480x360 test video that the throughput targets are stated on.
std::string vtest_path();
// examples/people.yaml in the source tree.
std::string people_pipeline_path();

double median(std::vector<double> values);

// Prints "<program>: message" to stderr and exits with status 1: a benchmark has no caller to hand
// an error to.
[[noreturn]] void die(const std::string& message);

template <class T>
T value_or_die(Result<T> result) {
  if (!result.ok()) die(result.error().message());
  return std::move(result).value();
}

}  // namespace fp::bench
