#include "media/ffmpeg_source.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "media/source.hpp"
#include "test_support.hpp"

namespace fp::media {
namespace {

using fp::test::media_path;
using fp::test::TempDir;
using fp::test::write_prefix;

struct FrameSummary {
  int64_t index = 0;
  double pts = 0;
  int width = 0;
  int height = 0;
  std::string skip_reason;
  uint64_t hash = 0;  // of the pixels, to compare decodes without keeping hundreds of images
};

uint64_t pixel_hash(const cv::Mat& image) {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a
  for (int row = 0; row < image.rows; ++row) {
    const uint8_t* data = image.ptr<uint8_t>(row);
    for (size_t i = 0; i < image.cols * image.elemSize(); ++i)
      hash = (hash ^ data[i]) * 1099511628211ull;
  }
  return hash;
}

std::vector<FrameSummary> read_all(Source& source) {
  std::vector<FrameSummary> frames;
  for (;;) {
    auto next = source.next();
    EXPECT_TRUE(next.ok()) << (next.ok() ? "" : next.error().message());
    if (!next.ok() || !next.value()) return frames;
    const Frame& frame = *next.value();
    frames.push_back({frame.index, frame.pts, frame.image.cols, frame.image.rows, frame.skip_reason,
                      pixel_hash(frame.image)});
  }
}

std::unique_ptr<Source> open_or_fail(const std::string& uri, SourceOptions options = {}) {
  auto source = open_source(uri, options);
  EXPECT_TRUE(source.ok()) << (source.ok() ? "" : source.error().message());
  return source.ok() ? std::move(source).value() : nullptr;
}

TEST(FfmpegSource, VtestHasContiguousIndicesAndTenFpsPts) {
  auto source = open_or_fail(media_path("video/vtest_480x360.avi"));
  ASSERT_TRUE(source);
  EXPECT_EQ(source->info().kind, "video");
  EXPECT_EQ(source->info().codec, "h264");
  EXPECT_DOUBLE_EQ(source->info().fps, 10);
  EXPECT_EQ(source->info().expected_frames, 795);
  EXPECT_EQ(source->info().width, 480);
  EXPECT_EQ(source->info().height, 360);
  const auto frames = read_all(*source);
  ASSERT_EQ(frames.size(), 795u);
  for (size_t i = 0; i < frames.size(); ++i) {
    ASSERT_EQ(frames[i].index, static_cast<int64_t>(i));
    ASSERT_NEAR(frames[i].pts, i / 10.0, 1e-6) << "frame " << i;
    ASSERT_EQ(frames[i].width, 480);
    ASSERT_EQ(frames[i].height, 360);
    ASSERT_TRUE(frames[i].skip_reason.empty());
  }
  const SourceReport report = source->report();
  EXPECT_FALSE(report.has_errors());
  EXPECT_EQ(report.frames, 795);
  EXPECT_EQ(report.last_good_frame, 794);
  EXPECT_TRUE(report.last_error.empty()) << report.last_error;
  // The end stays the end: next() keeps returning std::nullopt.
  auto after_end = source->next();
  ASSERT_TRUE(after_end.ok());
  EXPECT_FALSE(after_end.value().has_value());
}

TEST(FfmpegSource, HamiltonMp4IndicesStartAtZeroDespiteNonZeroStartTime) {
  auto source = open_or_fail(media_path("video/short_hamilton_clip.mp4"));
  ASSERT_TRUE(source);
  EXPECT_NEAR(source->info().fps, 29.97, 1e-9);
  EXPECT_EQ(source->info().expected_frames, 275);
  const auto frames = read_all(*source);
  ASSERT_EQ(frames.size(), 275u);
  for (size_t i = 0; i < frames.size(); ++i) {
    ASSERT_EQ(frames[i].index, static_cast<int64_t>(i));
    ASSERT_NEAR(frames[i].pts, i * 100.0 / 2997.0, 1e-3);
    ASSERT_EQ(frames[i].width, 640);
  }
  EXPECT_FALSE(source->report().has_errors());
}

TEST(FfmpegSource, SingleDecoderThreadGivesTheSameFrames) {
  SourceOptions options;
  options.decoder_threads = 1;
  auto single = open_or_fail(media_path("video/short_hamilton_clip.mp4"), options);
  auto automatic = open_or_fail(media_path("video/short_hamilton_clip.mp4"));
  ASSERT_TRUE(single && automatic);
  const auto a = read_all(*single);
  const auto b = read_all(*automatic);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i].hash, b[i].hash) << "frame " << i;
}

