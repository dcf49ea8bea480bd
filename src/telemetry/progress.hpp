// Progress: a live line on a terminal and, for job systems, a JSON file rewritten during the run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.hpp"

namespace fp::telemetry {

struct ProgressState {
  std::string input;  // the input being processed
  int stream = 0;
  int streams = 1;
  int64_t frames = 0;           // frames processed in the run so far
  int64_t expected_frames = 0;  // frames the run should process in total; 0 when unknown
  double elapsed = 0;           // seconds since the run started
  std::string status =
      "running";  // running | completed | completed_with_errors | failed | interrupted

  double fps() const { return elapsed > 0 ? static_cast<double>(frames) / elapsed : 0; }
  // Seconds left at the current rate; negative when unknown.
  double eta() const;
  nlohmann::ordered_json to_json() const;
};

class ProgressReporter {
 public:
  // `terminal`: draw a line on stderr; `json_path`: empty for none.
  ProgressReporter(bool terminal, std::filesystem::path json_path);
  // Redraws at most every `interval` seconds unless `force`.
  void update(const ProgressState& state, bool force = false);
  // Final update; ends the terminal line.
  void finish(const ProgressState& state);

 private:
  bool terminal_;
  std::filesystem::path json_path_;
  SteadyClock::time_point last_{};
  bool drawn_ = false;
  static constexpr double kInterval = 0.5;
};

}  // namespace fp::telemetry
