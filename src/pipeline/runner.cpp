#include "pipeline/runner.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <thread>

#include "io/pending_file.hpp"
#include "media/sampler.hpp"
#include "media/source.hpp"
#include "pipeline/bounded_queue.hpp"
#include "pipeline/run_report.hpp"
#include "pipeline/sinks.hpp"
#include "pipeline/stage_registry.hpp"
#include "telemetry/progress.hpp"

namespace fp::pipeline {

namespace fs = std::filesystem;

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::kCompleted:
      return "completed";
    case RunStatus::kCompletedWithErrors:
      return "completed_with_errors";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kInterrupted:
      return "interrupted";
  }
  return "unknown";
}

int exit_code(RunStatus status) {
  switch (status) {
    case RunStatus::kCompleted:
      return 0;
    case RunStatus::kCompletedWithErrors:
      return 3;
    case RunStatus::kFailed:
      return 1;
    case RunStatus::kInterrupted:
      return 130;
  }
  return 1;
}

namespace {

using Queue = BoundedQueue<FrameResult>;

Result<std::vector<std::unique_ptr<Stage>>> build_stages(const PipelineConfig& config,
                                                         const infer::ModelRegistry& registry) {
  std::vector<std::unique_ptr<Stage>> stages;
  for (const StageEntry& entry : config.stages) {
    FP_ASSIGN_OR_RETURN(YamlMap map,
                        YamlMap::from(entry.config, config.file, "stage '" + entry.type + "'"));
    std::string name = entry.type;
    FP_RETURN_IF_ERROR(map.read("name", name));
    FP_ASSIGN_OR_RETURN(auto stage, create_stage(entry.type, StageContext{map, registry, name}));
    stages.push_back(std::move(stage));
  }
  return stages;
}

Result<std::vector<std::unique_ptr<media::Source>>> open_sources(
    const PipelineConfig& config, const std::vector<std::string>& inputs) {
  if (inputs.empty())
    return Error("no input given: name a video, image, image folder or stream URL");
  std::vector<std::unique_ptr<media::Source>> sources;
  for (size_t i = 0; i < inputs.size(); ++i) {
    media::SourceOptions options;
    options.stream_id = static_cast<int>(i);
    options.start = config.sampling.start;
    options.decoder_threads = config.decoder_threads;
    FP_ASSIGN_OR_RETURN(auto source, media::open_source(inputs[i], options));
    sources.push_back(std::move(source));
  }
  return sources;
}

// State shared by the three threads; each field is written by one thread only, read after join.
struct Shared {
  std::vector<InputRecord> inputs;
  std::mutex error_mutex;
  std::string fatal_error;

  void fail(const std::string& message) {
    std::lock_guard lock(error_mutex);
    if (fatal_error.empty()) fatal_error = message;
  }
};

// Decode thread: reads every source in turn, samples, and queues frames for the stages.
void decode_sources(std::vector<std::unique_ptr<media::Source>>& sources,
                    const PipelineConfig& config, const RunOptions& options, Queue& out,
                    Shared& shared) {
  int64_t sequence = 0;
  for (size_t s = 0; s < sources.size(); ++s) {
    media::Source& source = *sources[s];
    media::Sampler sampler(config.sampling);
    double decode_ms = 0;  // decoding time since the last queued frame, skipped frames included
    bool stopped = false;
    while (!stopped) {
      if (options.cancel && options.cancel->load()) break;
      const auto start = SteadyClock::now();
      auto next = source.next();
      decode_ms += std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
      if (!next.ok()) {
        shared.inputs[s].error = next.error().message();
        break;
      }
      if (!next->has_value()) break;
      Frame& frame = **next;
      if (sampler.finished(frame.pts)) break;
      if (!sampler.accept(frame.index, frame.pts)) continue;
      FrameResult item;
      item.frame = std::move(frame);
      item.sequence = sequence++;
      item.decoded_at = SteadyClock::now();
      item.timings.emplace_back("decode", decode_ms);
      decode_ms = 0;
      stopped = !out.push(std::move(item));
    }
    InputRecord& record = shared.inputs[s];
    record.source = source.report();
    if (record.source.frames == 0 && record.error.empty() && !stopped) {
      record.error = "no frame could be read from this input";
      if (!record.source.last_error.empty()) record.error += " (" + record.source.last_error + ")";
    }
    if (stopped) break;
  }
  out.close();
}

// Worker thread: runs the stages on every frame that has an image.
void run_stages(std::vector<std::unique_ptr<Stage>>& stages, Queue& in, Queue& out,
                Shared& shared) {
  while (auto item = in.pop()) {
    bool ok = true;
    if (!item->frame.skipped()) {
      for (auto& stage : stages) {
        const Status status = stage->process(*item);
        if (!status.ok()) {
          shared.fail("stage '" + stage->name() + "' failed on stream " +
                      std::to_string(item->frame.stream) + " frame " +
                      std::to_string(item->frame.index) + ": " + status.error().message());
          ok = false;
          break;
        }
      }
    }
    if (!ok || !out.push(std::move(*item))) break;
  }
  in.close();  // releases the decode thread if we stopped early
  out.close();
}

fs::path output_path(const fs::path& out_dir, const fs::path& path) {
  return path.is_absolute() ? path : out_dir / path;
}

double annotate_fps(const PipelineConfig& config, const media::SourceInfo& first) {
  if (config.sampling.fps > 0) return config.sampling.fps;
  if (first.fps > 0) return first.fps / config.sampling.stride;
  return 1.0;  // photos: one per second
}

}  // namespace

