// Job: one run of a pipeline over inputs, as the job service keeps it (README "Job service").
// Its JSON form is the API's job object; the store keeps that same document.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace fp::serve {

enum class JobState { kQueued, kRunning, kCompleted, kFailed, kCancelled, kInterrupted };

const char* state_name(JobState state);
std::optional<JobState> parse_state(const std::string& name);
// Completed, failed, cancelled or interrupted: nothing will change it any more.
bool has_ended(JobState state);

// What the request asked for; each option unset leaves the pipeline's own setting.
struct JobOptions {
  std::optional<std::string> profile;
  std::optional<int> stride;
  std::optional<double> fps, start, end;
  int cpus = 1;
  std::optional<std::string> gallery;  // relative to a media root, as given
};

struct Progress {
  int64_t frames = 0;
  int64_t expected_frames = 0;
  double fps = 0;
  double eta_seconds = 0;
  double percent = 0;
};

struct Job {
  int64_t id = 0;
  std::string pipeline;
  std::vector<std::string> inputs;  // as the request gave them
  JobOptions options;
  JobState state = JobState::kQueued;
  std::string created, started, finished;  // ISO 8601 UTC; empty: not yet
  Progress progress;
  std::optional<int> exit_code;
  std::string error;
  std::vector<int> cores;          // the cores it was pinned to (empty until it starts)
  nlohmann::ordered_json summary;  // from its run.json once it ended; null before
  // Its output files (relative to its output folder), listed once when it ended: they no longer
  // change, so a list of many ended jobs reads no folder. Unset before (list the folder).
  std::optional<std::vector<std::string>> files;
  bool cancel_requested = false;
  // Resolved when accepted (not part of the API object, kept by the store).
  std::string pipeline_file;
  std::vector<std::string> input_paths;
  std::string gallery_path;
};

// The API's job object (`files`: its output files, relative to its output folder).
nlohmann::ordered_json to_json(const Job& job, const std::vector<std::string>& files);
// The store's document: the API object's fields plus the resolved paths.
std::string to_document(const Job& job);
Result<Job> from_document(const std::string& text);

// Now, as the API writes times: 2026-12-01T03:30:00Z.
std::string utc_now();

}  // namespace fp::serve
