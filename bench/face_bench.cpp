// face_bench: issue 5's targets on whole runs of the face pipeline.
//
//   face_bench [--repeats 3] [--frames 0] [--cpus 2] [--video HAMILTON]
//              [--framepipe PATH] [--baseline PATH]
//
// Against user_style_face_loop (a sequential loop: decode a frame, detect, then align and embed
// each face with its own forward() call), on the Hamilton clip with --cpus 2 on both sides:
//   - framepipe's fps / the loop's fps                                target >= 1.5
//   - framepipe's embedded faces / its embedder invocations          target >= 2
//   - the largest |difference| between the embeddings of one face      target <= 1e-4
//     (faces matched by frame index and box, each corner within 0.5 px; every embedded face of
//     one side must be found on the other, and both sides must process the same frames)
// framepipe runs examples/faces.yaml as a child process; its figures come from run.json (fps
// excludes model loading, as the loop's does; the faces stage reports faces, embedded and
// embedder_invocations) and its embeddings from faces.jsonl (rounded there to 1e-6). Within a
// repeat the two runs alternate, the loop first on odd repeats, so that slow spells of a shared
// machine hit both sides. `--frames N` limits both to the frames with index < N: the loop stops
// there, framepipe gets `--end (N - 0.5) / video fps` seconds. Everything is written under a
// temporary folder removed at the end.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "bench_support.hpp"
#include "goal_table.hpp"
#include "media/source.hpp"
#include "user_style_faces.hpp"

namespace {

namespace fs = std::filesystem;
using fp::bench::die;
using fp::bench::load_average;
using fp::bench::Metric;
using nlohmann::ordered_json;

struct Options {
  std::string framepipe = FRAMEPIPE_BINARY;
  std::string baseline = USER_STYLE_FACE_LOOP_BINARY;
  std::string video = fp::bench::hamilton_clip_path();
  int repeats = 3;
  int64_t frames = 0;  // 0: the whole video
  int cpus = 2;
};

// One embedded face, as faces.jsonl and the loop's JSONL both give it.
struct EmbeddedFace {
  int64_t frame = 0;
  std::array<double, 4> box{};  // x1, y1, x2, y2
  std::vector<double> embedding;
};

// The rows of `path` that carry an embedding (faces.jsonl also has rows of skipped faces).
std::vector<EmbeddedFace> read_embedded_faces(const fs::path& path) {
  std::ifstream in(path);
  if (!in) die("cannot read " + path.string());
  std::vector<EmbeddedFace> faces;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const ordered_json row = ordered_json::parse(line, nullptr, false);
    if (!row.is_object()) die("unreadable line in " + path.string() + ": " + line.substr(0, 200));
    if (!row.contains("embedding")) continue;
    EmbeddedFace face;
    face.frame = row.at("frame").get<int64_t>();
    for (size_t k = 0; k < 4; ++k) face.box[k] = row.at("box").at(k).get<double>();
    face.embedding = row.at("embedding").get<std::vector<double>>();
    faces.push_back(std::move(face));
  }
  return faces;
}

constexpr double kBoxTolerance = 0.5;  // pixels, each corner coordinate

// Largest corner distance of two boxes (per coordinate), or infinity in different frames.
double box_distance(const EmbeddedFace& a, const EmbeddedFace& b) {
  if (a.frame != b.frame) return INFINITY;
  double worst = 0;
  for (size_t k = 0; k < 4; ++k) worst = std::max(worst, std::abs(a.box[k] - b.box[k]));
  return worst;
}

struct FaceComparison {
  int64_t matched = 0;
  int64_t only_engine = 0, only_baseline = 0;
  double max_difference = 0;  // over all values of all matched pairs; infinity for a length
                              // mismatch
  std::string first_unmatched;
};

