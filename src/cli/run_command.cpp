#include "cli/run_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

#include "core/strings.hpp"
#include "infer/backend.hpp"
#include "infer/model_registry.hpp"
#include "media/sampler.hpp"
#include "pipeline/cpu_budget.hpp"
#include "pipeline/pipeline_config.hpp"
#include "run/runner.hpp"

namespace fp::cli {

namespace {

std::atomic<bool> g_interrupted{false};

// The first Ctrl-C stops reading input and lets the run finish; a second one kills the process.
void on_interrupt(int signal) {
  g_interrupted.store(true);
  std::signal(signal, SIG_DFL);
}

struct RunArgs {
  std::string pipeline;
  std::vector<std::string> inputs;
  std::string out_dir;
  std::string annotate;
  std::string progress_json;
  bool no_progress = false;
  // Overrides of the pipeline's `source:` keys; negative means "as in the YAML".
  std::string cpus;     // empty: as in the YAML
  std::string profile;  // empty: as in the YAML
  std::string gallery;  // empty: as in the YAML
  std::string backend;  // empty: each stage's
  int stride = -1;
  double fps = -1, start = -1, end = -1;
};

// Applies command-line sampling overrides, with the same checks as the YAML keys.
Status apply_overrides(const RunArgs& args, pipeline::PipelineConfig& config) {
  media::SamplingOptions& sampling = config.sampling;
  if (args.stride >= 0) {
    sampling.stride = args.stride;
    config.overridden.push_back("--stride");
  }
  if (args.fps >= 0) {
    sampling.fps = args.fps;
    config.overridden.push_back("--fps");
  }
  if (args.start >= 0) sampling.start = args.start;
  if (args.end >= 0) sampling.end = args.end;
  if (const auto problem = media::check_sampling(sampling)) {
    return Error("--" + std::string(problem->key) + ": " + problem->message);
  }
  return ok_status();
}

// One line naming the output folder and what the run left in it (files elsewhere by their paths),
// and whether those outputs are complete or under their .partial names.
std::string describe_outputs(const std::filesystem::path& dir,
                             const std::vector<std::filesystem::path>& files, bool committed) {
  std::string inside, outside;
  for (const std::filesystem::path& file : files) {
    const std::filesystem::path relative = file.lexically_relative(dir);
    if (!relative.empty() && *relative.begin() != "..") {
      inside += (inside.empty() ? "" : ", ") + relative.string();
    } else {
      outside += ", " + file.string();
    }
  }
  return std::string(committed ? "outputs: " : "outputs, incomplete (under .partial names): ") +
         dir.string() + " (" + inside + ")" + outside + "\n";
}

// The message, then its kind on a line of its own for scripts and the job service.
void print_error(const std::string& message, ErrorCode code) {
  std::cerr << "error: " << message << "\nerror code: " << to_string(code)
            << (retryable(code) ? " (may pass if run again)" : "") << "\n";
}

// A config error before anything runs: exit 2.
int config_error(const Error& error) {
  print_error(error.message(), error.or_code(ErrorCode::kInvalidConfig).code());
  return 2;
}

int run(const RunArgs& args) {
  auto config = pipeline::load_pipeline_config(args.pipeline, args.profile);
  if (!config.ok()) return config_error(config.error());
  const Status overridden = apply_overrides(args, *config);
  if (!overridden.ok()) return config_error(overridden.error());
  if (!args.cpus.empty()) {
    auto cpus = pipeline::parse_cpu_budget(args.cpus, "--cpus");
    if (!cpus.ok()) return config_error(cpus.error());
    config->cpus = *cpus;
    config->overridden.push_back("--cpus");
  }
  config->gallery = args.gallery;
  if (!args.backend.empty()) {
    const auto names = infer::available_backends();
    if (std::find(names.begin(), names.end(), args.backend) == names.end()) {
      return config_error(Error("--backend: '" + args.backend +
                                "' is not a backend of this build (available: " + join(names) +
                                ")"));
    }
    config->backend = args.backend;
    config->overridden.push_back("--backend");
  }
  auto registry = infer::ModelRegistry::load_default();
  if (!registry.ok()) return config_error(registry.error());
  run::RunOptions options;
  options.inputs = args.inputs;
  options.out_dir = args.out_dir;
  options.annotate = args.annotate;
  options.progress_json = args.progress_json;
  options.terminal_progress = !args.no_progress && isatty(STDERR_FILENO);
  options.cancel = &g_interrupted;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  // Past a file-size limit (ulimit -f) writes then fail with an error the run reports, instead of
  // the signal killing the process with its outputs half-written.
  std::signal(SIGXFSZ, SIG_IGN);

  auto outcome = run::run_pipeline(*config, *registry, options);
  if (!outcome.ok()) {
    print_error(outcome.error().message(), outcome.error().code());
    return 2;
  }
  std::cout << outcome->summary;
  if (!outcome->files.empty())
    std::cout << describe_outputs(args.out_dir, outcome->files, outcome->committed);
  if (outcome->status == run::RunStatus::kFailed) {
    print_error(outcome->error, outcome->error_code);
  } else if (outcome->status == run::RunStatus::kCompletedWithErrors) {
    std::cerr << "warning: some input could not be fully read (see above and run.json); the "
                 "outputs hold every frame that could be\n";
  } else if (outcome->status == run::RunStatus::kInterrupted) {
    std::cerr << "interrupted: outputs so far are kept under .partial names\n";
  } else if (outcome->status == run::RunStatus::kStopped) {
    std::cerr << "stopped: the live stream was ended by the user; outputs hold everything read\n";
  }
  return run::exit_code(outcome->status);
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Run a pipeline YAML over inputs");
  cmd->add_option("pipeline", args->pipeline, "Pipeline YAML file (see examples/)")->required();
  cmd->add_option("inputs", args->inputs,
                  "Video files, images, image folders or stream URLs (rtsp://, http://, udp://)")
      ->required();
  cmd->add_option("-o,--out", args->out_dir, "Output directory (created if needed)")->required();
  cmd->add_option("--annotate", args->annotate,
                  "Also write a video with boxes drawn (a relative path is inside --out)");
  cmd->add_option("--progress-json", args->progress_json,
                  "Rewrite this JSON file with progress during the run");
  cmd->add_option("--cpus", args->cpus,
                  "Use at most this many cores (overrides resources.cpus; enforced by pinning)");
  cmd->add_option("--profile", args->profile,
                  "Start from a profile: low_power, balanced or performance (overrides the "
                  "pipeline's profile; keys and flags given still win)");
  cmd->add_option("--backend", args->backend,
                  "Run every model on this backend: onnxruntime (default) or opencv (overrides "
                  "each stage's backend)");
  cmd->add_option("--gallery", args->gallery,
                  "Folder with one sub-folder of photos per known person: faces are matched to "
                  "them (overrides the faces stage's gallery)");
  cmd->add_option("--stride", args->stride, "Process every Nth frame (overrides source.stride)");
  cmd->add_option("--fps", args->fps,
                  "Target frames per second by timestamp (overrides source.fps)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--start", args->start, "Start at this many seconds (overrides source.start)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--end", args->end, "Stop at this many seconds (overrides source.end)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-progress", args->no_progress, "No live progress line on the terminal");
  cmd->footer(
      "Exit codes: 0 completed (or a live stream stopped with Ctrl-C); 3 completed but some input "
      "was corrupt or truncated; 1 failed "
      "during the run; 2 nothing run (bad config, model, input or output dir); 130 interrupted.");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace fp::cli