TEST(FfmpegSource, StartSeeksAndKeepsSourceIndices) {
  const std::string path = media_path("video/vtest_480x360.avi");
  auto full = open_or_fail(path);
  ASSERT_TRUE(full);
  const auto all = read_all(*full);
  ASSERT_EQ(all.size(), 795u);

  SourceOptions options;
  options.start = 30;
  auto source = open_or_fail(path, options);
  ASSERT_TRUE(source);
  const auto frames = read_all(*source);
  ASSERT_EQ(frames.size(), 495u);
  EXPECT_EQ(frames.front().index, 300);
  EXPECT_NEAR(frames.front().pts, 30.0, 1e-9);
  for (size_t i = 0; i < frames.size(); ++i) {
    ASSERT_EQ(frames[i].index, 300 + static_cast<int64_t>(i));
    // Same picture as a decode from the start: the seek did not shift or damage frames.
    ASSERT_EQ(frames[i].hash, all[300 + i].hash) << "frame " << frames[i].index;
  }
  EXPECT_FALSE(source->report().has_errors());
}

TEST(FfmpegSource, StartBetweenFramesBeginsAtTheNextFrame) {
  SourceOptions options;
  options.start = 5;  // 5 s * 29.97 = frame 149.85
  auto source = open_or_fail(media_path("video/short_hamilton_clip.mp4"), options);
  ASSERT_TRUE(source);
  const auto frames = read_all(*source);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.front().index, 150);
  EXPECT_GE(frames.front().pts, 5.0);
  EXPECT_EQ(frames.back().index, 274);
  EXPECT_EQ(frames.size(), 125u);
}

// A variable frame rate MP4 (r_frame_rate 30, avg_frame_rate 20): 60 frames 1/15 s apart, then 60
// frames 1/30 s apart. Keyframes every 30 frames.
std::string make_vfr_mp4(const TempDir& dir) {
  const std::string path = dir / "vfr.mp4";
  const auto made =
      fp::test::run_program({"ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                             "testsrc=size=160x120:rate=30:duration=4", "-vf",
                             "setpts='if(lt(N,60),N*2,60*2+(N-60))/30/TB'", "-fps_mode", "vfr",
                             "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", path});
  EXPECT_EQ(made.exit_code, 0) << made.output;
  return path;
}

// Without a constant frame rate indices count decoded frames; a seek would restart that count in
// the middle of the file, so start must decode from the beginning and drop the early frames.
TEST(FfmpegSource, VariableFrameRateStartKeepsSourceIndices) {
  TempDir dir;
  const std::string path = make_vfr_mp4(dir);
  auto full = open_or_fail(path);
  ASSERT_TRUE(full);
  const auto all = read_all(*full);
  ASSERT_EQ(all.size(), 120u);
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i].index, static_cast<int64_t>(i));  // counted, not derived from a rate
    ASSERT_NEAR(all[i].pts, i < 60 ? i * 2 / 30.0 : (120 + (i - 60.0)) / 30.0, 1e-3) << i;
  }

  SourceOptions options;
  options.start = 2.5;  // between frame 37 (2.467 s) and 38 (2.533 s), after the keyframe at 30
  auto source = open_or_fail(path, options);
  ASSERT_TRUE(source);
  const auto frames = read_all(*source);
  ASSERT_EQ(frames.size(), 120u - 38u);
  for (size_t i = 0; i < frames.size(); ++i) {
    const FrameSummary& expected = all[38 + i];
    ASSERT_EQ(frames[i].index, expected.index);
    ASSERT_DOUBLE_EQ(frames[i].pts, expected.pts);
    ASSERT_EQ(frames[i].hash, expected.hash) << "frame " << expected.index;
  }
  EXPECT_FALSE(source->report().has_errors()) << source->report().last_error;
}

TEST(FfmpegSource, CancelEndsTheInputWithoutAnError) {
  std::atomic<bool> cancel{false};
  SourceOptions options;
  options.cancel = &cancel;
  auto source = open_or_fail(media_path("video/vtest_480x360.avi"), options);
  ASSERT_TRUE(source);
  for (int i = 0; i < 10; ++i) {
    auto next = source->next();
    ASSERT_TRUE(next.ok() && next.value().has_value());
  }
  cancel = true;
  for (int i = 0; i < 2; ++i) {  // and stays ended
    auto next = source->next();
    ASSERT_TRUE(next.ok()) << next.error().message();
    EXPECT_FALSE(next.value().has_value());
  }
  const SourceReport report = source->report();
  EXPECT_EQ(report.frames, 10);
  EXPECT_FALSE(report.has_errors());  // not truncated, although the header promises 795 frames
  EXPECT_TRUE(report.last_error.empty()) << report.last_error;
}

