// StageTimings: per-stage latency over steady state, with warm-up frames kept apart, as the
// registry's "framepipe_stage_latency" metrics labelled by stage.
//
// The first `warmup_frames` frames of a run pay for lazy initialisation (allocations, kernel
// selection, caches); mixing them into p90/max hides the steady-state numbers users tune for.
// One thread records and reports (the runner's); others read the registry.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "telemetry/metrics.hpp"

namespace fp::telemetry {

class StageTimings {
 public:
  StageTimings(MetricsRegistry& registry, int64_t warmup_frames)
      : registry_(registry), warmup_frames_(warmup_frames) {}

  // `frame_sequence` counts processed frames from 0 across the run; below warmup_frames it is
  // a warm-up frame.
  void record(const std::string& stage, double ms, int64_t frame_sequence);
  int64_t warmup_frames() const { return warmup_frames_; }

  struct Stage {
    std::string name;
    LatencySnapshot latency;
  };
  // In the order stages were first recorded.
  std::vector<Stage> stages() const;

  nlohmann::ordered_json to_json() const;
  // A fixed-width table for the terminal.
  std::string to_table() const;

 private:
  MetricsRegistry& registry_;
  int64_t warmup_frames_;
  std::vector<std::pair<std::string, Latency*>> stages_;  // the registry's, found once per stage
};

}  // namespace fp::telemetry