Result<RunOutcome> run_pipeline(const PipelineConfig& config, const infer::ModelRegistry& registry,
                                const RunOptions& options) {
  RunFacts facts;
  facts.usage_at_start = telemetry::sample_process_usage();
  const auto setup_start = SteadyClock::now();
  FP_RETURN_IF_ERROR(io::ensure_writable_dir(options.out_dir));
  FP_ASSIGN_OR_RETURN(auto stages, build_stages(config, registry));
  FP_ASSIGN_OR_RETURN(auto sources, open_sources(config, options.inputs));

  std::vector<std::unique_ptr<Sink>> sinks;
  FP_ASSIGN_OR_RETURN(auto jsonl, DetectionsJsonlSink::open(options.out_dir / "detections.jsonl"));
  sinks.push_back(std::move(jsonl));
  if (!options.annotate.empty()) {
    sinks.push_back(std::make_unique<AnnotatedVideoSink>(
        output_path(options.out_dir, options.annotate), annotate_fps(config, sources[0]->info())));
  }

  Shared shared;
  int64_t expected = 0;
  const media::Sampler estimator(config.sampling);
  for (const auto& source : sources) {
    shared.inputs.push_back(InputRecord{source->info(), {}, 0, 0, {}});
    expected += estimator.estimate(source->info().expected_frames, source->info().fps);
  }
  facts.setup_seconds = seconds_since(setup_start);

  const auto run_start = SteadyClock::now();
  Queue decoded(static_cast<size_t>(config.queue_frames));
  Queue processed(static_cast<size_t>(config.queue_frames));
  std::thread decode_thread(decode_sources, std::ref(sources), std::cref(config),
                            std::cref(options), std::ref(decoded), std::ref(shared));
  std::thread worker_thread(run_stages, std::ref(stages), std::ref(decoded), std::ref(processed),
                            std::ref(shared));

  telemetry::StageTimings timings(config.warmup_frames);
  telemetry::ProgressReporter progress(options.terminal_progress, options.progress_json);
  telemetry::ProgressState state;
  state.streams = static_cast<int>(sources.size());
  state.expected_frames = expected;
  bool sink_failed = false;
  while (auto item = processed.pop()) {
    const auto sink_start = SteadyClock::now();
    for (auto& sink : sinks) {
      const Status written = sink->write(*item);
      if (written.ok()) continue;
      shared.fail(written.error().message());
      sink_failed = true;
      break;
    }
    if (sink_failed) {
      processed.close();  // the worker and then the decode thread stop at their next push
      break;
    }
    InputRecord& input = shared.inputs[item->frame.stream];
    (item->frame.skipped() ? input.skipped : input.processed)++;
    ++facts.frames;
    if (!item->frame.skipped()) {
      ++facts.processed;
      item->add_timing("sinks", sink_start);
      item->add_timing("latency", item->decoded_at);
      for (const auto& [stage, ms] : item->timings) timings.record(stage, ms, item->sequence);
    }
    state.input = input.info.uri;
    state.stream = item->frame.stream;
    state.frames = facts.frames;
    state.elapsed = seconds_since(run_start);
    progress.update(state);
  }
  decode_thread.join();
  worker_thread.join();
  facts.processing_seconds = seconds_since(run_start);

  RunOutcome outcome;
  bool input_errors = false;
  for (const InputRecord& in : shared.inputs)
    input_errors |= in.source.has_errors() || !in.error.empty();
  if (!shared.fatal_error.empty()) {
    outcome.status = RunStatus::kFailed;
    outcome.error = shared.fatal_error;
  } else if (options.cancel && options.cancel->load()) {
    outcome.status = RunStatus::kInterrupted;
  } else {
    outcome.status = input_errors ? RunStatus::kCompletedWithErrors : RunStatus::kCompleted;
  }
  const bool commit =
      outcome.status == RunStatus::kCompleted || outcome.status == RunStatus::kCompletedWithErrors;
  for (auto& sink : sinks) {
    const Status done = commit ? sink->commit() : ok_status();
    if (!done.ok()) {
      outcome.status = RunStatus::kFailed;
      outcome.error = done.error().message();
    }
    facts.outputs[sink->path().filename().string()] =
        commit && done.ok() ? sink->path().string() : sink->path().string() + ".partial";
  }

  facts.pipeline = config.name;
  facts.config_file = config.file;
  facts.status = to_string(outcome.status);
  facts.error = outcome.error;
  facts.inputs = shared.inputs;
  facts.queues = {{"decoded", decoded.capacity(), decoded.high_water()},
                  {"processed", processed.capacity(), processed.high_water()}};
  for (const auto& stage : stages) {
    nlohmann::ordered_json r = stage->report();
    r["name"] = stage->name();
    facts.stages.push_back(std::move(r));
  }
  facts.sampling = {{"stride", config.sampling.stride},
                    {"fps", config.sampling.fps},
                    {"start", config.sampling.start},
                    {"end", config.sampling.end}};
  facts.usage_at_end = telemetry::sample_process_usage();
  outcome.report = build_run_report(facts, timings);
  outcome.summary = format_summary(outcome.report, timings);

  const fs::path report_path = options.out_dir / "run.json";
  const Status report_written =
      io::write_file_atomically(report_path, outcome.report.dump(2) + "\n");
  if (!report_written.ok()) {
    outcome.status = RunStatus::kFailed;
    outcome.error = report_written.error().message();
  }
  state.status = to_string(outcome.status);
  state.elapsed = facts.processing_seconds;
  progress.finish(state);
  return outcome;
}

}  // namespace fp::pipeline
