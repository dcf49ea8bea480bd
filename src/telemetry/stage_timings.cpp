#include "telemetry/stage_timings.hpp"

#include <cstdio>

namespace fp::telemetry {

void StageTimings::record(const std::string& stage, double ms, int64_t frame_sequence) {
  Latency* target = nullptr;
  for (const auto& [name, latency] : stages_) {
    if (name == stage) target = latency;
  }
  if (!target) {
    target = &registry_.latency("framepipe_stage_latency", {{"stage", stage}},
                                "Time a frame spent in a stage of the pipeline", warmup_frames_);
    stages_.emplace_back(stage, target);
  }
  target->record(ms, frame_sequence);
}

std::vector<StageTimings::Stage> StageTimings::stages() const {
  std::vector<Stage> out;
  for (const auto& [name, latency] : stages_) out.push_back({name, latency->snapshot()});
  return out;
}

nlohmann::ordered_json StageTimings::to_json() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Stage& s : stages()) {
    out.push_back({{"stage", s.name},
                   {"steady", telemetry::to_json(s.latency.steady)},
                   {"warmup", telemetry::to_json(s.latency.warmup)}});
  }
  return out;
}

std::string StageTimings::to_table() const {
  std::string table;
  char line[256];
  std::snprintf(line, sizeof(line), "%-22s %8s %9s %9s %9s %9s %9s %12s\n", "stage (ms)", "count",
                "mean", "p50", "p90", "p99", "max", "warm-up max");
  table += line;
  for (const Stage& s : stages()) {
    const LatencySummary& st = s.latency.steady;
    std::snprintf(line, sizeof(line), "%-22s %8lld %9.2f %9.2f %9.2f %9.2f %9.2f %12.2f\n",
                  s.name.c_str(), static_cast<long long>(st.count), st.mean, st.p50, st.p90, st.p99,
                  st.max, s.latency.warmup.max);
    table += line;
  }
  return table;
}

}  // namespace fp::telemetry
