// Runner: executes a pipeline over inputs, end to end.
//
// Threads: decode threads (InputReader: FFmpeg demux + decode, sampling; up to `source.streams`
// inputs at the same time, one thread each) feed one bounded queue; a feeder thread moves the
// frames into the pipeline's graph (graph/executor.hpp: worker threads run the stages, stateful
// ones in each stream's order, joins merge branches; inside it at most the frames that fill every
// model's batches plus `source.queue`); the calling thread takes the graph's results, puts each
// stream's frames back in order (Reorder), hands them to the sinks (outputs/output_writer.hpp: a
// thread and a bounded queue per sink), records telemetry and draws progress. Full queues block
// their producers, so memory does not grow with the input. Each input is its own stream id;
// streams are interleaved in the outputs, each in frame order. The sinks are those the pipeline's
// `outputs:` names, or its stages' usual ones (outputs/sink_registry.hpp); a run that ends well
// commits them and its run.json in one step (io/output_set.hpp).
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "infer/model_registry.hpp"
#include "pipeline/pipeline_config.hpp"
#include "pipeline/stage.hpp"
#include "telemetry/metrics.hpp"

namespace fp::run {

struct RunOptions {
  std::vector<std::string> inputs;
  std::filesystem::path out_dir;
  std::filesystem::path annotate;       // empty: no annotated video; relative: inside out_dir
  std::filesystem::path progress_json;  // empty: none
  bool terminal_progress = false;
  const std::atomic<bool>* cancel = nullptr;  // set (e.g. by SIGINT) to stop reading input
  // Where the run keeps its live metrics (frames, stage latencies, queues, models), readable from
  // any thread while it goes; a fresh registry per run. Null: the run keeps its own.
  telemetry::MetricsRegistry* metrics = nullptr;
};

// How a run that started ended. Outputs are committed for kCompleted, kCompletedWithErrors and
// kStopped (the user ended a live stream: everything read until then is complete); otherwise they
// stay under their .partial names.
enum class RunStatus { kCompleted, kCompletedWithErrors, kStopped, kFailed, kInterrupted };

struct RunOutcome {
  RunStatus status = RunStatus::kCompleted;
  std::string error;                            // the fatal error for kFailed, else empty
  ErrorCode error_code = ErrorCode::kInternal;  // its kind; kCancelled for kInterrupted
  nlohmann::ordered_json report;                // what run.json holds
  std::string summary;                          // the terminal summary table
  // What the run left in place: its outputs (final names when committed, else .partial names),
  // then run.json when it could be written.
  std::vector<std::filesystem::path> files;
  bool committed = false;  // the outputs have their final names
};

const char* to_string(RunStatus status);
// 0 completed or stopped, 3 completed with input errors, 1 failed, 130 interrupted.
int exit_code(RunStatus status);

// An Error means nothing was processed: the config, a model, an input or the output directory is
// unusable. The message says which and what to do.
Result<RunOutcome> run_pipeline(const pipeline::PipelineConfig& config,
                                const infer::ModelRegistry& registry, const RunOptions& options);

// The same with stages already built (tests inject stages that fail).
Result<RunOutcome> run_with_stages(const pipeline::PipelineConfig& config,
                                   std::vector<std::unique_ptr<pipeline::Stage>> stages,
                                   const RunOptions& options);

}  // namespace fp::run
