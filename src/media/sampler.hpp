// Sampler: decides which decoded frames the pipeline processes (stride, target fps, start/end).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fp::media {

struct SamplingOptions {
  int stride = 1;    // process every Nth frame (by source frame index)
  double fps = 0;    // target rate by pts; 0 keeps every frame the stride lets through
  double start = 0;  // seconds
  double end = 0;    // seconds; 0 means the end of the input
};

// What is wrong with sampling options: the key at fault and a message; std::nullopt when valid.
struct SamplingProblem {
  const char* key;
  std::string message;
};
std::optional<SamplingProblem> check_sampling(const SamplingOptions& options);

class Sampler {
 public:
  explicit Sampler(const SamplingOptions& options) : options_(options) {}

  // True when the frame should be processed. Call once per decoded frame, in order.
  bool accept(int64_t index, double pts);
  // True once pts is past `end`: the source need not be read further.
  bool finished(double pts) const { return options_.end > 0 && pts >= options_.end; }
  // How many frames accept() should let through from a source of `frames` frames at
  // `source_fps` (0 when unknown); 0 when it cannot be known (live streams).
  int64_t estimate(int64_t frames, double source_fps) const;

 private:
  SamplingOptions options_;
  double next_pts_ = -1;  // with fps: earliest pts of the next accepted frame
};

}  // namespace fp::media
