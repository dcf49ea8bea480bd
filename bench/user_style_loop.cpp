#include "user_style_loop.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bench_support.hpp"
#include "core/clock.hpp"
#include "media/source.hpp"
#include "outputs/sinks.hpp"

namespace fp::bench {

int run_user_style_loop(const UserStyleLoop& loop, int argc, char** argv) {
  std::string video = vtest_path();
  std::string out_path, json_path;
  int stride = 1, threads = 2;
  CLI::App app(loop.description);
  app.add_option("--video", video, "Video to read");
  app.add_option("--stride", stride, "Process frames whose index % stride == 0")
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, loop.threads_help)->check(CLI::PositiveNumber);
  app.add_option("--out", out_path, "detections.jsonl to write")->required();
  app.add_option("--json", json_path, "Also write the timing summary as JSON here");
  if (loop.add_options) loop.add_options(app);
  CLI11_PARSE(app, argc, argv);

  const auto wall_start = SteadyClock::now();
  const std::unique_ptr<UserStylePersonDetector> detector = loop.load(threads);
  auto source = value_or_die(media::open_source(video, {}));
  std::ofstream out(out_path);
  if (!out) die("cannot write " + out_path);
  const double setup_seconds = seconds_since(wall_start);

  const auto start = SteadyClock::now();
  int64_t read = 0, processed = 0;
  while (auto frame = value_or_die(source->next())) {
    ++read;
    if (frame->index % stride != 0) continue;
    pipeline::FrameResult result;
    result.frame = std::move(*frame);
    if (!result.frame.skipped()) {
      result.detections = detector->detect(result.frame.image);
      ++processed;  // as in run.json: frames with an image
    }
    out << outputs::detection_row(result).dump() << '\n';
  }
  out.close();
  if (!out) die("cannot finish " + out_path);
  const double seconds = seconds_since(start);

  const double fps = processed / seconds;
  std::printf("%s: %lld of %lld frames in %.2f s: %.2f fps (setup %.2f s)\n", loop.program.c_str(),
              static_cast<long long>(processed), static_cast<long long>(read), seconds, fps,
              setup_seconds);
  if (!json_path.empty()) {
    std::ofstream json(json_path);
    json << nlohmann::ordered_json{{"frames_read", read},
                                   {"frames_processed", processed},
                                   {"setup_seconds", setup_seconds},
                                   {"processing_seconds", seconds},
                                   {"fps", fps},
                                   {"wall_seconds", seconds_since(wall_start)},
                                   {loop.threads_key, threads}}
                .dump(2)
         << '\n';
    if (!json) die("cannot write " + json_path);
  }
  return 0;
}

}  // namespace fp::bench
