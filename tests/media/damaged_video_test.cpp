// Issue 10: damaged media never shifts or hides results. Garbage written over the middle of a
// video must leave every later frame at its own index and pts, and every frame of the damaged
// range must come out as a skipped frame with a reason.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "media/source.hpp"
#include "test_support.hpp"

namespace fp::media {
namespace {

using fp::test::media_path;
using fp::test::TempDir;

struct ReadFrame {
  int64_t index = 0;
  double pts = 0;
  std::string skip_reason;
  size_t hash = 0;
};

size_t hash_of(const cv::Mat& image) {
  if (image.empty()) return 0;
  return std::hash<std::string_view>()(std::string_view(reinterpret_cast<const char*>(image.data),
                                                        image.total() * image.elemSize()));
}

std::vector<ReadFrame> read_all(Source& source) {
  std::vector<ReadFrame> frames;
  for (;;) {
    auto next = source.next();
    EXPECT_TRUE(next.ok()) << next.error().message();
    if (!next.ok() || !next.value()) return frames;
    const Frame& f = *next.value();
    frames.push_back({f.index, f.pts, f.skip_reason, hash_of(f.image)});
  }
}

std::unique_ptr<Source> open_or_fail(const std::string& path) {
  auto opened = open_source(path, {});
  EXPECT_TRUE(opened.ok()) << opened.error().message();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

// Every frame of the damaged file is at the clean file's index and pts; every frame the damage
// did not reach decodes to the same picture; the damage shows as skipped frames in one or more
// reported ranges, not as a truncation.
// `report_out`, when given, gets the damaged source's report.
void expect_timeline_kept(const std::string& clean_path, const std::string& damaged_path,
                          double fps, SourceReport* report_out = nullptr) {
  auto clean = open_or_fail(clean_path);
  auto damaged = open_or_fail(damaged_path);
  ASSERT_TRUE(clean && damaged);
  const auto good = read_all(*clean);
  const auto frames = read_all(*damaged);
  ASSERT_EQ(frames.size(), good.size());
  int64_t skipped = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    ASSERT_EQ(frames[i].index, static_cast<int64_t>(i));
    ASSERT_NEAR(frames[i].pts, static_cast<double>(i) / fps, 1e-6) << "frame " << i;
    if (frames[i].skip_reason.empty()) continue;
    EXPECT_TRUE(frames[i].skip_reason == "undecodable_frame" ||
                frames[i].skip_reason == "corrupt_frame")
        << frames[i].skip_reason;
    ++skipped;
  }
  EXPECT_GT(skipped, 0);
  // The last frames are past the damage and the next keyframe: the same pictures as the clean
  // file at the same indices (a shifted timeline would put other pictures there).
  for (size_t i = frames.size() - 20; i < frames.size(); ++i) {
    ASSERT_TRUE(frames[i].skip_reason.empty()) << "frame " << i;
    ASSERT_EQ(frames[i].hash, good[i].hash) << "frame " << i;
  }
  const SourceReport report = damaged->report();
  EXPECT_FALSE(report.truncated);
  EXPECT_TRUE(report.has_errors());
  EXPECT_EQ(report.skipped_frames, skipped);
  EXPECT_EQ(report.last_good_frame, static_cast<int64_t>(frames.size()) - 1);
  ASSERT_GE(report.damaged_range_count, 1);
  int64_t in_ranges = 0;
  for (const DamagedRange& range : report.damaged_ranges) {
    EXPECT_LE(range.first_frame, range.last_frame);
    EXPECT_NEAR(range.first_pts, static_cast<double>(range.first_frame) / fps, 1e-6);
    for (int64_t i = range.first_frame; i <= range.last_frame; ++i) {
      EXPECT_FALSE(frames[i].skip_reason.empty()) << "frame " << i << " is in a damaged range";
    }
    in_ranges += range.last_frame - range.first_frame + 1;
  }
  int64_t damaged_skips = 0;
  for (const auto& f : frames) damaged_skips += f.skip_reason.empty() ? 0 : 1;
  EXPECT_EQ(in_ranges, damaged_skips);
  if (report_out != nullptr) *report_out = report;
}

TEST(DamagedVideo, Issue10_GarbageInTheMiddleOfAnAviKeepsTheSourceTimeline) {
  TempDir dir;
  const std::string clean = media_path("video/vtest_480x360.avi");
  const std::string damaged = dir / "garbage.avi";
  fp::test::write_with_garbage(clean, damaged, 0.5, 200 * 1024);
  SourceReport report;
  expect_timeline_kept(clean, damaged, 10.0, &report);
  // The demuxer skipped the garbage: those frames came out of no decoder call.
  EXPECT_GT(report.lost_frames, 20);
}

TEST(DamagedVideo, Issue10_GarbageInTheMiddleOfAnMp4KeepsTheSourceTimeline) {
  TempDir dir;
  const std::string clean = media_path("video/short_hamilton_clip.mp4");
  const std::string damaged = dir / "garbage.mp4";
  fp::test::write_with_garbage(clean, damaged, 0.5, 50 * 1024);
  expect_timeline_kept(clean, damaged, 29.97);
}

TEST(DamagedVideo, CleanFilesHaveNoDamage) {
  for (const char* name :
       {"video/vtest_480x360.avi", "video/short_hamilton_clip.mp4", "video/Megamind.avi"}) {
    auto source = open_or_fail(media_path(name));
    ASSERT_TRUE(source);
    const auto frames = read_all(*source);
    const SourceReport report = source->report();
    EXPECT_FALSE(report.has_errors()) << name << ": " << report.last_error;
    EXPECT_EQ(report.lost_frames, 0) << name;
    EXPECT_EQ(report.damaged_range_count, 0) << name;
    for (size_t i = 0; i < frames.size(); ++i) ASSERT_EQ(frames[i].index, static_cast<int64_t>(i));
  }
}

TEST(DamagedVideo, FramesOverThePixelLimitAreRefusedFromTheHeader) {
  SourceOptions options;
  options.max_pixels = 480 * 360 - 1;
  const std::string path = media_path("video/vtest_480x360.avi");
  auto opened = open_source(path, options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().message(),
            "input '" + path +
                "' is 480x360 pixels (0.2 megapixels), over the limit of 0.2 megapixels "
                "(source.max_megapixels)");
  options.max_pixels = 480 * 360;
  EXPECT_TRUE(open_source(path, options).ok());
}

}  // namespace
}  // namespace fp::media
