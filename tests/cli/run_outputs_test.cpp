// What `framepipe run` leaves in its output folder however it ends (issue 10): run.json kept
// current through the run, stale outputs of earlier runs cleared, a full disk, a killed run.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "disk_faults.hpp"
#include "test_support.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kVideo = media_path("video/vtest_480x360.avi").string();  // 795 frames

// The arguments of `framepipe run` for people.yaml over kVideo into `out`, then `extra`.
std::vector<std::string> people_run(const fs::path& out, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"run",        (source_dir() / "examples/people.yaml").string(),
                                kVideo,       "--out",
                                out.string(), "--no-progress"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// run.json as it is now; null while there is none (it is always replaced whole, never cut).
json read_report(const fs::path& dir) {
  if (!fs::exists(dir / "run.json")) return nullptr;
  return json::parse(read_file(dir / "run.json"));
}

std::vector<std::string> partial_files(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".partial") found.push_back(entry.path().filename());
  }
  return found;
}

TEST(RunOutputs, KilledRunLeavesARunningReportAndTheNextRunClearsItsPartials) {
  TempDir out;
  std::vector<std::string> argv = people_run(out.path(), {"--annotate", "people.mp4"});
  argv.insert(argv.begin(), FRAMEPIPE_BINARY);
  BackgroundProcess run(argv);
  json report;
  for (int i = 0; i < 600; ++i) {  // until a report written during the run counts frames
    report = read_report(out.path());
    if (report.is_object() && report["frames"].get<int>() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(report.is_object()) << "no run.json while the run went";
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(run.stop(SIGKILL), 128 + SIGKILL);

  report = read_report(out.path());
  EXPECT_EQ(report["status"], "running");
  EXPECT_GT(report["frames"].get<int>(), 0);
  EXPECT_LT(report["frames"].get<int>(), 795);
  EXPECT_EQ(report["outputs"]["detections.jsonl"], (out / "detections.jsonl.partial").string());
  EXPECT_EQ(report["outputs"]["people.mp4"], (out / "people.mp4.partial").string());
  EXPECT_EQ(report["inputs"][0]["uri"], kVideo);
  EXPECT_TRUE(fs::exists(out / "people.mp4.partial"));
  EXPECT_FALSE(fs::exists(out / "detections.jsonl"));

  // The next run, without --annotate, must not leave the killed run's video beside its outputs.
  const auto next = run_framepipe(people_run(out.path(), {"--end", "1"}));
  ASSERT_EQ(next.exit_code, 0) << next.output;
  EXPECT_FALSE(fs::exists(out / "people.mp4.partial"));
  EXPECT_FALSE(fs::exists(out / "people.mp4"));
  EXPECT_TRUE(partial_files(out.path()).empty());
  EXPECT_FALSE(fs::exists(out / ".run.json.reserve"));
  EXPECT_EQ(read_report(out.path())["status"], "completed");
}

TEST(RunOutputs, RunWithoutAnnotateRemovesAnEarlierRunsVideo) {
  TempDir out;
  const auto first =
      run_framepipe(people_run(out.path(), {"--end", "1", "--annotate", "people.mp4"}));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("outputs: " + out.path().string() +
                              " (detections.jsonl, people.mp4, run.json)\n"),
            std::string::npos)
      << first.output;
  ASSERT_TRUE(fs::exists(out / "people.mp4"));
  write_file(out / "people.mp4.partial", "an older run's video, cut short");

  const auto second = run_framepipe(people_run(out.path(), {"--end", "1"}));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_FALSE(fs::exists(out / "people.mp4"));
  EXPECT_FALSE(fs::exists(out / "people.mp4.partial"));
  EXPECT_TRUE(fs::exists(out / "detections.jsonl"));
  EXPECT_EQ(read_report(out.path())["outputs"].size(), 1u);
}

// The disk fills up while detections are written: the run fails cleanly, run.json says so (the
// reserve made room for it), and the rows kept are whole.
TEST(RunOutputs, FullDiskStillGetsAFinalRunJsonAndWholeRows) {
  TempDir disk, kept;
  // Room for the reserve, run.json and some 50 rows.
  const int result = run_on_small_disk(disk.path(), 96 * 1024, [&](const fs::path& root) {
    const fs::path out = root / "out";
    const auto r = run_framepipe(people_run(out, {}));
    write_file(kept / "output.txt", r.output);
    fs::copy(out, kept / "out", fs::copy_options::recursive);
    return r.exit_code;
  });
  if (result == kNoSmallDisk) GTEST_SKIP() << "cannot mount a small tmpfs (needs root)";
  const std::string output = read_file(kept / "output.txt");
  EXPECT_EQ(result, 1) << output;
  EXPECT_NE(output.find("outputs, incomplete (under .partial names): " + (disk / "out").string() +
                        " (detections.jsonl.partial, run.json)\n"),
            std::string::npos)
      << output;
  const fs::path out = kept / "out";
  const json report = read_report(out);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["status"], "failed");
  EXPECT_NE(report["error"].get<std::string>().find("disk full"), std::string::npos) << report;
  EXPECT_FALSE(fs::exists(out / "run.json.partial"));
  EXPECT_FALSE(fs::exists(out / ".run.json.reserve"));
  const std::string rows = read_file(out / "detections.jsonl.partial");
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.back(), '\n');
  const auto parsed = read_jsonl(out / "detections.jsonl.partial");  // every line whole
  EXPECT_EQ(report["frames"].get<size_t>(), parsed.size());
}

