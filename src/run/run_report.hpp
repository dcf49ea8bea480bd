// The run report (run.json) and the terminal summary built from a finished run.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "graph/graph_spec.hpp"
#include "media/source.hpp"
#include "pipeline/pipeline_config.hpp"
#include "telemetry/process_usage.hpp"
#include "telemetry/stage_timings.hpp"

namespace fp::run {

// What the runner knows of one input at the end of the run.
struct InputRecord {
  media::SourceInfo info;
  media::SourceReport source;
  int64_t processed = 0;  // frames that went through the stages
  int64_t skipped = 0;    // skip rows written
  int64_t dropped = 0;    // frames read but replaced by newer ones (source.live: drop_oldest)
  std::string error;      // a fatal read error that ended this input early
};

// A join of the graph, for run.json's "fusion" section.
struct JoinRecord {
  std::string name;
  graph::JoinPolicy policy;
  std::vector<std::string> inputs;
};

struct QueueRecord {
  std::string name;
  size_t capacity = 0;
  size_t high_water = 0;
};

struct RunFacts {
  std::string pipeline;
  std::string config_file;
  // "running" while the run goes (its inputs then say only what the main thread counted), then
  // how it ended (RunStatus).
  std::string status;
  std::string error;
  std::optional<ErrorCode> error_code;  // of a failed or interrupted run
  double setup_seconds = 0;             // stage building, model loading, planning and warm-up
  double processing_seconds = 0;        // first frame read to last frame written
  // Frames every output wrote (processed + skipped, unless an output failed); while the run goes,
  // those handed to the outputs.
  int64_t frames = 0;
  int64_t processed = 0;
  telemetry::ProcessUsage usage_at_start;  // before setup
  telemetry::ProcessUsage usage_at_end;
  std::vector<InputRecord> inputs;
  std::vector<QueueRecord> queues;
  std::vector<JoinRecord> joins;
  nlohmann::ordered_json stages = nlohmann::ordered_json::array();  // each stage's own report()
  nlohmann::ordered_json outputs = nlohmann::ordered_json::object();
  nlohmann::ordered_json sampling = nlohmann::ordered_json::object();
  // The CPU budget that was applied (cpus, cores, opencv_threads); {"cpus": null} without one.
  nlohmann::ordered_json resources = {{"cpus", nullptr}};
  // Worker threads (frames in flight), OpenCV threads and the instance plan.
  nlohmann::ordered_json engine = nlohmann::ordered_json::object();
  nlohmann::ordered_json models = nlohmann::ordered_json::array();  // each model's batcher report
  // {name, values, overridden, effective} when the pipeline started from a profile, else null.
  nlohmann::ordered_json profile;
  double first_result_seconds = -1;  // setup start to the first frame written; -1: none
};

// Sets what the run report says of the pipeline's settings: its name, file, sampling, profile and
// joins.
void describe_run(const pipeline::PipelineConfig& config, RunFacts& facts);

// {name, values, overridden, effective} when the pipeline started from a profile, else null;
// `stages` (their reports) add the input size each stage used to `effective`.
nlohmann::ordered_json profile_json(const pipeline::PipelineConfig& config,
                                    const nlohmann::ordered_json& stages);

nlohmann::ordered_json build_run_report(const RunFacts& facts,
                                        const telemetry::StageTimings& timings);
std::string format_summary(const nlohmann::ordered_json& report,
                           const telemetry::StageTimings& timings);

}  // namespace fp::run
