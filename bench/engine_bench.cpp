// engine_bench: the throughput targets of issue 3, measured on whole runs of `framepipe`.
//
//   engine_bench [--repeats 3] [--stride 1] [--rss-stride 10] [--cases 1,2,3,4,5] [--json FILE]
//                [--framepipe PATH] [--baseline PATH] [--video vtest]
//
// The physical limit: with N cores and a model whose single-thread latency is L, no pipeline
// exceeds N / L frames per second. L is measured here, in this process, around every
// engine run of cases 1, 3 and 4, just before and just after it (their mean is that run's L, so a
// machine that speeds up or slows down during a repeat moves the limit with it): YOLOX-nano's
// cv::dnn forward() alone, pinned to one core with one OpenCV thread, median over 30 preprocessed
// frames of the video after 3 warm-ups.
// The pipeline is examples/people.yaml (YOLOX-nano, conf 0.3, NMS 0.45, persons).
//   1. framepipe --cpus 2: fps / limit(2)                           target >= 0.85
//   2. framepipe --cpus 2 fps / user_style_baseline fps              target >= 1.4, with
//      identical detections (rows compared as printed, "stream" aside)
//   3. the video four times as four inputs, --cpus 2: aggregate fps / limit(2) >= 0.85, and every
//      stream's rows identical to the single-stream run's
//   4. framepipe --cpus 1: CPU time / wall time <= 1.05 and fps / limit(1) >= 0.85
//   5. the video ten times over (ffmpeg concat demuxer, -c copy): peak RSS 10x / 1x <= 1.10, run
//      once after the repeats at --rss-stride
// framepipe and the baseline run as child processes; their figures come from run.json (fps
// excludes model loading, as the baseline's does) and from outside (wall time to exit, CPU time).
// Within a repeat the runs alternate, the baseline first on odd repeats, so that slow spells of a
// shared machine hit both sides. Everything is written under a temporary folder removed at the end.
#include <sched.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core/utility.hpp>
#include <set>

#include "bench_support.hpp"
#include "child_process.hpp"
#include "core/clock.hpp"
#include "detection_rows.hpp"
#include "goal_table.hpp"
#include "media/source.hpp"
#include "user_style_detector.hpp"

namespace {

namespace fs = std::filesystem;
using fp::bench::die;
using fp::bench::FramepipeRun;
using fp::bench::load_average;
using fp::bench::median;
using fp::bench::Metric;
using nlohmann::ordered_json;

struct Options {
  std::string framepipe = FRAMEPIPE_BINARY;
  std::string baseline = USER_STYLE_BASELINE_BINARY;
  std::string video = fp::bench::vtest_path();
  int repeats = 3;
  int stride = 1;
  int rss_stride = 10;
  std::set<int> cases{1, 2, 3, 4, 5};
  std::string json;
};

constexpr int kLatencyFrames = 30;

// Model inputs of the first `count` decodable frames of `video`.
std::vector<cv::Mat> first_blobs(const fp::bench::UserStyleDetector& detector,
                                 const std::string& video, int count) {
  auto source = fp::bench::value_or_die(fp::media::open_source(video, {}));
  std::vector<cv::Mat> blobs;
  while (static_cast<int>(blobs.size()) < count) {
    auto frame = fp::bench::value_or_die(source->next());
    if (!frame) break;
    fp::vision::InputTransform transform;
    if (!frame->skipped()) blobs.push_back(detector.input_blob(frame->image, &transform));
  }
  if (blobs.empty()) die(video + " has no decodable frame");
  return blobs;
}

class EngineBench {
 public:
  EngineBench(Options options, fs::path temp)
      : options_(std::move(options)),
        temp_(std::move(temp)),
        latency_inputs_(first_blobs(detector_, options_.video, kLatencyFrames)) {}

  void run_repeats();
  void run_memory_case();
  void print_table() const;
  void write_json(const std::string& path) const;

 private:
  bool selected(int number) const { return options_.cases.count(number) > 0; }
  void record(const std::string& figure, double value) { table_.record(figure, value); }
  // True when the rows are identical; otherwise keeps the first difference for the report.
  bool compare(const std::vector<std::string>& expected, const std::vector<std::string>& actual,
               const std::string& expected_name, const std::string& actual_name);

