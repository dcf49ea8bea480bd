// StageTimings: per-stage latency over steady state, with warm-up frames kept apart.
//
// The first `warmup_frames` frames of a run pay for lazy initialisation (allocations, kernel
// selection, caches); mixing them into p90/max hides the steady-state numbers users tune for.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "telemetry/latency_histogram.hpp"

namespace fp::telemetry {

class StageTimings {
 public:
  explicit StageTimings(int64_t warmup_frames) : warmup_frames_(warmup_frames) {}

  // `frame_sequence` counts processed frames from 0 across the run; below warmup_frames it is
  // a warm-up frame.
  void record(const std::string& stage, double ms, int64_t frame_sequence);
  int64_t warmup_frames() const { return warmup_frames_; }

  struct Stage {
    std::string name;
    LatencyHistogram steady;
    LatencyHistogram warmup;
  };
  // In the order stages were first recorded.
  const std::vector<Stage>& stages() const { return stages_; }
  const Stage* find(const std::string& name) const;

  nlohmann::ordered_json to_json() const;
  // A fixed-width table for the terminal.
  std::string to_table() const;

 private:
  int64_t warmup_frames_;
  std::vector<Stage> stages_;
};

nlohmann::ordered_json to_json(const LatencySummary& summary);

}  // namespace fp::telemetry
