// Several inputs in one run: read concurrently (source.streams), each stream's results in frame
// order and equal to a run of that input alone, input errors and cancel per stream, one annotated
// video per stream. A cheap stand-in stage keeps these fast.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <thread>

#include "run/runner.hpp"
#include "test_support.hpp"

namespace fp::run {
namespace {

using pipeline::FrameResult;
using pipeline::PipelineConfig;
using pipeline::Stage;

namespace fs = std::filesystem;
using nlohmann::json;
using Queued = std::vector<std::pair<int, int64_t>>;  // (stream, frame index)

std::string vtest() { return test::media_path("video/vtest_480x360.avi").string(); }
std::string megamind() { return test::media_path("video/Megamind.avi").string(); }
std::string hamilton() { return test::media_path("video/short_hamilton_clip.mp4").string(); }

// Stands in for a detector: one "detection" per frame holding the picture's size and mean
// brightness, so a row tells which picture it came from. It lists the frames in the order they
// reach it (with one worker, the order they were queued by the readers) and can be slow, so the
// decoded queue fills and every reader waits on it.
class RecordingStage : public Stage {
 public:
  RecordingStage(Queued* queued, std::chrono::milliseconds delay,
                 std::function<void(const FrameResult&)> on_frame)
      : queued_(queued), delay_(delay), on_frame_(std::move(on_frame)) {}
  const std::string& name() const override { return name_; }
  Status process(FrameResult& item) override {
    const Frame& frame = item.frame;
    if (queued_) queued_->emplace_back(frame.stream, frame.index);  // one worker: no lock needed
    if (on_frame_) on_frame_(item);
    std::this_thread::sleep_for(delay_);
    const cv::Scalar mean = cv::mean(frame.image);
    const float brightness = static_cast<float>((mean[0] + mean[1] + mean[2]) / (3 * 255));
    item.detections.push_back(Detection{
        {0, 0, static_cast<float>(frame.image.cols), static_cast<float>(frame.image.rows)},
        0,
        brightness,
        "mean"});
    return ok_status();
  }