// A pipeline file in `dir` with `yaml` after its name, run over the first `frames` frames of
// kVideo into dir/out.
CommandResult run_yaml(const TempDir& dir, const std::string& yaml, const std::string& frames,
                       const std::vector<std::string>& extra = {}) {
  write_file(dir / "p.yaml", "name: p\n" + yaml);
  std::vector<std::string> args{"run",
                                (dir / "p.yaml").string(),
                                kVideo,
                                "--out",
                                (dir / "out").string(),
                                "--end",
                                frames,
                                "--no-progress"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_framepipe(args);
}

const std::string kTracking =
    "stages:\n  - detect: {model: yolox_nano_416, classes: [person]}\n  - track: {}\n";

// `outputs:` chooses the sinks: only those are written, each as it would be by default.
TEST(RunOutputs, TheOutputsSectionWritesOnlyTheListedSinks) {
  TempDir all, chosen;
  const auto by_default = run_yaml(all, kTracking, "2");
  ASSERT_EQ(by_default.exit_code, 0) << by_default.output;
  EXPECT_EQ(files_in(all / "out"),
            (std::set<std::string>{"detections.jsonl", "tracks.jsonl", "tracks.txt", "run.json"}));
  const auto listed =
      run_yaml(chosen, kTracking + "outputs:\n  - mot\n  - video: {path: boxes.mp4}\n", "2");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_EQ(files_in(chosen / "out"),
            (std::set<std::string>{"tracks.txt", "boxes.mp4", "run.json"}));
  EXPECT_EQ(read_file(chosen / "out" / "tracks.txt"), read_file(all / "out" / "tracks.txt"));
  const json outputs = read_report(chosen / "out")["outputs"];
  EXPECT_EQ(outputs.size(), 2u) << outputs;
  EXPECT_EQ(outputs["boxes.mp4"], (chosen / "out" / "boxes.mp4").string());
  // --annotate adds the video to a list that leaves it out.
  const auto annotated =
      run_yaml(chosen, kTracking + "outputs: [tracks]\n", "2", {"--annotate", "flag.mp4"});
  ASSERT_EQ(annotated.exit_code, 0) << annotated.output;
  EXPECT_EQ(files_in(chosen / "out"),
            (std::set<std::string>{"tracks.jsonl", "flag.mp4", "run.json"}));
}

TEST(RunOutputs, BadOutputsSectionsNameFileLineColumnAndTouchNothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"stages: [{detect: {model: yolox_nano_416}}]\noutputs:\n  - detections\n  - detectoins\n",
       "p.yaml:5:5: unknown output 'detectoins' (known: detections, tracks, mot, counts, faces, "
       "identities, crops, thumbs, video)"},
      {"stages: [{detect: {model: yolox_nano_416}}]\noutputs: [detections, tracks]\n",
       "p.yaml:3:23: output 'tracks' needs a tracker: add a 'track' stage after the detector"},
      {"stages: [{detect: {model: yolox_nano_416}}]\noutputs: [faces]\n",
       "output 'faces' needs a 'faces' stage"},
      {"stages: [{detect: {model: yolox_nano_416}}]\noutputs: [video, detections, video]\n",
       "p.yaml:3:30: output 'video' is listed twice (first at "},
      {"stages: [{detect: {model: yolox_nano_416}}]\noutputs: []\n",
       "p.yaml:3:10: 'outputs' must list the outputs to write"},
      {"stages: [{detect: {model: yolox_nano_416}}]\noutputs:\n  - detections: {path: x.jsonl}\n",
       "p.yaml:4:5: output 'detections' takes no settings (write it as '- detections')"},
      {"stages: [{detect: {model: yolox_nano_416}}]\noutputs:\n  - {video: {}, mot: {}}\n",
       "p.yaml:4:5: an output is a name, or a name with its settings"},
  };
  for (const auto& [yaml, expected] : cases) {
    TempDir dir;
    const auto r = run_yaml(dir, yaml, "2");
    EXPECT_EQ(r.exit_code, 2) << yaml << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << yaml << r.output;
    EXPECT_FALSE(fs::exists(dir / "out") && !fs::is_empty(dir / "out")) << yaml;
  }
}

// A run killed after it wrote its commit journal, before every rename, had committed: the next run
// in the folder finishes the renames first (so nothing is left half renamed or lost with the
// .partial files it clears), then leaves what it does not write itself.
TEST(RunOutputs, AHalfDoneCommitIsFinishedBeforeTheFolderIsReused) {
  TempDir dir;
  const fs::path out = dir / "out";
  fs::create_directories(out);
  write_file(out / "tracks.txt.partial", "1,1,0,0,1,1,1,-1,-1,-1\n");
  write_file(out / ".framepipe-commit", "[\"" + (out / "tracks.txt").string() + "\"]\n");
  const auto r = run_yaml(dir, "stages: [{detect: {model: yolox_nano_416}}]\n", "1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(files_in(out), (std::set<std::string>{"detections.jsonl", "run.json", "tracks.txt"}));
  EXPECT_EQ(read_file(out / "tracks.txt"), "1,1,0,0,1,1,1,-1,-1,-1\n");
}

}  // namespace
}  // namespace fp::test