// Pairs each engine face with the nearest unpaired baseline face of its frame whose box is within
// kBoxTolerance.
FaceComparison compare_faces(const std::vector<EmbeddedFace>& engine,
                             const std::vector<EmbeddedFace>& baseline) {
  std::multimap<int64_t, size_t> baseline_by_frame;
  for (size_t i = 0; i < baseline.size(); ++i) baseline_by_frame.emplace(baseline[i].frame, i);
  std::vector<bool> paired(baseline.size(), false);
  FaceComparison c;
  auto describe = [](const char* side, const EmbeddedFace& f) {
    char text[160];
    std::snprintf(text, sizeof(text), "%s face in frame %lld at [%.2f, %.2f, %.2f, %.2f]", side,
                  static_cast<long long>(f.frame), f.box[0], f.box[1], f.box[2], f.box[3]);
    return std::string(text);
  };
  for (const EmbeddedFace& face : engine) {
    size_t best = baseline.size();
    double best_distance = kBoxTolerance;
    const auto [first, last] = baseline_by_frame.equal_range(face.frame);
    for (auto it = first; it != last; ++it) {
      const double distance = box_distance(face, baseline[it->second]);
      if (!paired[it->second] && distance <= best_distance) {
        best = it->second;
        best_distance = distance;
      }
    }
    if (best == baseline.size()) {
      ++c.only_engine;
      if (c.first_unmatched.empty()) c.first_unmatched = describe("framepipe", face);
      continue;
    }
    paired[best] = true;
    ++c.matched;
    const std::vector<double>& other = baseline[best].embedding;
    if (other.size() != face.embedding.size()) {
      c.max_difference = INFINITY;
      continue;
    }
    for (size_t k = 0; k < other.size(); ++k) {
      c.max_difference = std::max(c.max_difference, std::abs(other[k] - face.embedding[k]));
    }
  }
  for (size_t i = 0; i < baseline.size(); ++i) {
    if (paired[i]) continue;
    ++c.only_baseline;
    if (c.first_unmatched.empty()) c.first_unmatched = describe("user-style loop", baseline[i]);
  }
  return c;
}

// What one run gives: figures from run.json or the loop's summary, and its embedded faces.
struct SideRun {
  double fps = 0;
  int64_t frames = 0;  // processed
  int64_t faces = 0;
  int64_t embedded = 0;
  int64_t invocations = 0;  // embedder calls (the loop: forward() calls)
  std::vector<EmbeddedFace> embedded_faces;
};

class FaceBench {
 public:
  FaceBench(Options options, fs::path temp)
      : options_(std::move(options)), temp_(std::move(temp)) {}

  void run_repeats();
  void print_table() const;

 private:
  void record(const std::string& figure, double value) { table_.record(figure, value); }
  // The issue does not number its targets: all are case 0 of the table.
  Metric& metric(const std::string& what, double target, bool at_most = false) {
    return table_.metric(0, what, target, at_most);
  }
  Metric& check(const std::string& what) { return table_.check(0, what); }
  SideRun run_engine(const std::string& label);
  SideRun run_baseline(const std::string& label);

  Options options_;
  fs::path temp_;
  fp::bench::GoalTable table_;
  std::vector<std::string> problems_;  // first unmatched face per repeat
};

SideRun FaceBench::run_engine(const std::string& label) {
  std::vector<std::string> options{"--cpus", std::to_string(options_.cpus)};
  if (options_.frames > 0) {
    // Half a frame before frame N, so that rounded timestamps cannot move the boundary.
    const auto source = fp::bench::value_or_die(fp::media::open_source(options_.video, {}));
    const double fps = source->info().fps;
    if (!(fps > 0)) die(options_.video + " has no frame rate: --frames cannot be converted");
    char end[32];
    std::snprintf(end, sizeof(end), "%.6f", (static_cast<double>(options_.frames) - 0.5) / fps);
    options.insert(options.end(), {"--end", end});
  }
  // Issue 5's yardstick is an OpenCV loop: like for like (bench/backend_bench.sh measures the
  // default backend, ONNX Runtime).
  options.insert(options.end(), {"--backend", "opencv"});
  const fp::bench::FramepipeRun engine =
      fp::bench::run_framepipe(options_.framepipe, fp::bench::faces_pipeline_path(),
                               {options_.video}, temp_ / label, options);
  const ordered_json& report = engine.report;
  SideRun run;
  run.fps = engine.fps();
  run.frames = report.at("frames_processed").get<int64_t>();
  const auto stages = report.at("stages");
  const auto faces = std::find_if(stages.begin(), stages.end(), [](const ordered_json& stage) {
    return stage.contains("embedder_invocations");
  });
  if (faces == stages.end()) die("run.json of " + label + " has no faces stage report");
  run.faces = faces->at("faces").get<int64_t>();
  run.embedded = faces->at("embedded").get<int64_t>();
  run.invocations = faces->at("embedder_invocations").get<int64_t>();
  run.embedded_faces = read_embedded_faces(engine.out / "faces.jsonl");
  return run;
}

SideRun FaceBench::run_baseline(const std::string& label) {
  const fs::path summary_path = temp_ / (label + ".json");
  const fs::path rows = temp_ / (label + ".jsonl");
  fp::bench::run_child_or_die(
      {options_.baseline, "--video", options_.video, "--cpus", std::to_string(options_.cpus),
       "--frames", std::to_string(options_.frames), "--out", rows.string(), "--json",
       summary_path.string()},
      temp_ / (label + ".log"));
  const ordered_json summary = fp::bench::read_json_object(summary_path);
  SideRun run;
  run.fps = summary.at("fps").get<double>();
  run.frames = summary.at("frames_processed").get<int64_t>();
  run.faces = summary.at("faces_detected").get<int64_t>();
  run.embedded = summary.at("faces_embedded").get<int64_t>();
  run.invocations = summary.at("embedder_forward_calls").get<int64_t>();
  run.embedded_faces = read_embedded_faces(rows);
  return run;
}

