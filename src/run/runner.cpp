#include "run/runner.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <opencv2/core/utility.hpp>
#include <optional>
#include <thread>

#include "core/bounded_queue.hpp"
#include "io/output_set.hpp"
#include "outputs/output_writer.hpp"
#include "outputs/sink_registry.hpp"
#include "pipeline/cpu_budget.hpp"
#include "pipeline/frame_traits.hpp"
#include "pipeline/stage_registry.hpp"
#include "run/input_reader.hpp"
#include "run/output_dir.hpp"
#include "run/reorder.hpp"
#include "run/run_metrics.hpp"
#include "run/run_report.hpp"
#include "run/run_report_writer.hpp"
#include "telemetry/progress.hpp"

namespace fp::run {

namespace fs = std::filesystem;
using pipeline::available_cores;
using pipeline::CpuBudget;
using pipeline::FrameExecutor;
using pipeline::FrameResult;
using pipeline::PipelineConfig;
using pipeline::Stage;
using pipeline::StageContext;

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::kCompleted:
      return "completed";
    case RunStatus::kCompletedWithErrors:
      return "completed_with_errors";
    case RunStatus::kStopped:
      return "stopped";
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
    case RunStatus::kStopped:
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

// The pipeline's stages, one per node of its graph (null for a join).
using StageChain = std::vector<std::unique_ptr<Stage>>;

// A stage's Status on a frame, its Error naming the stage and the frame. A stage fails on a frame
// when its model does (a batch that cannot run): model_error unless it says otherwise.
// A stage's work on `item` done: the objects it found numbered, or its Error located.
Status stage_result(const Stage& stage, FrameResult& item, const Status& status) {
  if (status.ok()) {
    number_objects(item.detections);
    return status;
  }
  return Error(status.error().or_code(ErrorCode::kModel).code(),
               "stage '" + stage.name() + "' failed on stream " +
                   std::to_string(item.frame.stream) + " frame " +
                   std::to_string(item.frame.index) + ": " + status.error().message());
}

Error stage_exception(const Stage& stage, const std::exception& e) {
  return Error(std::string("internal error in stage '") + stage.name() + "': " + e.what());
}

Result<StageChain> build_stages(const PipelineConfig& config, const infer::ModelRegistry& registry,
                                infer::ModelPool& models) {
  const graph::GraphSpec& graph = config.graph;
  StageChain stages;
  // What reaches each node from its (first) input: the detector whose boxes they are, whether a
  // tracker gave them ids, and a face_select stage's face checks. A detector starts afresh.
  struct Upstream {
    const infer::ModelSpec* detector = nullptr;
    bool tracked = false;
    const faces::QualityOptions* face_checks = nullptr;
  };
  std::vector<Upstream> upstream_of;
  for (const graph::NodeSpec& node : graph.nodes) {
    const int input = graph.index_of(node.inputs.front());
    const Upstream upstream = input >= 0 ? upstream_of[input] : Upstream{};
    if (node.is_join()) {
      stages.push_back(nullptr);
      upstream_of.push_back(upstream);
      continue;
    }
    FP_ASSIGN_OR_RETURN(YamlMap map,
                        YamlMap::from(node.config, config.file, "stage '" + node.type + "'"));
    std::string name = node.name.substr(0, node.name.find('#'));  // a chain's repeated type
    FP_RETURN_IF_ERROR(map.read("name", name));
    FP_ASSIGN_OR_RETURN(
        auto stage,
        create_stage(node.type,
                     StageContext{map, registry, models, config.detector_input_size, name,
                                  config.gallery, upstream.detector, config.backend,
                                  upstream.tracked, upstream.face_checks}));
    Upstream out = stage->detector() != nullptr ? Upstream{stage->detector()} : upstream;
    out.tracked = out.tracked || stage->gives_track_ids();
    if (stage->face_checks() != nullptr) out.face_checks = stage->face_checks();
    upstream_of.push_back(out);
    stages.push_back(std::move(stage));
  }
  return stages;
}

// The calls the graph makes into the stages.
graph::NodeCalls<FrameResult> stage_calls(StageChain& stages) {
  graph::NodeCalls<FrameResult> calls;
  calls.process = [&stages](int index, FrameResult& item) -> Status {
    Stage& stage = *stages[index];
    try {
      return stage_result(stage, item, stage.process(item));
    } catch (const std::exception& e) {
      return stage_exception(stage, e);
    }
  };
  // A detector that its rate skips leaves the frame to the tracker's prediction.
  calls.pass = [&stages](int index, FrameResult& item) {
    if (stages[index]->detector() != nullptr) item.detector_skipped = true;
  };
  calls.runnable = [](const FrameResult& item) { return !item.frame.skipped(); };
  calls.start = [&stages](int index, FrameResult& item, std::function<void(Status)> done) {
    Stage& stage = *stages[index];
    try {
      return stage.start(
          item, [&stage, &item, done](Status status) { done(stage_result(stage, item, status)); });
    } catch (const std::exception& e) {  // before its model call: `done` was not called
      done(stage_exception(stage, e));
      return true;
    }
  };
  return calls;
}

// The first fatal error of the run, from whichever thread saw it.
class FirstError {
 public:
  void set(const Error& error) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = error;
  }
  std::string get() const {
    std::lock_guard lock(mutex_);
    return error_ ? error_->message() : std::string();
  }
  ErrorCode code() const {
    std::lock_guard lock(mutex_);
    return error_ ? error_->code() : ErrorCode::kInternal;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<Error> error_;
};

double annotate_fps(const PipelineConfig& config, const media::SourceInfo& input) {
  const double sampled = input.fps > 0 ? input.fps / config.sampling.stride : 0;
  if (config.sampling.fps > 0 && sampled > 0) return std::min(config.sampling.fps, sampled);
  if (config.sampling.fps > 0) return config.sampling.fps;
  return sampled > 0 ? sampled : 1.0;  // photos: one per second
}

RunStatus decide_status(const std::string& error, const InputReader& reader) {
  if (!error.empty()) return RunStatus::kFailed;
  if (reader.cancelled()) {
    return reader.cancelled_live_stream() ? RunStatus::kStopped : RunStatus::kInterrupted;
  }
  for (const InputRecord& in : reader.records()) {
    if (in.source.has_errors() || !in.error.empty()) return RunStatus::kCompletedWithErrors;
  }
  return RunStatus::kCompleted;
}

// What the run leaves: its outputs as run.json lists them, then run.json itself when written.
std::vector<fs::path> files_left(const nlohmann::ordered_json& outputs, const fs::path& report) {
  std::vector<fs::path> files;
  for (const auto& [name, path] : outputs.items()) files.emplace_back(path.get<std::string>());
  if (!report.empty()) files.push_back(report);
  return files;
}

// Worker threads of the graph, and the frames that keep every model instance's batches full.
struct Threads {
  int workers = 1;
  int frames = 1;
};

// `pool` (null when the stages were built by the caller) is reported with the run; its batchers
// count in `registry`, where the run keeps its own metrics.
Result<RunOutcome> execute(const PipelineConfig& config, StageChain& stages, Threads threads,
                           const infer::ModelPool* pool, telemetry::MetricsRegistry& registry,
                           const RunOptions& options, RunFacts facts,
                           SteadyClock::time_point setup_start) {
  InputReader reader(config, options.inputs, options.cancel);
  outputs::OutputContext context{
      options.out_dir, static_cast<int>(options.inputs.size()), options.annotate,
      // A stream's first frame reaches the sinks after its input's
      // info is set (see InputReader).
      [&](int stream) { return annotate_fps(config, reader.info(stream)); }};
  outputs::describe_stages(stages, context);
  FP_ASSIGN_OR_RETURN(
      const outputs::OutputPlan plan,
      with_code(outputs::OutputPlan::make(config.outputs, context), ErrorCode::kInvalidConfig));
  std::vector<fs::path> cleared = plan.paths();
  cleared.push_back(options.out_dir / "run.json");
  if (!options.progress_json.empty()) cleared.push_back(options.progress_json);

  FP_RETURN_IF_ERROR(with_code(
      reader.open(),
      ErrorCode::kInvalidInput));  // before touching outputs: a typo must not cost old results
  FP_RETURN_IF_ERROR(with_code(prepare_output_dir(options.out_dir, cleared), ErrorCode::kIo));
  RunReportWriter run_json(options.out_dir, RunReportWriter::reserve_for(options.inputs.size()));
  FP_ASSIGN_OR_RETURN(auto sinks, with_code(plan.open(), ErrorCode::kIo));
  outputs::OutputWriter writer(std::move(sinks), static_cast<size_t>(config.queue_frames));
  facts.setup_seconds = seconds_since(setup_start);
  describe_run(config, facts);
  facts.engine = {{"workers", threads.workers}, {"opencv_threads", cv::getNumThreads()}};

  const auto run_start = SteadyClock::now();
  FirstError error;
  Queue decoded(static_cast<size_t>(config.queue_frames));
  // Enough frames inside the graph for every worker, and a queue's worth waiting between nodes.
  const size_t in_flight = static_cast<size_t>(threads.frames + config.queue_frames);
  FrameExecutor executor(config.graph, stage_calls(stages),
                         {threads.workers, in_flight, static_cast<size_t>(config.queue_frames)});
  RunMetrics metrics(registry, options.inputs.size(), config.warmup_frames);
  const size_t decoded_queue = metrics.add_queue("decoded", decoded.capacity());
  const size_t graph_queue = metrics.add_queue("graph", in_flight);
  metrics.add_nodes(config.graph);
  auto report_models = [&] {
    if (pool == nullptr) return;
    const nlohmann::ordered_json models = pool->report();
    facts.engine["plan"] = models["plan"];
    facts.models = models["models"];
  };
  auto update_queues = [&] {
    metrics.update_queue(decoded_queue, decoded.size(), decoded.high_water());
    metrics.update_queue(graph_queue, executor.in_flight(), executor.in_flight_high_water());
  };
  // What is known while the run goes: the live metrics and what other threads publish under locks
  // (models); the inputs' read records come at the end.
  const std::function<nlohmann::ordered_json()> running_report = [&] {
    facts.processing_seconds = seconds_since(run_start);
    facts.inputs.assign(options.inputs.size(), InputRecord{});
    for (size_t i = 0; i < facts.inputs.size(); ++i) facts.inputs[i].info.uri = options.inputs[i];
    update_queues();
    metrics.update_nodes(executor.counts());
    metrics.fill(facts);
    report_models();
    facts.outputs = writer.pending();
    facts.usage_at_end = telemetry::sample_process_usage();
    return build_run_report(facts, metrics.timings());
  };
  facts.status = "running";
  run_json.start(running_report());

  std::thread decode_thread([&] { reader.run(decoded); });
  // Moves decoded frames into the graph; closing `decoded` when the graph stops ends the reader.
  std::thread feed_thread([&] {
    // Each stream's frames are numbered as they enter the graph: one dropped while it waited in
    // `decoded` leaves no gap for the sequencers and the Reorder to wait on.
    std::map<int, int64_t> next_sequence;
    while (auto item = decoded.pop()) {
      item->sequence = next_sequence[item->frame.stream]++;
      if (!executor.submit(std::move(*item))) break;
    }
    decoded.close();
    executor.finish();
  });

  telemetry::ProgressReporter progress(options.terminal_progress, options.progress_json);
  telemetry::ProgressState state;
  state.streams = static_cast<int>(options.inputs.size());
  Reorder reorder;
  std::map<std::string, std::string> join_of_branch;  // the join each branch feeds
  for (const JoinRecord& join : facts.joins) {
    for (const std::string& branch : join.inputs) join_of_branch[branch] = join.name;
  }
  // Hands a result to the sinks; false when a sink has failed (its Error is then the run's).
  auto hand_over = [&](FrameResult item) {
    const Status written = writer.write(std::make_shared<const FrameResult>(std::move(item)));
    if (!written.ok()) error.set(written.error().or_code(ErrorCode::kIo));
    return written.ok();
  };
  auto write_in_order = [&](FrameResult arrived) {
    if (!arrived.metadata_of.empty()) {
      // A RAW_STREAM branch's result, published alone: a row of its own in detections.jsonl, and
      // the branch's timings (the frame's own, decoding included, come with the frame).
      for (const auto& [stage, ms] : arrived.timings) {
        if (stage.rfind(arrived.metadata_of + ".", 0) == 0)
          metrics.timings().record(stage, ms, metrics.processed());
      }
      metrics.timings().record(join_of_branch.at(arrived.metadata_of) + ".metadata_latency",
                               seconds_since(arrived.decoded_at) * 1000, metrics.processed());
      return hand_over(std::move(arrived));
    }
    reorder.add(std::move(arrived));
    while (std::optional<FrameResult> item = reorder.next()) {
      const Frame& frame = item->frame;
      const int stream = frame.stream;
      const bool skipped = frame.skipped();
      if (!skipped) {
        const int64_t sequence = metrics.processed();
        for (const auto& [stage, ms] : item->timings) metrics.timings().record(stage, ms, sequence);
      }
      // Decoded to handed over; "sinks": the hand-over, waiting for room in a sink's queue.
      const double latency_ms = seconds_since(item->decoded_at) * 1000;
      const SteadyClock::time_point captured_at = item->captured_at;
      const auto sink_start = SteadyClock::now();
      if (!hand_over(std::move(*item))) return false;
      if (facts.first_result_seconds < 0) facts.first_result_seconds = seconds_since(setup_start);
      if (!skipped) {
        const int64_t sequence = metrics.processed();
        const double sinks_ms = seconds_since(sink_start) * 1000;
        metrics.timings().record("sinks", sinks_ms, sequence);
        metrics.timings().record("latency", latency_ms + sinks_ms, sequence);
        if (captured_at != SteadyClock::time_point{}) {
          metrics.timings().record("live_latency", seconds_since(captured_at) * 1000, sequence);
        }
      }
      metrics.count_frame(stream, skipped);
      update_queues();
      state.input = options.inputs[stream];
      state.stream = stream;
      state.frames = metrics.frames();
      state.expected_frames = reader.expected_frames();
      state.elapsed = seconds_since(run_start);
      progress.update(state);
      run_json.update(running_report);
    }
    return true;
  };
  try {
    while (auto item = executor.pop_output()) {
      if (!write_in_order(std::move(*item))) break;
    }
  } catch (const std::exception& e) {
    error.set(Error(e.what()));
  }
  executor.stop();  // after an error: the feeder, then the decode thread, stop at their next push
  feed_thread.join();
  decode_thread.join();
  if (auto failed = executor.error()) error.set(*failed);
  facts.processing_seconds = seconds_since(run_start);

  const Status finished = writer.finish();  // every sink has written all it was given
  if (!finished.ok()) error.set(finished.error().or_code(ErrorCode::kIo));
  RunOutcome outcome;
  outcome.error = error.get();
  outcome.error_code = error.code();
  outcome.status = decide_status(outcome.error, reader);
  if (outcome.status == RunStatus::kInterrupted) outcome.error_code = ErrorCode::kCancelled;
  const bool commit = outcome.status == RunStatus::kCompleted ||
                      outcome.status == RunStatus::kCompletedWithErrors ||
                      outcome.status == RunStatus::kStopped;
  const std::vector<io::PendingFile> files = writer.files();

  facts.inputs = reader.records();
  update_queues();
  metrics.fill(facts);
  facts.frames = writer.frames_written();  // a failed sink wrote fewer than it was handed
  const std::vector<graph::NodeCounts> node_counts = executor.counts();
  metrics.update_nodes(node_counts);
  for (size_t i = 0; i < stages.size(); ++i) {
    const graph::NodeSpec& node = config.graph.nodes[i];
    nlohmann::ordered_json r = stages[i] ? stages[i]->report() : nlohmann::ordered_json::object();
    r["name"] = stages[i] ? stages[i]->name() : node.name;
    if (node.is_join()) r["join"] = graph::to_string(node.policy);
    if (node.every > 1 || node.fps > 0 || node.drops) {
      r["ran"] = node_counts[i].ran;
      r["passed"] = node_counts[i].passed;
      if (node.drops) r["dropped"] = node_counts[i].dropped;
    }
    facts.stages.push_back(std::move(r));
  }
  report_models();
  facts.profile = profile_json(config, facts.stages);
  facts.usage_at_end = telemetry::sample_process_usage();
  // The report of the outcome as it stands, its outputs under their final names when `committed`.
  auto conclude = [&](bool committed) {
    facts.status = to_string(outcome.status);
    facts.error = outcome.error;
    if (outcome.status == RunStatus::kFailed || outcome.status == RunStatus::kInterrupted) {
      facts.error_code = outcome.error_code;
    }
    facts.outputs = outputs::outputs_json(files, committed);
    outcome.report = build_run_report(facts, metrics.timings());
    outcome.summary = format_summary(outcome.report, metrics.timings());
  };
  conclude(commit);
  Status report_written = ok_status();
  if (commit) {
    // The outputs and the final run.json, in one step (io::OutputSet).
    io::OutputSet staged(options.out_dir);
    for (const io::PendingFile& file : files) staged.add(file);
    report_written = run_json.commit(outcome.report, staged);
    outcome.committed = report_written.ok();
  }
  auto fail_with = [&](const Error& e) {
    outcome.status = RunStatus::kFailed;
    outcome.error = e.message();
    outcome.error_code = ErrorCode::kIo;
  };
  if (!outcome.committed) {
    if (!report_written.ok()) {  // the commit failed: the report says so
      fail_with(report_written.error());
      conclude(false);
    }
    report_written = run_json.finish(outcome.report);
    if (!report_written.ok()) fail_with(report_written.error());
  }
  outcome.files =
      files_left(facts.outputs, report_written.ok() ? options.out_dir / "run.json" : fs::path());
  state.status = to_string(outcome.status);
  state.elapsed = facts.processing_seconds;
  progress.finish(state);
  return outcome;
}

}  // namespace

