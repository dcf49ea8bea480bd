// throughput_bench: decode-only speed, and end-to-end pipeline fps against the pure inference rate
// of the same model on the same frames, in one process.
//
//   throughput_bench [--pipeline examples/people.yaml] [--video PATH] [--repeats N]
//
// For each repeat: (1) decode every frame of the video, preprocess it (untimed) and time only the
// model's forward pass, one frame at a time on one instance using every core -> pure inference
// fps; (2) run the whole pipeline on the same video ->
// end-to-end fps. The two alternate so machine noise hits both; medians and their ratio are
// printed.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "core/clock.hpp"
#include "media/source.hpp"
#include "pipeline/cpu_budget.hpp"
#include "pipeline/detect_stage.hpp"
#include "pipeline/pipeline_config.hpp"
#include "run/runner.hpp"
#include "pipeline/stage_registry.hpp"

namespace {

namespace fs = std::filesystem;
using fp::SteadyClock;
using fp::bench::die;
using fp::bench::median;

// Frames per second of decoding alone (no sampling, no stages).
double decode_fps(const std::string& path, int64_t* frames_out) {
  auto source = fp::media::open_source(path, {});
  if (!source.ok()) die(source.error().message());
  const auto start = SteadyClock::now();
  int64_t frames = 0;
  while (true) {
    auto next = (*source)->next();
    if (!next.ok()) die(next.error().message());
    if (!next->has_value()) break;
    ++frames;
  }
  *frames_out = frames;
  return static_cast<double>(frames) / fp::seconds_since(start);
}

// Frames per second of the detector's forward pass alone, over every frame of `path`.
double inference_fps(fp::pipeline::DetectStage& stage, const std::string& path) {
  auto source = fp::media::open_source(path, {});
  if (!source.ok()) die(source.error().message());
  double seconds = 0;
  int64_t frames = 0;
  while (true) {
    auto next = (*source)->next();
    if (!next.ok()) die(next.error().message());
    if (!next->has_value()) break;
    fp::vision::InputTransform transform;
    const cv::Mat blob = stage.preprocess((**next).image, &transform);
    const auto start = SteadyClock::now();
    auto outputs = stage.model().batcher().run(blob);
    seconds += fp::seconds_since(start);
    if (!outputs.ok()) die(outputs.error().message());
    ++frames;
  }
  return static_cast<double>(frames) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path shared = fp::bench::shared_dir();
  std::string pipeline_file = fp::bench::people_pipeline_path();
  std::string video = fp::bench::vtest_path();
  int repeats = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--pipeline")
      pipeline_file = argv[i + 1];
    else if (flag == "--video")
      video = argv[i + 1];
    else if (flag == "--repeats")
      repeats = std::max(1, std::atoi(argv[i + 1]));
    else
      die("unknown flag " + flag);
  }

  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows even when piped to a file
  std::printf("decode only (FFmpeg, all frames, median of %d):\n", repeats);
  for (const std::string& clip :
       {video, (shared / "media/video/short_hamilton_clip.mp4").string()}) {
    std::vector<double> fps;
    int64_t frames = 0;
    for (int r = 0; r < repeats; ++r) fps.push_back(decode_fps(clip, &frames));
    std::printf("  %-28s %5lld frames  %8.0f frames/s\n", fs::path(clip).filename().c_str(),
                static_cast<long long>(frames), median(fps));
  }

  auto config = fp::pipeline::load_pipeline_config(pipeline_file);
  if (!config.ok()) die(config.error().message());
  auto registry = fp::infer::ModelRegistry::load_default();
  if (!registry.ok()) die(registry.error().message());
  auto map = fp::YamlMap::from(config->graph.nodes.at(0).config, config->file, "stage");
  if (!map.ok()) die(map.error().message());
  // The pure-inference side: one instance using every core, called one frame at a time.
  const int cores = fp::pipeline::available_cores();
  fp::infer::ModelPool pool(*registry, {.cores = cores, .instances = 1, .threads = cores});
  auto stage = fp::pipeline::create_stage(
      "detect", {*map, *registry, pool, config->detector_input_size, "detect"});
  if (!stage.ok()) die(stage.error().message());
  auto* detect = dynamic_cast<fp::pipeline::DetectStage*>(stage->get());
  if (!detect) die("the pipeline's first stage must be a detect stage");

  const fs::path out_dir = fs::temp_directory_path() / "framepipe-throughput-bench";
  std::vector<double> pure, e2e, ratios;
  for (int r = 0; r < repeats; ++r) {
    pure.push_back(inference_fps(*detect, video));
    fp::run::RunOptions options;
    options.inputs = {video};
    options.out_dir = out_dir;
    auto outcome = fp::run::run_pipeline(*config, *registry, options);
    if (!outcome.ok()) die(outcome.error().message());
    e2e.push_back(outcome->report["fps"].get<double>());
    ratios.push_back(e2e.back() / pure.back());
    std::printf("  repeat %d: pure inference %.2f fps, end-to-end %.2f fps (ratio %.3f)\n", r + 1,
                pure.back(), e2e.back(), e2e.back() / pure.back());
  }
  // Each repeat's pair ran back to back, so the median of the per-repeat ratios is the figure
  // least disturbed by other load on the machine.
  std::printf(
      "%s on %s, median of %d:\n  pure inference %.2f fps\n  end-to-end     %.2f fps\n"
      "  ratio          %.3f (median of per-repeat ratios; target >= 0.85)\n",
      config->name.c_str(), fs::path(video).filename().c_str(), repeats, median(pure), median(e2e),
      median(ratios));
  fs::remove_all(out_dir);
  return 0;
}