 private:
  std::string name_ = "recording";
  Queued* queued_;
  std::chrono::milliseconds delay_;
  std::function<void(const FrameResult&)> on_frame_;
};

struct StreamsRun {
  std::vector<std::string> inputs;
  int stride = 10;
  int streams = 8;
  std::chrono::milliseconds delay{0};                // per frame in the stage
  std::function<void(const FrameResult&)> on_frame;  // called by the stage on each frame
  const std::atomic<bool>* cancel = nullptr;
  std::string annotate;
  bool drop_oldest = false;  // source.live: drop_oldest
};

Result<RunOutcome> run(const StreamsRun& setup, const fs::path& out, Queued* queued = nullptr) {
  PipelineConfig config;
  config.name = "streams";
  config.sampling.stride = setup.stride;
  config.streams = setup.streams;
  config.drop_oldest = setup.drop_oldest;
  std::vector<std::unique_ptr<Stage>> stages;
  stages.push_back(std::make_unique<RecordingStage>(queued, setup.delay, setup.on_frame));
  RunOptions options;
  options.inputs = setup.inputs;
  options.out_dir = out;
  options.cancel = setup.cancel;
  options.annotate = setup.annotate;
  return run_with_stages(config, std::move(stages), options);
}

// Position in `queued` of the first (or last) frame of `stream`; -1 when it has none.
int position(const Queued& queued, int stream, bool last) {
  int found = -1;
  for (size_t i = 0; i < queued.size(); ++i) {
    if (queued[i].first != stream) continue;
    found = static_cast<int>(i);
    if (!last) break;
  }
  return found;
}

void expect_frame_order(const Queued& queued) {
  std::map<int, int64_t> previous;
  for (const auto& [stream, index] : queued) {
    if (previous.count(stream)) EXPECT_GT(index, previous[stream]) << "stream " << stream;
    previous[stream] = index;
  }
}

TEST(RunnerStreams, ThreeInputsAreReadAtTheSameTimeAndMatchSingleRuns) {
  test::TempDir dir;
  StreamsRun setup;
  setup.inputs = {vtest(), megamind(), hamilton()};  // 80, 27 and 28 frames at stride 10
  // A slow stage fills the queue, so every reader that has opened its input waits on it.
  setup.delay = std::chrono::milliseconds(3);
  Queued queued;
  auto outcome = run(setup, dir / "all", &queued);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  ASSERT_EQ(outcome->status, RunStatus::kCompleted) << outcome->error;
  ASSERT_EQ(queued.size(), 80u + 27u + 28u);
  expect_frame_order(queued);
  // Read one after another, stream 0 would be queued whole before any frame of the others.
  EXPECT_LT(position(queued, 1, false), position(queued, 0, true));
  EXPECT_LT(position(queued, 2, false), position(queued, 0, true));

  const auto streams = test::rows_by_stream(dir / "all" / "detections.jsonl");
  ASSERT_EQ(streams.size(), 3u);
  for (size_t i = 0; i < setup.inputs.size(); ++i) {
    StreamsRun alone;
    alone.inputs = {setup.inputs[i]};
    const fs::path out = dir / std::to_string(i);
    auto single = run(alone, out);
    ASSERT_TRUE(single.ok()) << single.error().message();
    const auto expected = test::rows_by_stream(out / "detections.jsonl");
    ASSERT_EQ(expected.size(), 1u);
    EXPECT_EQ(streams.at(static_cast<int>(i)), expected.at(0)) << setup.inputs[i];
  }
  const auto report = json::parse(test::read_file(dir / "all" / "run.json"));
  EXPECT_EQ(report["inputs"][1]["frames_read"], 270);
  EXPECT_EQ(report["inputs"][2]["frames_processed"], 28);
}

TEST(RunnerStreams, StreamsLimitsHowManyInputsAreReadAtOnce) {
  test::TempDir dir;
  StreamsRun setup;
  setup.inputs = {megamind(), hamilton(), vtest()};
  setup.streams = 1;
  Queued one_at_a_time;
  auto outcome = run(setup, dir / "1", &one_at_a_time);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_EQ(outcome->status, RunStatus::kCompleted);
  ASSERT_EQ(one_at_a_time.size(), 27u + 28u + 80u);
  EXPECT_TRUE(std::is_sorted(one_at_a_time.begin(), one_at_a_time.end()));

  // Two readers: the third input starts only once one of the first two has ended.
  setup.streams = 2;
  setup.delay = std::chrono::milliseconds(1);
  Queued two_at_a_time;
  outcome = run(setup, dir / "2", &two_at_a_time);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_EQ(outcome->status, RunStatus::kCompleted);
  ASSERT_EQ(two_at_a_time.size(), 27u + 28u + 80u);
  expect_frame_order(two_at_a_time);
  EXPECT_GT(position(two_at_a_time, 2, false),
            std::min(position(two_at_a_time, 0, true), position(two_at_a_time, 1, true)));
}

TEST(RunnerStreams, LaterInputThatDoesNotDecodeIsAnInputErrorAndTheOthersComplete) {
  test::TempDir dir;
  test::write_file(dir / "x.mp4", "this is a text file, not a video\n");
  StreamsRun setup;
  setup.inputs = {vtest(), (dir / "x.mp4").string(), megamind()};
  auto outcome = run(setup, dir / "out");
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_EQ(outcome->status, RunStatus::kCompletedWithErrors) << outcome->error;
  EXPECT_EQ(exit_code(outcome->status), 3);
  const auto streams = test::rows_by_stream(dir / "out" / "detections.jsonl");
  EXPECT_EQ(streams.count(1), 0u);
  EXPECT_EQ(streams.at(0).size(), 80u);
  EXPECT_EQ(streams.at(2).size(), 27u);
  const auto report = json::parse(test::read_file(dir / "out" / "run.json"));
  EXPECT_EQ(report["status"], "completed_with_errors");
  ASSERT_TRUE(report["inputs"][1]["error"].is_string()) << report["inputs"][1];
  EXPECT_NE(report["inputs"][1]["error"].get<std::string>().find("x.mp4"), std::string::npos);
  EXPECT_TRUE(report["inputs"][0]["error"].is_null());
  EXPECT_TRUE(report["inputs"][2]["error"].is_null());
}

TEST(RunnerStreams, CancelStopsEveryReader) {
  test::TempDir dir;
  std::atomic<bool> cancel{false};
  StreamsRun setup;
  setup.inputs = {vtest(), megamind(), hamilton()};  // 795, 270 and 275 frames at stride 1
  setup.stride = 1;
  setup.delay = std::chrono::milliseconds(1);
  setup.cancel = &cancel;
  int seen = 0;
  setup.on_frame = [&](const FrameResult&) {
    if (++seen == 20) cancel = true;
  };
  auto outcome = run(setup, dir / "out");
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_EQ(outcome->status, RunStatus::kInterrupted);
  const auto report = json::parse(test::read_file(dir / "out" / "run.json"));
  // Each reader stops at its next frame: what was read is about what was queued when cancel hit.
  EXPECT_LT(report["frames"].get<int>(), 100) << report["frames"];
  for (const json& input : report["inputs"]) {
    EXPECT_LT(input["frames_read"].get<int>(), 100) << input;
  }
  EXPECT_TRUE(fs::exists(dir / "out" / "detections.jsonl.partial"));
}

TEST(RunnerStreams, AnnotateWritesOneVideoPerStream) {
  test::TempDir dir;
  StreamsRun setup;
  setup.inputs = {vtest(), megamind()};
  setup.annotate = "boxes.mp4";
  auto outcome = run(setup, dir.path());
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  ASSERT_EQ(outcome->status, RunStatus::kCompleted) << outcome->error;
  // Width, height, frame rate and frames of each video: its own input's size, and its rate over
  // the stride (Megamind is 23.976 fps).
  const std::map<std::string, std::string> expected_probe = {
      {"boxes.mp4", "480,360,1/1,80"}, {"boxes.1.mp4", "720,528,2997/1250,27"}};
  for (const auto& [name, expected] : expected_probe) {
    const auto probe =
        test::run_program({"ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                           "-show_entries", "stream=width,height,r_frame_rate,nb_read_frames",
                           "-of", "csv=p=0", (dir / name).string()});
    EXPECT_EQ(probe.exit_code, 0) << probe.output;
    EXPECT_EQ(probe.output.substr(0, expected.size()), expected) << name << ": " << probe.output;
  }
  const auto report = json::parse(test::read_file(dir / "run.json"));
  EXPECT_EQ(report["outputs"]["boxes.mp4"], (dir / "boxes.mp4").string());
  EXPECT_EQ(report["outputs"]["boxes.1.mp4"], (dir / "boxes.1.mp4").string());
}

// --- Ctrl-C with a live stream and a file read together ---

// An HTTP MPEG-TS stream of vtest served at its own pace (10 fps), like a camera.
class LiveStream {
 public:
  LiveStream()
      : url_("http://127.0.0.1:" + std::to_string(test::free_tcp_port()) + "/live.ts"),
        server_({"ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-i", vtest(), "-map",
                 "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts", "-listen", "1",
                 url_}) {
    // Let the server bind: a busy machine (CI on 2 cores) can take over half a second.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  test::BackgroundProcess server_;
};

TEST(RunnerStreams, CancelAfterTheFileEndedStopsTheLiveStreamAndCommits) {
  LiveStream live;
  test::TempDir dir;
  std::atomic<bool> cancel{false};
  bool file_done = false;
  StreamsRun setup;
  setup.inputs = {vtest(), live.url()};
  setup.stride = 5;  // the file's last sampled frame is 790
  setup.cancel = &cancel;
  setup.on_frame = [&](const FrameResult& item) {
    if (item.frame.stream == 0 && item.frame.index == 790) file_done = true;
    if (item.frame.stream == 1 && file_done) cancel = true;
  };
  auto outcome = run(setup, dir.path());
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  EXPECT_EQ(outcome->status, RunStatus::kStopped) << outcome->error;
  const auto streams = test::rows_by_stream(dir / "detections.jsonl");
  EXPECT_EQ(streams.at(0).size(), 159u);
  EXPECT_GE(streams.at(1).size(), 1u);
}

TEST(RunnerStreams, CancelWhileAFileIsReadIsAnInterruptionEvenWithALiveStream) {
  LiveStream live;
  test::TempDir dir;
  std::atomic<bool> cancel{false};
  int64_t file_frame_at_cancel = -1;
  StreamsRun setup;
  setup.inputs = {vtest(), live.url()};
  setup.stride = 1;
  setup.delay = std::chrono::milliseconds(5);  // the file takes seconds; the stream's frames come
  setup.cancel = &cancel;
  int64_t file_frame = -1;
  setup.on_frame = [&](const FrameResult& item) {
    if (item.frame.stream == 0) file_frame = item.frame.index;
    if (item.frame.stream == 1 && !cancel) {
      file_frame_at_cancel = file_frame;
      cancel = true;
    }
  };
  auto outcome = run(setup, dir.path());
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  ASSERT_LT(file_frame_at_cancel, 700) << "the stream came too late to cut the file";
  EXPECT_EQ(outcome->status, RunStatus::kInterrupted) << outcome->error;
  EXPECT_TRUE(fs::exists(dir / "detections.jsonl.partial"));
}

// --- Issue 14: a live stream processed slower than it comes (source.live) ---

struct LiveRun {
  json input;                   // run.json's record of the stream
  std::vector<int64_t> frames;  // the frame index of each row, in order
  int64_t live_latencies = 0;   // capture-to-result samples in run.json
};

// Reads the live stream with a stage four times slower than it (10 fps against 4) until 12 frames
// were processed.
LiveRun read_live_behind(bool drop_oldest) {
  LiveStream live;
  test::TempDir dir;
  std::atomic<bool> cancel{false};
  std::atomic<int> processed{0};
  StreamsRun setup;
  setup.inputs = {live.url()};
  setup.stride = 1;
  setup.delay = std::chrono::milliseconds(250);
  setup.drop_oldest = drop_oldest;
  setup.cancel = &cancel;
  setup.on_frame = [&](const FrameResult&) {
    if (++processed == 12) cancel = true;
  };
  LiveRun result;
  auto outcome = run(setup, dir.path());
  EXPECT_TRUE(outcome.ok()) << outcome.error().message();
  if (!outcome.ok()) return result;
  EXPECT_EQ(outcome->status, RunStatus::kStopped) << outcome->error;
  const auto report = json::parse(test::read_file(dir / "run.json"));
  result.input = report["inputs"][0];
  for (const auto& row : test::read_jsonl(dir / "detections.jsonl"))
    result.frames.push_back(row["frame"].get<int64_t>());
  for (const auto& timing : report["stage_timings"]) {
    if (timing["stage"] == "live_latency")
      result.live_latencies =
          timing["steady"]["count"].get<int64_t>() + timing["warmup"]["count"].get<int64_t>();
  }
  return result;
}

TEST(RunnerStreams, Issue14_DropOldestKeepsTheNewestFramesOfALiveStreamAndCountsTheRest) {
  const LiveRun dropping = read_live_behind(true);
  ASSERT_FALSE(dropping.frames.empty());
  EXPECT_TRUE(dropping.input["live"].get<bool>());
  const int64_t dropped = dropping.input["frames_dropped"].get<int64_t>();
  EXPECT_GT(dropped, 0);
  // Every frame read was either processed or dropped; the rows skip the dropped ones.
  EXPECT_EQ(dropping.input["frames_read"].get<int64_t>(),
            dropping.input["frames_processed"].get<int64_t>() + dropped);
  EXPECT_EQ(static_cast<int64_t>(dropping.frames.size()),
            dropping.input["frames_processed"].get<int64_t>());
  bool gap = false;
  for (size_t i = 1; i < dropping.frames.size(); ++i) {
    EXPECT_GT(dropping.frames[i], dropping.frames[i - 1]);
    gap = gap || dropping.frames[i] > dropping.frames[i - 1] + 1;
  }
  EXPECT_TRUE(gap);
  EXPECT_EQ(dropping.live_latencies, static_cast<int64_t>(dropping.frames.size()));

  const LiveRun blocking = read_live_behind(false);  // the default: the stream waits
  ASSERT_FALSE(blocking.frames.empty());
  EXPECT_EQ(blocking.input["frames_dropped"].get<int64_t>(), 0);
  for (size_t i = 0; i < blocking.frames.size(); ++i)
    EXPECT_EQ(blocking.frames[i], static_cast<int64_t>(i));
}

TEST(RunnerStreams, Issue14_DropOldestNeverDropsAFile) {
  test::TempDir dir;
  StreamsRun setup;
  setup.inputs = {vtest()};
  setup.drop_oldest = true;
  setup.delay = std::chrono::milliseconds(5);  // the file is read faster than it is processed
  auto outcome = run(setup, dir.path());
  ASSERT_TRUE(outcome.ok()) << outcome.error().message();
  ASSERT_EQ(outcome->status, RunStatus::kCompleted) << outcome->error;
  const auto report = json::parse(test::read_file(dir / "run.json"));
  EXPECT_EQ(report["inputs"][0]["frames_dropped"], 0);
  EXPECT_EQ(report["inputs"][0]["frames_processed"], 80);
  EXPECT_EQ(test::read_jsonl(dir / "detections.jsonl").size(), 80u);
}

}  // namespace
}  // namespace fp::run
