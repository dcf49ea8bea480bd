// End-to-end runs of `framepipe run` on the shared media: outputs, accuracy and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <csignal>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "test_support.hpp"
#include "vision/nms.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kPeople = (source_dir() / "examples/people.yaml").string();

std::string vtest() { return media_path("video/vtest_480x360.avi").string(); }

json read_json(const fs::path& path) { return json::parse(read_file(path)); }

bool has_partial_files(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".partial") return true;
  }
  return false;
}

TEST(RunCommand, VideoGivesDetectionsReportProgressAndAnnotatedVideo) {
  TempDir out;
  const auto r = run_framepipe({"run", kPeople, vtest(), "--out", out.path().string(), "--stride",
                                "40", "--annotate", "boxes.mp4", "--progress-json",
                                (out / "progress.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("detect.inference"), std::string::npos) << r.output;  // summary table

  const auto rows = read_jsonl(out / "detections.jsonl");
  ASSERT_EQ(rows.size(), 20u);  // frames 0, 40, ..., 760
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i]["stream"], 0);
    EXPECT_EQ(rows[i]["frame"], static_cast<int>(i * 40));
    EXPECT_NEAR(rows[i]["pts"].get<double>(), i * 4.0, 1e-6);  // 10 fps source
    EXPECT_GE(rows[i]["detections"].size(), 3u) << rows[i];
    for (const auto& d : rows[i]["detections"]) {
      EXPECT_EQ(d["class"], "person");
      EXPECT_GE(d["score"].get<double>(), 0.3);
      EXPECT_LE(d["box"][2].get<double>(), 480.0);
    }
  }

  const json report = read_json(out / "run.json");
  EXPECT_EQ(report["status"], "completed");
  EXPECT_EQ(report["frames_processed"], 20);
  EXPECT_GT(report["fps"].get<double>(), 0);
  EXPECT_GT(report["cpu_percent"].get<double>(), 0);
  EXPECT_GT(report["peak_rss_mb"].get<double>(), 10);
  bool found_inference = false;
  for (const auto& stage : report["stage_timings"]) {
    if (stage["stage"] != "detect.inference") continue;
    found_inference = true;
    EXPECT_EQ(stage["warmup"]["count"], 5);  // telemetry.warmup_frames in people.yaml
    EXPECT_EQ(stage["steady"]["count"], 15);
    EXPECT_GE(stage["steady"]["p90_ms"].get<double>(), stage["steady"]["p50_ms"].get<double>());
  }
  EXPECT_TRUE(found_inference) << report.dump(2);
  EXPECT_EQ(report["models"][0]["requests"], 20);
  EXPECT_EQ(report["inputs"][0]["frames_read"], 795);

  const json progress = read_json(out / "progress.json");
  EXPECT_EQ(progress["status"], "completed");
  EXPECT_EQ(progress["frames"], 20);
  EXPECT_EQ(progress["expected_frames"], 20);

  const auto probe = run_program({"ffprobe", "-v", "error", "-count_frames", "-select_streams",
                                  "v:0", "-show_entries", "stream=nb_read_frames,width,height",
                                  "-of", "csv=p=0", (out / "boxes.mp4").string()});
  EXPECT_EQ(probe.exit_code, 0) << probe.output;
  EXPECT_NE(probe.output.find("480,360,20"), std::string::npos) << probe.output;
  EXPECT_FALSE(has_partial_files(out.path()));
}

