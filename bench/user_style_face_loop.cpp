// user_style_face_loop: the face harvest of examples/faces.yaml written the way users wrote it by
// hand, as the yardstick of issue 5 ("at least 1.5x a sequential loop, identical embeddings, at
// least 2x fewer embedder invocations than faces").
//
//   user_style_face_loop [--video HAMILTON] [--threads 2] [--cpus N] [--frames N]
//                        --out faces.jsonl [--json summary.json]
//
// One loop on one thread: read a frame, YuNet with one cv::dnn::Net::forward(), then for each face
// the quality gate, alignment and one MobileFaceNet forward() of its own, L2-normalised
// (user_style_faces.hpp). OpenCV uses `--threads` threads inside each forward(); nothing else
// overlaps. Frames come from framepipe's media source so that they are bit-identical to the
// engine's. `--cpus N` applies framepipe's CPU budget (pipeline/cpu_budget.hpp) as
// `framepipe run --cpus N` does, so both get the same cores; OpenCV's thread count is then set to
// `--threads`. `--frames N` stops after the frames with index < N (0: the whole video).
//
// Writes one line per embedded face: {"frame", "box" (as faces.jsonl, rounded to 0.01 px),
// "score", "embedding" (full float precision)}. The summary counts frames, faces detected,
// faces embedded, skipped faces by reason and embedder forward() calls. Timing matches the
// engine's run.json: `fps` counts from the first frame read to the last line written; loading
// the models, their warm-up forward() and opening the video come before (the engine's setup).
// `wall_seconds` includes them.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>

#include "bench_support.hpp"
#include "core/clock.hpp"
#include "faces/quality.hpp"
#include "media/source.hpp"
#include "pipeline/cpu_budget.hpp"
#include "outputs/sinks.hpp"
#include "user_style_faces.hpp"

int main(int argc, char** argv) {
  std::string video = fp::bench::hamilton_clip_path();
  std::string out_path, json_path;
  int threads = 2, cpus = 0;
  int64_t max_frames = 0;
  CLI::App app("Sequential face harvest, the way users write it (baseline for face_bench)");
  app.add_option("--video", video, "Video to read")->capture_default_str();
  app.add_option("--threads", threads, "OpenCV threads inside forward()")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--cpus", cpus, "Pin the process to this many cores, as framepipe's --cpus");
  app.add_option("--frames", max_frames, "Only frames with index < N (0: all)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--out", out_path, "JSONL of embedded faces to write")->required();
  app.add_option("--json", json_path, "Also write the summary as JSON here");
  CLI11_PARSE(app, argc, argv);

  const auto wall_start = fp::SteadyClock::now();
  std::unique_ptr<fp::pipeline::CpuBudget> budget;
  if (cpus != 0) budget = fp::bench::value_or_die(fp::pipeline::CpuBudget::apply(cpus));
  cv::setNumThreads(threads);                 // after the budget, which sets it to the core count
  fp::bench::UserStyleFaceDetector detector;  // loading and warm-up: the engine's setup
  fp::bench::UserStyleFaceEmbedder embedder;
  auto source = fp::bench::value_or_die(fp::media::open_source(video, {}));
  std::ofstream out(out_path);
  if (!out) fp::bench::die("cannot write " + out_path);
  const double setup_seconds = fp::seconds_since(wall_start);

  const auto start = fp::SteadyClock::now();
  int64_t read = 0, processed = 0, detected = 0, embedded = 0;
  std::map<std::string, int64_t> skipped;
  while (auto frame = fp::bench::value_or_die(source->next())) {
    if (max_frames > 0 && frame->index >= max_frames) break;
    ++read;
    if (frame->skipped()) continue;
    ++processed;  // as in run.json: frames with an image
    const cv::Mat& image = frame->image;
    const std::vector<fp::Detection> faces = detector.detect(image);
    detected += static_cast<int64_t>(faces.size());
    const bool bad_frame = !faces.empty() && fp::faces::is_bad_source_frame(image);
    for (const fp::Detection& face : faces) {
      cv::Mat aligned;
      if (auto reason = fp::bench::face_skip_reason(image, bad_frame, face, &aligned)) {
        ++skipped[*reason];
        continue;
      }
      const fp::faces::Embedding embedding = embedder.embed(aligned);
      if (embedding.empty()) {
        ++skipped["zero_norm_embedding"];
        continue;
      }
      ++embedded;
      out << nlohmann::ordered_json{{"frame", frame->index},
                                    {"box", fp::outputs::box_json(face.box)},
                                    {"score", std::round(face.score * 1e4) / 1e4},
                                    {"embedding", embedding}}
                 .dump()
          << '\n';
    }
  }
  out.close();
  if (!out) fp::bench::die("cannot finish " + out_path);
  const double seconds = fp::seconds_since(start);

  const double fps = seconds > 0 ? processed / seconds : 0;
  std::printf(
      "user_style_face_loop: %lld frames, %lld faces, %lld embedded with %lld forward() calls in "
      "%.2f s: %.2f fps (setup %.2f s)\n",
      static_cast<long long>(processed), static_cast<long long>(detected),
      static_cast<long long>(embedded), static_cast<long long>(embedder.forward_calls()), seconds,
      fps, setup_seconds);
  if (!json_path.empty()) {
    std::ofstream json(json_path);
    json << nlohmann::ordered_json{{"video", video},
                                   {"frames_read", read},
                                   {"frames_processed", processed},
                                   {"faces_detected", detected},
                                   {"faces_embedded", embedded},
                                   {"skipped", skipped},
                                   {"embedder_forward_calls", embedder.forward_calls()},
                                   {"setup_seconds", setup_seconds},
                                   {"processing_seconds", seconds},
                                   {"fps", fps},
                                   {"wall_seconds", fp::seconds_since(wall_start)},
                                   {"opencv_threads", threads},
                                   {"cpus", cpus}}
                .dump(2)
         << '\n';
    if (!json) fp::bench::die("cannot write " + json_path);
  }
  return 0;
}