void FaceBench::run_repeats() {
  for (int r = 1; r <= options_.repeats; ++r) {
    const std::string tag = "-r" + std::to_string(r);
    record("load_average", load_average());
    std::printf("repeat %d: load average %.2f\n", r, table_.figure("load_average").back());
    const bool baseline_first = r % 2 == 1;
    SideRun baseline, engine;
    if (baseline_first) baseline = run_baseline("loop" + tag);
    engine = run_engine("framepipe" + tag);
    if (!baseline_first) baseline = run_baseline("loop" + tag);

    const double per_call =
        engine.invocations > 0 ? static_cast<double>(engine.embedded) / engine.invocations : 0;
    std::printf(
        "  framepipe --cpus %d: %.2f fps, %lld frames, %lld faces, %lld embedded in %lld "
        "embedder invocations (%.2f faces per call)\n",
        options_.cpus, engine.fps, static_cast<long long>(engine.frames),
        static_cast<long long>(engine.faces), static_cast<long long>(engine.embedded),
        static_cast<long long>(engine.invocations), per_call);
    std::printf(
        "  user-style loop --cpus %d: %.2f fps, %lld frames, %lld faces, %lld embedded in %lld "
        "forward() calls\n",
        options_.cpus, baseline.fps, static_cast<long long>(baseline.frames),
        static_cast<long long>(baseline.faces), static_cast<long long>(baseline.embedded),
        static_cast<long long>(baseline.invocations));

    const FaceComparison c = compare_faces(engine.embedded_faces, baseline.embedded_faces);
    const bool all_matched = c.only_engine == 0 && c.only_baseline == 0;
    std::printf(
        "  fps ratio %.3f; %lld faces matched (%lld only in framepipe, %lld only in the loop), "
        "largest embedding difference %.3g\n",
        engine.fps / baseline.fps, static_cast<long long>(c.matched),
        static_cast<long long>(c.only_engine), static_cast<long long>(c.only_baseline),
        c.max_difference);
    if (!c.first_unmatched.empty()) {
      problems_.push_back("repeat " + std::to_string(r) +
                          ": first unmatched: " + c.first_unmatched);
    }

    record("framepipe_fps", engine.fps);
    record("loop_fps", baseline.fps);
    record("framepipe_embedded", static_cast<double>(engine.embedded));
    record("loop_embedded", static_cast<double>(baseline.embedded));
    record("framepipe_invocations", static_cast<double>(engine.invocations));
    record("loop_forward_calls", static_cast<double>(baseline.invocations));
    record("matched_faces", static_cast<double>(c.matched));
    metric("framepipe fps / user-style loop fps", 1.5).values.push_back(engine.fps / baseline.fps);
    metric("framepipe embedded faces / embedder invocations", 2).values.push_back(per_call);
    metric("largest |embedding difference|, matched faces", 1e-4, true)
        .values.push_back(c.max_difference);
    check("same frames processed").values.push_back(engine.frames == baseline.frames);
    check("every embedded face matched on the other side").values.push_back(all_matched);
  }
}

void FaceBench::print_table() const {
  table_.print(fp::bench::GoalTableLayout{}, options_.repeats);
  for (const std::string& p : problems_) std::printf("%s\n", p.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("Issue 5's targets: the face pipeline against a sequential per-face loop");
  app.add_option("--framepipe", options.framepipe, "framepipe binary to run")
      ->capture_default_str();
  app.add_option("--baseline", options.baseline, "user_style_face_loop binary to run")
      ->capture_default_str();
  app.add_option("--video", options.video, "Video to run on")->capture_default_str();
  app.add_option("--repeats", options.repeats, "Repeats; medians are reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--frames", options.frames, "Only the frames with index < N (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--cpus", options.cpus, "CPU budget of both sides")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows even when piped to a file
  std::printf("face_bench: faces.yaml on %s", fs::path(options.video).filename().c_str());
  if (options.frames > 0) std::printf(", frames < %lld", static_cast<long long>(options.frames));
  std::printf(", --cpus %d, %d repeat(s); load average %.2f on %ld cores\n", options.cpus,
              options.repeats, load_average(), sysconf(_SC_NPROCESSORS_ONLN));
  // static: removed also when die() ends the process (std::exit runs static destructors).
  static fp::bench::TempDir temp("face_bench");
  FaceBench bench(options, temp.path());
  bench.run_repeats();
  bench.print_table();
  return 0;
}