// Frame i of vtest is MOT frame i+1; the MOT boxes are in 768x576 pixels (x0.625 here).
TEST(RunCommand, PersonBoxesAgreeWithPets09Detections) {
  TempDir out;
  const auto r = run_framepipe(
      {"run", kPeople, vtest(), "--out", out.path().string(), "--stride", "50", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::map<int, std::vector<Box>> reference;
  std::ifstream det(media_path("mot/PETS09-S2L1/det.txt"));
  for (std::string line; std::getline(det, line);) {
    std::stringstream ss(line);
    std::vector<double> v;
    for (std::string field; std::getline(ss, field, ',');) v.push_back(std::stod(field));
    const float s = 0.625f;
    reference[static_cast<int>(v[0]) - 1].push_back(
        Box{static_cast<float>(v[2]) * s, static_cast<float>(v[3]) * s,
            static_cast<float>(v[2] + v[4]) * s, static_cast<float>(v[3] + v[5]) * s});
  }
  double sum = 0;
  int count = 0;
  for (const json& row : read_jsonl(out / "detections.jsonl")) {
    std::vector<Box> ours;
    for (const auto& d : row["detections"]) {
      ours.push_back(Box{d["box"][0], d["box"][1], d["box"][2], d["box"][3]});
    }
    for (const Box& ref : reference[row["frame"].get<int>()]) {
      float best = 0;
      for (const Box& b : ours) best = std::max(best, vision::iou(ref, b));
      sum += best;
      ++count;
    }
  }
  ASSERT_GT(count, 50);
  EXPECT_GE(sum / count, 0.55) << "mean best IoU over " << count << " reference boxes";
}

TEST(RunCommand, StartAndEndSelectSourceFrames) {
  TempDir out;
  const auto r = run_framepipe({"run", kPeople, vtest(), "--out", out.path().string(), "--start",
                                "30", "--end", "31", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_jsonl(out / "detections.jsonl");
  ASSERT_EQ(rows.size(), 10u);
  EXPECT_EQ(rows.front()["frame"], 300);
  EXPECT_EQ(rows.back()["frame"], 309);
}

TEST(RunCommand, ImageFolderIsReadInNameOrderWithSkipRowForBrokenImage) {
  TempDir photos, out;
  fs::copy_file(media_path("images/two_people.jpg"), photos / "b_two_people.jpg");
  fs::copy_file(media_path("images/messi5.jpg"), photos / "a_messi.jpg");
  write_file(photos / "c_broken.jpg", "not a jpeg");
  write_file(photos / "notes.txt", "ignored");
  const auto r = run_framepipe(
      {"run", kPeople, photos.path().string(), "--out", out.path().string(), "--no-progress"});
  EXPECT_EQ(r.exit_code, 3) << r.output;  // completed, but one input item was unreadable
  const auto rows = read_jsonl(out / "detections.jsonl");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[0]["file"].get<std::string>().find("a_messi.jpg"), std::string::npos);
  EXPECT_EQ(rows[0]["detections"].size(), 6u);
  EXPECT_EQ(rows[1]["detections"].size(), 2u);
  EXPECT_EQ(rows[2]["skipped"], "unreadable_image");
  const json report = read_json(out / "run.json");
  EXPECT_EQ(report["status"], "completed_with_errors");
  EXPECT_EQ(report["inputs"][0]["ignored_files"], 1);  // notes.txt
}

TEST(RunCommand, TimeSamplingDoesNotDropImages) {
  TempDir photos, out;
  fs::copy_file(media_path("images/two_people.jpg"), photos / "a.jpg");
  fs::copy_file(media_path("images/messi5.jpg"), photos / "b.jpg");
  const auto r = run_framepipe({"run", kPeople, photos.path().string(), "--out",
                                out.path().string(), "--fps", "1", "--start", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_jsonl(out / "detections.jsonl").size(), 2u);
}

TEST(RunCommand, BatchesAndInstancesDoNotChangeTheDetections) {
  TempDir dir;
  // One instance running one frame at a time, against two instances running batches of up to 4
  // (the YOLOX batch comes back folded as [1, B*3549, 85] and is unfolded per frame).
  const std::map<std::string, std::string> variants = {
      {"single",
       "resources: {instances: 1, threads: 1}\nstages:\n  - detect: {model: "
       "yolox_nano_416, max_batch: 1}\n"},
      {"batched",
       "resources: {instances: 2, threads: 1}\nstages:\n  - detect: {model: "
       "yolox_nano_416, max_batch: 4, max_delay_us: 50000}\n"}};
  for (const auto& [name, yaml] : variants) {
    write_file(dir / (name + ".yaml"), "name: p\n" + yaml);
    const auto r = run_framepipe({"run", (dir / (name + ".yaml")).string(), vtest(), "--out",
                                  (dir / name).string(), "--stride", "25", "--no-progress"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  const std::string single = read_file(dir / "single" / "detections.jsonl");
  EXPECT_EQ(std::count(single.begin(), single.end(), '\n'), 32);
  EXPECT_EQ(read_file(dir / "batched" / "detections.jsonl"), single);

  const json report = read_json(dir / "batched" / "run.json");
  EXPECT_EQ(report["engine"]["plan"]["instances"], 2);
  EXPECT_EQ(report["engine"]["plan"]["measured"], false);
  const json& model = report["models"][0];
  EXPECT_EQ(model["requests"], 32);
  EXPECT_EQ(model["max_batch"], 4);
  int64_t items = 0, batched_items = 0;
  for (const auto& [size, count] : model["batch_sizes"].items()) {
    items += std::stoi(size) * count.get<int64_t>();
    if (std::stoi(size) > 1) batched_items += std::stoi(size) * count.get<int64_t>();
  }
  EXPECT_EQ(items, 32);
  EXPECT_GT(batched_items, 0) << model.dump();  // decoding outpaces inference: batches fill
  EXPECT_EQ(read_json(dir / "single" / "run.json")["models"][0]["batch_sizes"]["1"], 32);
}

TEST(RunCommand, MeasuredPlanIsReportedWithItsTrials) {
  TempDir out;
  const auto r = run_framepipe({"run", kPeople, vtest(), "--out", out.path().string(), "--end", "1",
                                "--cpus", "2", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("plan: "), std::string::npos) << r.output;  // in the summary
  const json report = read_json(out / "run.json");
  const json& plan = report["engine"]["plan"];
  EXPECT_EQ(plan["measured"], true);
  ASSERT_EQ(plan["trials"].size(), 2u);  // 2 x 1 and 1 x 2 on a 2-core budget
  EXPECT_EQ(plan["instances"].get<int>() * plan["threads"].get<int>(), 2);
  EXPECT_GT(report["time_to_first_result_seconds"].get<double>(), 0);
  EXPECT_GE(report["time_to_first_result_seconds"].get<double>(),
            report["setup_seconds"].get<double>());
  EXPECT_TRUE(report["models"][0]["warmup_seconds_by_batch"].contains("1"));
}

TEST(RunCommand, ProfileSetsValuesThatKeysAndFlagsOverride) {
  TempDir dir;
  write_file(dir / "p.yaml",
             "name: p\nprofile: low_power\nsource: {fps: 2}\nstages:\n  - detect: {model: "
             "yolox_nano_416, backend: opencv}\n");  // OpenCV resizes the network to 320
  const auto r =
      run_framepipe({"run", (dir / "p.yaml").string(), vtest(), "--out", (dir / "out").string(),
                     "--end", "3", "--stride", "1", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json report = read_json(dir / "out" / "run.json");
  const json& profile = report["profile"];
  EXPECT_EQ(profile["name"], "low_power");
  EXPECT_EQ(profile["values"]["stride"], 2);
  EXPECT_EQ(profile["values"]["fps"], 5.0);
  EXPECT_EQ(profile["overridden"], json({"source.fps", "--stride"}));
  EXPECT_EQ(profile["effective"]["stride"], 1);                            // the flag
  EXPECT_EQ(profile["effective"]["fps"], 2.0);                             // the key
  EXPECT_EQ(profile["effective"]["cpus"], 1);                              // the profile
  EXPECT_EQ(profile["effective"]["detect.input_size"], json({320, 320}));  // the profile
  EXPECT_EQ(report["resources"]["cpus"], 1);
  EXPECT_EQ(report["frames_processed"], 6);  // 2 fps over 3 s
  EXPECT_LE(report["cpu_cores_used"].get<double>(), 1.05);

  // ONNX Runtime runs this ONNX only at the 416x416 it fixes: the profile's size is a preference.
  const auto ort =
      run_framepipe({"run", (dir / "p.yaml").string(), vtest(), "--out", (dir / "ort").string(),
                     "--end", "1", "--backend", "onnxruntime", "--no-progress"});
  ASSERT_EQ(ort.exit_code, 0) << ort.output;
  EXPECT_EQ(read_json(dir / "ort" / "run.json")["profile"]["effective"]["detect.input_size"],
            json({416, 416}));

  const auto bad = run_framepipe({"run", (dir / "p.yaml").string(), vtest(), "--out",
                                  (dir / "bad").string(), "--profile", "turbo"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("--profile: unknown profile 'turbo' (known: low_power, balanced, "
                            "performance)"),
            std::string::npos)
      << bad.output;
}

TEST(RunCommandBadInput, PlanLargerThanTheBudgetIsAnError) {
  TempDir dir;
  write_file(dir / "p.yaml",
             "name: p\nresources: {instances: 2, threads: 1}\nstages:\n  - detect: {model: "
             "yolox_nano_416}\n");
  const auto r = run_framepipe(
      {"run", (dir / "p.yaml").string(), vtest(), "--out", (dir / "out").string(), "--cpus", "1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("2 instances x 1 threads need 2 cores, but the budget is 1"),
            std::string::npos)
      << r.output;
}

TEST(RunCommand, SeveralInputsGetTheirOwnStreamIds) {
  TempDir out;
  const auto r =
      run_framepipe({"run", kPeople, media_path("images/two_people.jpg").string(),
                     media_path("images/messi5.jpg").string(), "--out", out.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rows = read_jsonl(out / "detections.jsonl");
  ASSERT_EQ(rows.size(), 2u);
  // The inputs are read concurrently: either may be written first.
  if (rows[0]["stream"] == 1) std::swap(rows[0], rows[1]);
  EXPECT_EQ(rows[0]["stream"], 0);
  EXPECT_EQ(rows[1]["stream"], 1);
  EXPECT_EQ(rows[1]["detections"].size(), 6u);
}

TEST(RunCommand, ConcurrentStreamsGiveTheSameDetectionsAsSingleRuns) {
  TempDir dir;
  // Four streams sharing one model's batcher; the same video twice must give the same rows twice.
  const std::vector<std::string> inputs = {vtest(), media_path("video/Megamind.avi").string(),
                                           media_path("video/short_hamilton_clip.mp4").string(),
                                           vtest()};
  std::vector<std::string> args = {"run", kPeople};
  args.insert(args.end(), inputs.begin(), inputs.end());
  args.insert(args.end(), {"--out", (dir / "all").string(), "--stride", "40", "--no-progress"});
  const auto r = run_framepipe(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto streams = rows_by_stream(dir / "all" / "detections.jsonl");
  ASSERT_EQ(streams.size(), 4u);
  const json report = read_json(dir / "all" / "run.json");
  ASSERT_EQ(report["models"].size(), 1u);  // one shared model for the four streams
  EXPECT_EQ(report["models"][0]["requests"], report["frames_processed"]);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const fs::path single = dir / std::to_string(i);
    const auto one = run_framepipe(
        {"run", kPeople, inputs[i], "--out", single.string(), "--stride", "40", "--no-progress"});
    ASSERT_EQ(one.exit_code, 0) << one.output;
    const auto expected = rows_by_stream(single / "detections.jsonl");
    ASSERT_EQ(expected.size(), 1u);
    EXPECT_GE(expected.at(0).size(), 7u);
    EXPECT_EQ(streams.at(static_cast<int>(i)), expected.at(0)) << inputs[i];
  }
}

TEST(RunCommand, HttpStreamServedByFfmpegIsProcessed) {
  const int port = free_tcp_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/live.ts";
  // vtest's AVI packets carry no timestamps, which MPEG-TS needs: the server re-encodes.
  BackgroundProcess server({"ffmpeg", "-hide_banner", "-loglevel", "error", "-i", vtest(), "-map",
                            "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts",
                            "-listen", "1", url});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let the server bind
  TempDir out;
  const auto r = run_framepipe(
      {"run", kPeople, url, "--out", out.path().string(), "--stride", "20", "--no-progress"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto rows = read_jsonl(out / "detections.jsonl");
  ASSERT_GE(rows.size(), 38u);
  EXPECT_EQ(rows[0]["frame"], 0);
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i]["frame"].get<int>() - rows[i - 1]["frame"].get<int>(), 20);
  }
  EXPECT_EQ(read_json(out / "run.json")["inputs"][0]["kind"], "stream");
}

TEST(RunCommand, InterruptKeepsWhatWasDoneUnderPartialNames) {
  TempDir out;
  BackgroundProcess run(
      {FRAMEPIPE_BINARY, "run", kPeople, vtest(), "--out", out.path().string(), "--no-progress"});
  const fs::path partial = out / "detections.jsonl.partial";
  wait_for_file_size(partial, 2000);
  EXPECT_EQ(run.stop(SIGINT), 130);
  EXPECT_FALSE(fs::exists(out / "detections.jsonl"));  // nothing looks complete
  const auto rows = read_jsonl(partial);
  EXPECT_GT(rows.size(), 3u);
  EXPECT_LT(rows.size(), 795u);
  const json report = read_json(out / "run.json");
  EXPECT_EQ(report["status"], "interrupted");
  EXPECT_EQ(report["error_code"], "cancelled");
  EXPECT_EQ(report["frames"].get<size_t>(), rows.size());
}

TEST(RunCommand, CtrlCOnALiveStreamStopsAndKeepsCompleteOutputs) {
  const int port = free_tcp_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/live.ts";
  // -re sends at the video's own pace (10 fps), like a camera.
  BackgroundProcess server({"ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-i", vtest(),
                            "-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-f",
                            "mpegts", "-listen", "1", url});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  TempDir out;
  BackgroundProcess run({FRAMEPIPE_BINARY, "run", kPeople, url, "--out", out.path().string(),
                         "--stride", "5", "--no-progress"});
  const fs::path partial = out / "detections.jsonl.partial";
  wait_for_file_size(partial, 1000);
  EXPECT_EQ(run.stop(SIGINT), 0);
  const auto rows = read_jsonl(out / "detections.jsonl");
  EXPECT_GE(rows.size(), 2u);
  const json report = read_json(out / "run.json");
  EXPECT_EQ(report["status"], "stopped");
  EXPECT_EQ(report["frames"].get<size_t>(), rows.size());
}

// --- bad input: a clear message, a non-zero exit, and no output that looks complete ---

TEST(RunCommandBadInput, StreamThatStaysSilentTimesOutAsAnInputError) {
  LocalSocket silent(true);  // accepts the connection, never answers
  const std::string url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/live.ts";
  TempDir dir;
  write_file(dir / "p.yaml",
             "name: p\nsource: {io_timeout: 1}\nstages:\n  - detect: {model: yolox_nano_416}\n");
  const auto r = run_framepipe(
      {"run", (dir / "p.yaml").string(), url, "--out", (dir / "out").string(), "--no-progress"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(url), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "out"));  // nothing was started, nothing written
}

// True when `dir` does not exist or holds no file at all (no output, no .partial, no run.json).
bool empty_or_absent(const fs::path& dir) { return !fs::exists(dir) || fs::is_empty(dir); }

TEST(RunCommandBadInput, MissingInput) {
  TempDir dir;
  const auto r =
      run_framepipe({"run", kPeople, "/no/such/video.mp4", "--out", (dir / "out").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("/no/such/video.mp4"), std::string::npos) << r.output;
  EXPECT_TRUE(empty_or_absent(dir / "out"));
}

TEST(RunCommandBadInput, BadInputKeepsAnEarlierRunsOutputs) {
  TempDir out;
  const std::string image = media_path("images/two_people.jpg").string();
  ASSERT_EQ(run_framepipe({"run", kPeople, image, "--out", out.path().string()}).exit_code, 0);
  const std::string before = read_file(out / "detections.jsonl");
  EXPECT_EQ(run_framepipe({"run", kPeople, "/no/such.mp4", "--out", out.path().string()}).exit_code,
            2);
  EXPECT_EQ(read_file(out / "detections.jsonl"), before);
}

TEST(RunCommandBadInput, NonMediaFile) {
  TempDir dir;
  write_file(dir / "notes.mp4", "this is a text file, not a video\n");
  const auto r = run_framepipe(
      {"run", kPeople, (dir / "notes.mp4").string(), "--out", (dir / "out").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("notes.mp4"), std::string::npos) << r.output;
  EXPECT_TRUE(empty_or_absent(dir / "out"));
}

TEST(RunCommandBadInput, TruncatedVideoKeepsGoodFramesAndReportsWhereItEnded) {
  TempDir dir;
  write_prefix(vtest(), dir / "half.avi", 0.5);
  const auto r = run_framepipe({"run", kPeople, (dir / "half.avi").string(), "--out",
                                (dir / "out").string(), "--stride", "10"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("last good frame"), std::string::npos) << r.output;
  const auto rows = read_jsonl(dir / "out" / "detections.jsonl");
  EXPECT_GT(rows.size(), 10u);
  EXPECT_LT(rows.size(), 80u);
  const json report = read_json(dir / "out" / "run.json");
  EXPECT_EQ(report["status"], "completed_with_errors");
  EXPECT_TRUE(report["inputs"][0]["truncated"].get<bool>()) << report["inputs"][0];
  EXPECT_GE(report["inputs"][0]["last_good_frame"].get<int>(), rows.back()["frame"].get<int>());
}

TEST(RunCommandBadInput, FlippedBytesAreCountedAndOutputStaysValid) {
  TempDir dir;
  std::string bytes = read_file(vtest());
  for (size_t i = bytes.size() * 3 / 10; i < bytes.size() * 6 / 10; i += 997) bytes[i] ^= 0xFF;
  write_file(dir / "flipped.avi", bytes);
  const auto r = run_framepipe({"run", kPeople, (dir / "flipped.avi").string(), "--out",
                                (dir / "out").string(), "--stride", "10"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  const auto rows = read_jsonl(dir / "out" / "detections.jsonl");
  EXPECT_GE(rows.size(), 70u);  // every sampled frame has a result or a skip row
  const json input = read_json(dir / "out" / "run.json")["inputs"][0];
  EXPECT_GT(input["decode_errors"].get<int>() + input["frames_skipped"].get<int>(), 0) << input;
  EXPECT_TRUE(input["last_error"].is_string()) << input;
}

void expect_config_error(const std::string& yaml, const std::string& expected) {
  TempDir dir;
  write_file(dir / "p.yaml", yaml);
  const auto r =
      run_framepipe({"run", (dir / "p.yaml").string(), vtest(), "--out", (dir / "out").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
  EXPECT_TRUE(empty_or_absent(dir / "out"));
}

TEST(RunCommandBadInput, UnknownYamlKeyNamesFileLineColumn) {
  expect_config_error(
      "name: p\nstages:\n  - detect:\n      model: yolox_nano_416\n      cnof: 0.3\n",
      "p.yaml:5:7: unknown key 'cnof'");
}

TEST(RunCommandBadInput, WrongYamlTypeNamesFileLineColumn) {
  expect_config_error(
      "name: p\nsource:\n  fps: fast\nstages:\n  - detect: {model: yolox_nano_416}\n",
      "p.yaml:3:8: 'fps' in source must be a number");
}

// Issue 10: mistakes that used to change the results silently stop the run before any output.
TEST(RunCommandBadInput, NanThresholdAndDuplicateKeyStopBeforeAnyOutput) {
  expect_config_error(
      "name: p\nstages:\n  - detect:\n      model: yolox_nano_416\n      conf: .nan\n",
      "p.yaml:5:13: 'conf' in stage 'detect' must be a finite number (got '.nan')");
  expect_config_error(
      "name: p\nsource:\n  queue: 4\n  queue: 8\nstages:\n  - detect: {model: yolox_nano_416}\n",
      "p.yaml:4:3: duplicate key 'queue' in source (first at line 3)");
  expect_config_error(
      "name: p\nstages:\n  - detect:\n      model: yolox_nano_416\n      classes: []\n",
      "p.yaml:5:16: 'classes' is an empty list");
}

TEST(RunCommandBadInput, FacesAfterPersonDetectorNamesBothModels) {
  expect_config_error(
      "name: p\nstages:\n  - detect: {model: yolox_nano_416}\n"
      "  - faces:\n      embedder: mobilefacenet_128d\n",
      "p.yaml:5:7: stage 'faces' (embedder 'mobilefacenet_128d') follows detector "
      "'yolox_nano_416' of kind 'detector', not a face detector");
  expect_config_error(
      "name: p\nstages:\n  - faces: {embedder: mobilefacenet_128d}\n",
      "stage 'faces' (embedder 'mobilefacenet_128d') has no detect stage before it");
}

TEST(RunCommandBadInput, ModelMissingNamesModelPathsAndFix) {
  expect_config_error("name: p\nstages:\n  - detect: {model: yolox_s}\n", "models fetch yolox_s");
  expect_config_error("name: p\nstages:\n  - detect: {model: yolox_s}\n",
                      (fs::weakly_canonical(models_dir()) / "detection").string());
}

TEST(RunCommandBadInput, ModelShaMismatchNamesModelAndFix) {
  TempDir models, out;
  fs::create_directories(models / "detection");
  write_file(models / "detection" / "yolox_nano_416.onnx", "not the real weights");
  const auto r = run_framepipe_with_env({"run", kPeople, vtest(), "--out", out.path().string()},
                                        {{"FRAMEPIPE_MODELS", models.path().string()}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("yolox_nano_416"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("sha256"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("models fetch"), std::string::npos) << r.output;
  EXPECT_TRUE(empty_or_absent(out.path()));
}

TEST(RunCommandBadInput, UnwritableOutputDirectory) {
  TempDir dir;
  write_file(dir / "a_file", "x");
  const std::string out = (dir / "a_file" / "out").string();
  const auto r = run_framepipe({"run", kPeople, vtest(), "--out", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(out), std::string::npos) << r.output;
}

TEST(RunCommandBadInput, BadOverrideAndMissingArguments) {
  TempDir out;
  EXPECT_EQ(run_framepipe({"run", kPeople, vtest(), "--out", out.path().string(), "--stride", "0"})
                .exit_code,
            2);
  EXPECT_EQ(run_framepipe({"run", kPeople, vtest()}).exit_code, 2);  // no --out
  EXPECT_EQ(run_framepipe({"frobnicate"}).exit_code, 2);
}

}  // namespace
}  // namespace fp::test