TEST(FfmpegSource, MissingFileIsAnErrorNamingThePath) {
  auto source = open_source("/nonexistent/clip.mp4", {});
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().message(), "input '/nonexistent/clip.mp4' does not exist");
}

TEST(FfmpegSource, TextFileNamedMp4IsNotMedia) {
  TempDir dir;
  const std::string path = dir / "notes.mp4";
  fp::test::write_file(path, "this is not a video, just some text\n");
  auto source = open_source(path, {});
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().message().find("'" + path + "'"), std::string::npos);
  EXPECT_NE(source.error().message().find("is not a video or image FFmpeg can read"),
            std::string::npos)
      << source.error().message();
}

// open_source refuses `path` with the message every non-media input gets.
void expect_not_media(const std::string& path) {
  auto source = open_source(path, {});
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().message().rfind(
                "input '" + path + "' is not a video or image FFmpeg can read (", 0),
            0u)
      << source.error().message();
}

// FFmpeg's tty demuxer takes plain text of a few hundred bytes or more for ANSI art (a 640x400
// "video" of rendered characters); it must be refused like any other non-media file.
TEST(FfmpegSource, PlainTextFileIsNotMedia) {
  TempDir dir;
  const std::string path = dir / "notes.txt";
  std::string text;
  for (int i = 0; i < 100; ++i) text += "meeting notes, line " + std::to_string(i) + ": nothing\n";
  fp::test::write_file(path, text);
  expect_not_media(path);
}

TEST(FfmpegSource, RandomBytesAreNotMedia) {
  TempDir dir;
  const std::string path = dir / "random.bin";
  std::mt19937 random(42);
  std::string bytes(64 * 1024, '\0');
  for (char& byte : bytes) byte = static_cast<char>(random() & 0xFF);
  fp::test::write_file(path, bytes);
  expect_not_media(path);
}

TEST(FfmpegSource, EmptyFileIsAnErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir / "empty.avi";
  fp::test::write_file(path, "");
  auto source = open_source(path, {});
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().message().find("'" + path + "'"), std::string::npos)
      << source.error().message();
}

TEST(FfmpegSource, FileWithoutVideoStreamSaysSo) {
  TempDir dir;
  const std::string path = dir / "tone.wav";
  const auto made = fp::test::run_program({"ffmpeg", "-hide_banner", "-loglevel", "error", "-f",
                                           "lavfi", "-i", "sine=duration=1", path});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  auto source = open_source(path, {});
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().message(), "input '" + path + "' has no video stream");
}

TEST(FfmpegSource, TruncatedAviYieldsItsGoodFramesAndIsReported) {
  TempDir dir;
  const std::string path = dir / "half.avi";
  write_prefix(media_path("video/vtest_480x360.avi"), path, 0.5);
  auto source = open_or_fail(path);
  ASSERT_TRUE(source);
  EXPECT_EQ(source->info().expected_frames, 795);  // the header still promises the whole video
  const auto frames = read_all(*source);
  EXPECT_GT(frames.size(), 100u);
  EXPECT_LT(frames.size(), 795u);
  for (size_t i = 0; i < frames.size(); ++i) ASSERT_EQ(frames[i].index, static_cast<int64_t>(i));
  const SourceReport report = source->report();
  EXPECT_TRUE(report.truncated);
  EXPECT_TRUE(report.has_errors());
  EXPECT_EQ(report.frames, static_cast<int64_t>(frames.size()));
  EXPECT_GE(report.last_good_frame, static_cast<int64_t>(frames.size()) - 1 - 3);
  EXPECT_NEAR(report.last_good_pts, report.last_good_frame / 10.0, 1e-6);
  EXPECT_NE(report.last_error.find("'" + path + "'"), std::string::npos) << report.last_error;
}

TEST(FfmpegSource, TruncatedMp4WithIndexAtTheEndFailsClearly) {
  TempDir dir;
  const std::string path = dir / "half.mp4";
  // This file keeps its moov index after the media data, so half of it has no index at all.
  write_prefix(media_path("video/short_hamilton_clip.mp4"), path, 0.5);
  auto source = open_source(path, {});
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().message().find("'" + path + "'"), std::string::npos);
  EXPECT_NE(source.error().message().find("moov atom not found"), std::string::npos)
      << source.error().message();
}