Result<RunOutcome> run_pipeline(const PipelineConfig& config, const infer::ModelRegistry& registry,
                                const RunOptions& options) {
  RunFacts facts;
  facts.usage_at_start = telemetry::sample_process_usage();
  const auto setup_start = SteadyClock::now();
  // Before any model loads or thread starts, so every thread the run makes inherits it.
  std::unique_ptr<CpuBudget> budget;
  if (config.cpus > 0) {
    FP_ASSIGN_OR_RETURN(budget,
                        with_code(CpuBudget::apply(config.cpus), ErrorCode::kInvalidConfig));
    facts.resources = budget->to_json();
  }
  // The models share the budget (or the machine) as the pool's instance plan says.
  telemetry::MetricsRegistry own_metrics;  // before the pool: its batchers count in it
  telemetry::MetricsRegistry& metrics = options.metrics ? *options.metrics : own_metrics;
  infer::PoolOptions pool_options;
  pool_options.metrics = &metrics;
  pool_options.cores = config.cpus > 0 ? config.cpus : available_cores();
  pool_options.instances = config.instances;
  pool_options.threads = config.threads;
  if (config.instances > 0 || config.threads > 0) {
    // --cpus may have lowered the budget the pipeline's plan was checked against.
    const auto plan = infer::plan_from_config(pool_options.cores, config.instances, config.threads);
    if (!plan.ok()) {
      return plan.error()
          .with_context(config.file + ": resources")
          .or_code(ErrorCode::kInvalidConfig);
    }
  }
  infer::ModelPool pool(registry, pool_options);
  // Stage settings are checked YAML (invalid_config); what else fails here is a model.
  FP_ASSIGN_OR_RETURN(StageChain stages,
                      with_code(build_stages(config, registry, pool), ErrorCode::kModel));
  // Enough frames in flight for every model instance to fill its batches. The stages start their
  // model calls and return, so the workers need not wait with them: two per core (one per core
  // plus one ran people at 0.93 of the fps, measured with bench/compare_builds.sh).
  const int frames = pool.frames_in_flight();
  const Threads threads{std::min(frames, 2 * pool_options.cores + 1), frames};
  return execute(config, stages, threads, &pool, metrics, options, std::move(facts), setup_start);
}

Result<RunOutcome> run_with_stages(const PipelineConfig& config,
                                   std::vector<std::unique_ptr<Stage>> stages,
                                   const RunOptions& options) {
  // The given stages as a chain, in place of the config's own nodes.
  std::vector<graph::NodeSpec> chain;
  for (const auto& stage : stages) {
    graph::NodeSpec node;
    node.name = stage->name() + "#" + std::to_string(chain.size());
    node.type = stage->in_order() ? "stateful" : "stateless";
    node.inputs = {chain.empty() ? std::string(graph::kFramesInput) : chain.back().name};
    chain.push_back(std::move(node));
  }
  const graph::NodeTypes types{
      [](const std::string&) { return true; },
      [](const std::string& type, const YAML::Node&) { return type == "stateful"; }, ""};
  PipelineConfig chained = config;
  FP_ASSIGN_OR_RETURN(chained.graph, graph::make_graph(std::move(chain), types));
  RunFacts facts;
  facts.usage_at_start = telemetry::sample_process_usage();
  telemetry::MetricsRegistry own_metrics;
  return execute(chained, stages, Threads{1, 1}, nullptr,
                 options.metrics ? *options.metrics : own_metrics, options, std::move(facts),
                 SteadyClock::now());
}

}  // namespace fp::run
