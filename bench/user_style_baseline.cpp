// user_style_baseline: person detection on a video written the way users write it by hand, as the
// yardstick of issue 3's "at least 1.4x a straightforward sequential pipeline".
//
//   user_style_baseline [--video PATH] [--stride S] [--threads 2] --out detections.jsonl
//                       [--json summary.json]
//
// One loop on one thread: read a frame, letterbox it, one cv::dnn::Net::forward() (OpenCV using
// `--threads` threads inside the call), decode, keep persons, NMS, write a line (UserStyleDetector
// does the middle part). Nothing overlaps: decoding waits for inference and inference waits for
// decoding. Frames come from framepipe's media source so that they are bit-identical to the
// engine's, and rows are written in detections.jsonl's format (pipeline::detection_row).
//
// Timing matches the engine's run.json: `fps` counts from the first frame read to the last line
// written; loading the model, one warm-up forward() and opening the video come before (the engine
// reports them as setup). `wall_seconds` includes them.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>

#include "bench_support.hpp"
#include "core/clock.hpp"
#include "media/source.hpp"
#include "pipeline/sinks.hpp"
#include "user_style_detector.hpp"

int main(int argc, char** argv) {
  std::string video = fp::bench::vtest_path();
  std::string out_path, json_path;
  int stride = 1, threads = 2;
  CLI::App app("Sequential person detection, the way users write it (baseline for engine_bench)");
  app.add_option("--video", video, "Video to read");
  app.add_option("--stride", stride, "Process frames whose index % stride == 0")
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", threads, "OpenCV threads inside forward()")
      ->check(CLI::PositiveNumber);
  app.add_option("--out", out_path, "detections.jsonl to write")->required();
  app.add_option("--json", json_path, "Also write the timing summary as JSON here");
  CLI11_PARSE(app, argc, argv);

  const auto wall_start = fp::SteadyClock::now();
  cv::setNumThreads(threads);
  fp::bench::UserStyleDetector detector;  // loads and warms up, as the engine's setup does
  auto source = fp::bench::value_or_die(fp::media::open_source(video, {}));
  std::ofstream out(out_path);
  if (!out) fp::bench::die("cannot write " + out_path);
  const double setup_seconds = fp::seconds_since(wall_start);

  const auto start = fp::SteadyClock::now();
  int64_t read = 0, processed = 0;
  while (auto frame = fp::bench::value_or_die(source->next())) {
    ++read;
    if (frame->index % stride != 0) continue;
    fp::pipeline::FrameResult result;
    result.frame = std::move(*frame);
    if (!result.frame.skipped()) {
      result.detections = detector.detect(result.frame.image);
      ++processed;  // as in run.json: frames with an image
    }
    out << fp::pipeline::detection_row(result).dump() << '\n';
  }
  out.close();
  if (!out) fp::bench::die("cannot finish " + out_path);
  const double seconds = fp::seconds_since(start);

  const double fps = processed / seconds;
  std::printf("user_style_baseline: %lld of %lld frames in %.2f s: %.2f fps (setup %.2f s)\n",
              static_cast<long long>(processed), static_cast<long long>(read), seconds, fps,
              setup_seconds);
  if (!json_path.empty()) {
    std::ofstream json(json_path);
    json << nlohmann::ordered_json{{"frames_read", read},
                                   {"frames_processed", processed},
                                   {"setup_seconds", setup_seconds},
                                   {"processing_seconds", seconds},
                                   {"fps", fps},
                                   {"wall_seconds", fp::seconds_since(wall_start)},
                                   {"opencv_threads", threads}}
                .dump(2)
         << '\n';
    if (!json) fp::bench::die("cannot write " + json_path);
  }
  return 0;
}
