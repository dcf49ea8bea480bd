#include "telemetry/stage_timings.hpp"

#include <cstdio>

namespace fp::telemetry {

void StageTimings::record(const std::string& stage, double ms, int64_t frame_sequence) {
  Stage* target = nullptr;
  for (Stage& s : stages_) {
    if (s.name == stage) target = &s;
  }
  if (!target) target = &stages_.emplace_back(Stage{stage, {}, {}});
  (frame_sequence < warmup_frames_ ? target->warmup : target->steady).add(ms);
}

const StageTimings::Stage* StageTimings::find(const std::string& name) const {
  for (const Stage& s : stages_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

nlohmann::ordered_json to_json(const LatencySummary& s) {
  return {{"count", s.count}, {"mean_ms", s.mean}, {"p50_ms", s.p50},
          {"p90_ms", s.p90},  {"p99_ms", s.p99},   {"max_ms", s.max}};
}

nlohmann::ordered_json StageTimings::to_json() const {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Stage& s : stages_) {
    out.push_back({{"stage", s.name},
                   {"steady", telemetry::to_json(s.steady.summary())},
                   {"warmup", telemetry::to_json(s.warmup.summary())}});
  }
  return out;
}

std::string StageTimings::to_table() const {
  std::string table;
  char line[256];
  std::snprintf(line, sizeof(line), "%-22s %8s %9s %9s %9s %9s %9s %12s\n", "stage (ms)", "count",
                "mean", "p50", "p90", "p99", "max", "warm-up max");
  table += line;
  for (const Stage& s : stages_) {
    const LatencySummary st = s.steady.summary();
    const LatencySummary wu = s.warmup.summary();
    std::snprintf(line, sizeof(line), "%-22s %8lld %9.2f %9.2f %9.2f %9.2f %9.2f %12.2f\n",
                  s.name.c_str(), static_cast<long long>(st.count), st.mean, st.p50, st.p90, st.p99,
                  st.max, wu.max);
    table += line;
  }
  return table;
}

}  // namespace fp::telemetry