TEST(FfmpegSource, TruncatedFaststartMp4YieldsItsGoodFramesAndIsReported) {
  TempDir dir;
  const std::string whole = dir / "faststart.mp4";
  const auto made = fp::test::run_program({"ffmpeg", "-hide_banner", "-loglevel", "error", "-i",
                                           media_path("video/short_hamilton_clip.mp4"), "-c",
                                           "copy", "-movflags", "+faststart", whole});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string path = dir / "half.mp4";
  write_prefix(whole, path, 0.5);
  auto source = open_or_fail(path);
  ASSERT_TRUE(source);
  const auto frames = read_all(*source);
  EXPECT_GT(frames.size(), 50u);
  EXPECT_LT(frames.size(), 275u);
  const SourceReport report = source->report();
  EXPECT_TRUE(report.truncated);
  EXPECT_GE(report.last_good_frame, static_cast<int64_t>(frames.size()) - 1 - 3);
}

// Flips every 997th byte between 30% and 60% of the file, leaving the header alone.
std::string flip_middle_bytes(std::string bytes) {
  for (size_t i = bytes.size() * 3 / 10; i < bytes.size() * 6 / 10; i += 997) {
    bytes[i] = static_cast<char>(bytes[i] ^ 0xFF);
  }
  return bytes;
}

// Byte offset of the first packet of stream 0 that ends after `offset`, and its dts (== its
// frame number in this AVI), from ffprobe.
int64_t first_frame_touching(const std::string& path, size_t offset) {
  const auto probe =
      fp::test::run_program({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                             "packet=dts,pos,size", "-of", "csv=p=0", path});
  EXPECT_EQ(probe.exit_code, 0) << probe.output;
  std::istringstream lines(probe.output);
  std::string line;
  while (std::getline(lines, line)) {
    int64_t dts = 0, pos = 0, size = 0;
    char comma = 0;
    std::istringstream fields(line);
    if (!(fields >> dts >> comma >> size >> comma >> pos)) continue;
    if (static_cast<size_t>(pos + size) > offset) return dts;
  }
  return -1;
}

TEST(FfmpegSource, FlippedBytesAreSkippedOrCountedNeverFatal) {
  const std::string original = media_path("video/vtest_480x360.avi");
  const std::string bytes = fp::test::read_file(original);
  TempDir dir;
  const std::string path = dir / "flipped.avi";
  fp::test::write_file(path, flip_middle_bytes(bytes));

  auto clean = open_or_fail(original);
  auto damaged = open_or_fail(path);
  ASSERT_TRUE(clean && damaged);
  const auto good = read_all(*clean);
  const auto frames = read_all(*damaged);
  EXPECT_EQ(frames.size(), 795u);  // damaged frames come out skipped, not lost
  int64_t skipped = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    ASSERT_EQ(frames[i].index, static_cast<int64_t>(i));
    if (!frames[i].skip_reason.empty()) {
      // Decoded with errors, or never decoded at all (issue 10: still a row at its index).
      EXPECT_TRUE(frames[i].skip_reason == "corrupt_frame" ||
                  frames[i].skip_reason == "undecodable_frame")
          << frames[i].skip_reason;
      EXPECT_EQ(frames[i].width, 0);
      ++skipped;
    }
  }
  const SourceReport report = damaged->report();
  EXPECT_TRUE(report.has_errors());
  EXPECT_EQ(report.skipped_frames, skipped);
  EXPECT_FALSE(report.last_error.empty());

  // Frames before the first damaged packet decode exactly as in the clean file. B-frames are shown
  // a few frames after they are stored, hence the margin.
  const int64_t first_damaged = first_frame_touching(original, bytes.size() * 3 / 10);
  ASSERT_GT(first_damaged, 100);
  for (int64_t i = 0; i < first_damaged - 4; ++i) {
    ASSERT_TRUE(frames[i].skip_reason.empty()) << "frame " << i;
    ASSERT_EQ(frames[i].hash, good[i].hash) << "frame " << i;
  }
}

// Damaged MPEG-4 part 2 frames partly vanish (no error, no frame): they must still be counted.
TEST(FfmpegSource, FlippedBytesInXvidAviLoseNoFrameSilently) {
  TempDir dir;
  const std::string path = dir / "flipped.avi";
  fp::test::write_file(path,
                       flip_middle_bytes(fp::test::read_file(media_path("video/Megamind.avi"))));
  auto source = open_or_fail(path);
  ASSERT_TRUE(source);
  const auto frames = read_all(*source);
  EXPECT_GT(frames.size(), 200u);
  const SourceReport report = source->report();
  EXPECT_TRUE(report.has_errors());
  EXPECT_FALSE(report.last_error.empty());
  // Every frame of the 270 came out, was skipped, or is counted as a decode error.
  EXPECT_GE(report.frames + report.decode_errors, 270 - 2);
}

}  // namespace
}  // namespace fp::media
