// framepipe: video and photo analytics engine. Subcommands: run, models, track-mot, eval.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/eval_command.hpp"
#include "cli/models_command.hpp"
#include "cli/run_command.hpp"
#include "cli/serve_command.hpp"
#include "cli/track_mot_command.hpp"
#include "infer/model_registry.hpp"

namespace {

void add_models_command(CLI::App& app, int& exit_code) {
  CLI::App* models = app.add_subcommand("models", "List, verify and download models");
  models->require_subcommand(1);
  auto with_registry = [&exit_code](auto action) {
    return [&exit_code, action] {
      auto registry = fp::infer::ModelRegistry::load_default();
      if (!registry.ok()) {
        std::cerr << "error: " << registry.error().message() << "\n";
        exit_code = 2;
        return;
      }
      exit_code = action(*registry);
    };
  };

  models->add_subcommand("list", "Show every known model and where its file is")
      ->callback(with_registry(
          [](const fp::infer::ModelRegistry& r) { return fp::cli::models_list(r, std::cout); }));

  models->add_subcommand("backends", "Show the inference backends and devices this build can use")
      ->callback([&exit_code] { exit_code = fp::cli::models_backends(std::cout); });

  auto names = std::make_shared<std::vector<std::string>>();
  CLI::App* verify = models->add_subcommand("verify", "Check the sha256 of model files");
  verify->add_option("names", *names, "Models to check (default: all)");
  verify->callback(with_registry([names](const fp::infer::ModelRegistry& r) {
    return fp::cli::models_verify(r, *names, std::cout, std::cerr);
  }));

  auto name = std::make_shared<std::string>();
  auto timeout = std::make_shared<double>(60.0);
  CLI::App* fetch = models->add_subcommand("fetch", "Download a model into the cache");
  fetch->add_option("name", *name, "Model name from the registry")->required();
  fetch->add_option("--timeout", *timeout, "Give up after this many seconds")
      ->check(CLI::PositiveNumber);
  fetch->callback(with_registry([name, timeout](const fp::infer::ModelRegistry& r) {
    return fp::cli::models_fetch(r, *name, *timeout, std::cout, std::cerr);
  }));
}

// Frame-sized buffers (decoded frames; model inputs, 4.9 MB for YuNet's 640x640) are made and
// freed on every frame, often on different threads. By default glibc hands such memory back to the
// kernel and then faults it in again page by page: 70 % of a faces.yaml run's page faults were
// make_blob's first writes into new input tensors and their planes. Keep it instead: blocks up to
// 32 MB (a 4K frame is 25 MB) come from the heap, and up to 256 MB free at a heap's top stay there.
// Measured on faces.yaml (Hamilton clip, --cpus 2, ONNX Runtime, 5 runs each alternated): 143.7 fps
// against 130.8 (the medians), for 30-50 MB more peak RSS.
void keep_frame_buffers() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  keep_frame_buffers();
  CLI::App app{"framepipe: video and photo analytics engine"};
  app.set_version_flag("--version", FRAMEPIPE_VERSION);
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.parse_complete_callback([&] { spdlog::set_level(spdlog::level::from_str(log_level)); });

  int exit_code = 0;
  fp::cli::add_run_command(app, exit_code);
  add_models_command(app, exit_code);
  fp::cli::add_track_mot_command(app, exit_code);
  fp::cli::add_eval_command(app, exit_code);
  fp::cli::add_serve_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    // Modules return errors as values; reaching here is a bug, reported rather than aborting.
    std::cerr << "internal error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