  double single_thread_latency_seconds();
  // run_engine() at the options' stride, with L measured just before and just after it; their
  // mean goes to *latency, so the limit follows the machine's speed during that very run.
  FramepipeRun run_bracketed(const std::string& label, const std::vector<std::string>& inputs,
                             int cpus, double* latency);
  FramepipeRun run_engine(const std::string& label, const std::vector<std::string>& inputs,
                          int cpus, int stride);
  ordered_json run_baseline(const std::string& label);
  fp::bench::ChildRun run_or_die(const std::vector<std::string>& argv, const std::string& label);

  Options options_;
  fs::path temp_;
  fp::bench::UserStyleDetector detector_;  // the pipeline's model, for L
  std::vector<cv::Mat> latency_inputs_;
  fp::bench::GoalTable table_;
  std::vector<std::string> differences_;  // first differences of failed checks
};

bool EngineBench::compare(const std::vector<std::string>& expected,
                          const std::vector<std::string>& actual, const std::string& expected_name,
                          const std::string& actual_name) {
  const fp::bench::RowComparison c =
      fp::bench::compare_rows(expected, actual, expected_name, actual_name);
  constexpr size_t kMaxDifferences = 8;
  if (!c.identical && differences_.size() < kMaxDifferences) {
    differences_.push_back(expected_name + " vs " + actual_name + ", " + c.first_difference);
  }
  return c.identical;
}

// Median forward() time of the model with one OpenCV thread on one core. Only the
// calling thread is pinned (OpenCV runs a one-thread forward() on it), and the mask is restored
// before any child starts, since children inherit it.
double EngineBench::single_thread_latency_seconds() {
  cpu_set_t saved;
  if (sched_getaffinity(0, sizeof(saved), &saved) != 0) die("sched_getaffinity failed");
  int core = 0;
  while (!CPU_ISSET(core, &saved)) ++core;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(core, &one);
  if (sched_setaffinity(0, sizeof(one), &one) != 0)
    die("cannot pin to core " + std::to_string(core));
  const int threads = cv::getNumThreads();
  cv::setNumThreads(1);

  constexpr int kWarmups = 3;
  for (int k = 0; k < kWarmups; ++k) detector_.forward(latency_inputs_[k % latency_inputs_.size()]);
  std::vector<double> seconds;
  for (const cv::Mat& blob : latency_inputs_) {
    const auto start = fp::SteadyClock::now();
    detector_.forward(blob);
    seconds.push_back(fp::seconds_since(start));
  }

  cv::setNumThreads(threads);
  if (sched_setaffinity(0, sizeof(saved), &saved) != 0) die("cannot restore the CPU mask");
  return median(seconds);
}

fp::bench::ChildRun EngineBench::run_or_die(const std::vector<std::string>& argv,
                                            const std::string& label) {
  return fp::bench::run_child_or_die(argv, temp_ / (label + ".log"));
}

FramepipeRun EngineBench::run_engine(const std::string& label,
                                     const std::vector<std::string>& inputs, int cpus, int stride) {
  return fp::bench::run_framepipe(
      options_.framepipe, fp::bench::people_pipeline_path(), inputs, temp_ / label,
      // Issue 3's targets are against OpenCV yardsticks (its limit, its baseline): like for like.
      // bench/backend_bench.sh measures the default backend, ONNX Runtime.
      {"--cpus", std::to_string(cpus), "--stride", std::to_string(stride), "--backend", "opencv"});
}

FramepipeRun EngineBench::run_bracketed(const std::string& label,
                                        const std::vector<std::string>& inputs, int cpus,
                                        double* latency) {
  const double before = single_thread_latency_seconds();
  FramepipeRun run = run_engine(label, inputs, cpus, options_.stride);
  *latency = (before + single_thread_latency_seconds()) / 2;
  return run;
}

ordered_json EngineBench::run_baseline(const std::string& label) {
  const fs::path summary = temp_ / (label + ".json");
  run_or_die(
      {options_.baseline, "--video", options_.video, "--stride", std::to_string(options_.stride),
       "--out", (temp_ / label).string(), "--json", summary.string()},
      label);
  return fp::bench::read_json_object(summary);
}

void EngineBench::run_repeats() {
  const bool two_cores = selected(1) || selected(2) || selected(3);
  for (int r = 1; r <= options_.repeats; ++r) {
    const std::string tag = "-r" + std::to_string(r);
    double latency = single_thread_latency_seconds();  // replaced around each engine run
    record("L_ms", latency * 1e3);
    record("load_average", load_average());
    std::printf("repeat %d: L %.1f ms (limit(1) %.2f fps, limit(2) %.2f fps), load average %.2f\n",
                r, latency * 1e3, 1 / latency, 2 / latency, table_.figure("load_average").back());

    ordered_json baseline;
    const bool baseline_first = r % 2 == 1;
    if (selected(2) && baseline_first) baseline = run_baseline("baseline" + tag);
    FramepipeRun single;
    if (two_cores) {
      single = run_bracketed("cpus2" + tag, {options_.video}, 2, &latency);
      record("cpus2_fps", single.fps());
      record("cpus2_wall_s", single.child.wall_seconds);
      if (selected(1)) {
        table_.metric(1, "people --cpus 2: fps / limit(2)", 0.85)
            .values.push_back(single.fps() * latency / 2);
      }
      std::printf("  --cpus 2: %.2f fps (%.2f s incl. load), %.2f cores, L %.1f ms\n", single.fps(),
                  single.child.wall_seconds, single.report["cpu_cores_used"].get<double>(),
                  latency * 1e3);
    }
    if (selected(2) && !baseline_first) baseline = run_baseline("baseline" + tag);
    if (selected(2)) {
      const double fps = baseline["fps"].get<double>();
      record("baseline_fps", fps);
      record("baseline_wall_s", baseline["wall_seconds"].get<double>());
      table_.metric(2, "fps / user-style baseline fps", 1.4).values.push_back(single.fps() / fps);
      const bool identical =
          compare(fp::bench::read_rows_by_stream(temp_ / ("baseline" + tag))[0],
                  fp::bench::read_rows_by_stream(single.out / "detections.jsonl")[0], "baseline",
                  "framepipe");
      table_.check(2, "detections identical to the baseline's").values.push_back(identical);
      std::printf("  user-style baseline: %.2f fps (%.2f s incl. load)\n", fps,
                  baseline["wall_seconds"].get<double>());
    }
    if (selected(3)) {
      const FramepipeRun four =
          run_bracketed("streams4" + tag, std::vector<std::string>(4, options_.video), 2, &latency);
      record("streams4_fps", four.fps());
      table_.metric(3, "4 streams --cpus 2: fps / limit(2)", 0.85)
          .values.push_back(four.fps() * latency / 2);
      const auto expected = fp::bench::read_rows_by_stream(single.out / "detections.jsonl")[0];
      auto streams = fp::bench::read_rows_by_stream(four.out / "detections.jsonl");
      bool identical = streams.size() == 4;
      for (int s = 0; s < 4; ++s) {
        identical &= compare(expected, streams[s], "single stream", "stream " + std::to_string(s));
      }
      table_.check(3, "each stream identical to the single-stream run").values.push_back(identical);
      std::printf("  4 streams --cpus 2: %.2f fps aggregate, L %.1f ms\n", four.fps(),
                  latency * 1e3);
    }
    if (selected(4)) {
      const FramepipeRun one = run_bracketed("cpus1" + tag, {options_.video}, 1, &latency);
      const double cores = one.report["cpu_cores_used"].get<double>();
      record("cpus1_fps", one.fps());
      record("cpus1_cores_outside", one.child.cpu_seconds / one.child.wall_seconds);
      table_.metric(4, "--cpus 1: CPU time / wall time", 1.05, true).values.push_back(cores);
      table_.metric(4, "--cpus 1: fps / limit(1)", 0.85).values.push_back(one.fps() * latency);
      std::printf(
          "  --cpus 1: %.2f fps, %.3f cores (%.3f measured from outside, incl. load), L %.1f ms\n",
          one.fps(), cores, table_.figure("cpus1_cores_outside").back(), latency * 1e3);
    }
  }
}

void EngineBench::run_memory_case() {
  if (!selected(5)) return;
  const fs::path list = temp_ / "concat.txt";
  const fs::path longer = temp_ / ("x10_" + fs::path(options_.video).filename().string());
  {
    std::ofstream out(list);
    for (int i = 0; i < 10; ++i) out << "file '" << fs::absolute(options_.video).string() << "'\n";
  }
  run_or_die({"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i",
              list.string(), "-c", "copy", longer.string()},
             "concat");
  const FramepipeRun once = run_engine("rss-x1", {options_.video}, 2, options_.rss_stride);
  const FramepipeRun ten = run_engine("rss-x10", {longer.string()}, 2, options_.rss_stride);
  const double rss1 = once.report["peak_rss_mb"].get<double>();
  const double rss10 = ten.report["peak_rss_mb"].get<double>();
  record("rss_x1_mb", rss1);
  record("rss_x10_mb", rss10);
  record("rss_x10_frames_processed", ten.report["frames_processed"].get<double>());
  table_.metric(5, "peak RSS 10x video / 1x", 1.10, true).values.push_back(rss10 / rss1);
  std::printf("memory (--stride %d): 1x %.0f MiB, 10x %.0f MiB (%lld frames processed)\n",
              options_.rss_stride, rss1, rss10, ten.report["frames_processed"].get<long long>());
}

void EngineBench::print_table() const {
  fp::bench::GoalTableLayout layout;
  layout.case_column = true;
  layout.what_width = 48;
  layout.goal_width = 8;
  layout.value_width = 7;
  layout.general = false;
  layout.goal_precision = 2;
  table_.print(layout, options_.repeats);
  for (const std::string& d : differences_) std::printf("first difference, %s\n", d.c_str());
}

void EngineBench::write_json(const std::string& path) const {
  ordered_json j{{"video", options_.video},       {"framepipe", options_.framepipe},
                 {"baseline", options_.baseline}, {"repeats", options_.repeats},
                 {"stride", options_.stride},     {"rss_stride", options_.rss_stride}};
  ordered_json metrics = ordered_json::array();
  for (const Metric& m : table_.metrics()) {
    metrics.push_back({{"case", m.number},
                       {"what", m.what},
                       {"goal", m.yes_no ? "yes" : (m.at_most ? "<=" : ">=")},
                       {"target", m.target},
                       {"values", m.values},
                       {"median", m.summary()},
                       {"met", m.met()}});
  }
  j["metrics"] = std::move(metrics);
  j["figures"] = table_.figures();
  j["differences"] = differences_;
  std::ofstream out(path);
  out << j.dump(2) << '\n';
  if (!out) die("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::vector<int> cases(options.cases.begin(), options.cases.end());
  CLI::App app("Issue 3's throughput targets on whole framepipe runs");
  app.add_option("--framepipe", options.framepipe, "framepipe binary to run")
      ->capture_default_str();
  app.add_option("--baseline", options.baseline, "user_style_baseline binary to run")
      ->capture_default_str();
  app.add_option("--video", options.video, "Video to run on")->capture_default_str();
  app.add_option("--repeats", options.repeats, "Repeats; medians are reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--stride", options.stride, "Process every Nth frame (cases 1-4)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--rss-stride", options.rss_stride, "Stride of the memory case (5)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--cases", cases, "Cases to run, e.g. 1,2")
      ->delimiter(',')
      ->check(CLI::Range(1, 5));
  app.add_option("--json", options.json, "Also write the results as JSON here");
  CLI11_PARSE(app, argc, argv);
  options.cases = std::set<int>(cases.begin(), cases.end());

  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows even when piped to a file
  std::printf("engine_bench: people.yaml on %s, stride %d, %d repeat(s), cases",
              fs::path(options.video).filename().c_str(), options.stride, options.repeats);
  for (int c : options.cases) std::printf(" %d", c);
  std::printf("; load average %.2f on %ld cores\n", load_average(), sysconf(_SC_NPROCESSORS_ONLN));
  // static: removed also when die() ends the process (std::exit runs static destructors).
  static fp::bench::TempDir temp("engine_bench");
  EngineBench bench(options, temp.path());
  bench.run_repeats();
  bench.run_memory_case();
  bench.print_table();
  if (!options.json.empty()) bench.write_json(options.json);
  return 0;
}
