#include "media/video_writer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "media/source.hpp"
#include "test_support.hpp"

namespace fp::media {
namespace {

namespace fs = std::filesystem;
using fp::test::TempDir;

// A red background with a white square that moves one step per frame.
cv::Mat test_frame(int width, int height, int step) {
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(0, 0, 255));
  cv::rectangle(image, cv::Rect(10 + step * 4, 20, 40, 40), cv::Scalar(255, 255, 255), cv::FILLED);
  return image;
}

std::vector<Frame> decode(const std::string& path) {
  auto source = open_source(path, {});
  EXPECT_TRUE(source.ok()) << (source.ok() ? "" : source.error().message());
  std::vector<Frame> frames;
  if (!source.ok()) return frames;
  for (;;) {
    auto next = (*source)->next();
    EXPECT_TRUE(next.ok());
    if (!next.ok() || !next.value()) return frames;
    frames.push_back(std::move(*next.value()));
  }
}

TEST(VideoWriter, WritesMp4UnderATemporaryNameThatDecodesBack) {
  TempDir dir;
  const std::string partial = dir / "out.mp4.partial";
  auto writer = VideoWriter::open(partial, "mp4", 320, 240, 10);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  EXPECT_EQ((*writer)->codec_name(), "libx264");
  for (int i = 0; i < 30; ++i) ASSERT_TRUE((*writer)->write(test_frame(320, 240, i)).ok());
  const Status closed = (*writer)->close();
  ASSERT_TRUE(closed.ok()) << closed.error().message();

  const std::string final_path = dir / "out.mp4";
  fs::rename(partial, final_path);
  const auto frames = decode(final_path);
  ASSERT_EQ(frames.size(), 30u);
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].index, static_cast<int64_t>(i));
    EXPECT_NEAR(frames[i].pts, i / 10.0, 1e-6);
    ASSERT_EQ(frames[i].image.size(), cv::Size(320, 240));
  }
  // Content survives encoding: the background is red, the square white and where it was drawn.
  const cv::Vec3b background = frames[5].image.at<cv::Vec3b>(200, 300);
  EXPECT_LT(background[0], 40);
  EXPECT_GT(background[2], 200);
  const cv::Vec3b square = frames[5].image.at<cv::Vec3b>(40, 10 + 5 * 4 + 20);
  EXPECT_GT(square[0], 200);
  EXPECT_GT(square[1], 200);
}

TEST(VideoWriter, OddSizeIsRoundedDownAndOtherSizesAreScaled) {
  TempDir dir;
  const std::string path = dir / "odd.mkv";
  auto writer = VideoWriter::open(path, "matroska", 321, 241, 25);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  ASSERT_TRUE((*writer)->write(test_frame(321, 241, 0)).ok());
  ASSERT_TRUE((*writer)->write(test_frame(640, 480, 1)).ok());  // scaled down
  ASSERT_TRUE((*writer)->write(test_frame(100, 50, 2)).ok());   // scaled up
  ASSERT_TRUE((*writer)->close().ok());
  const auto frames = decode(path);
  ASSERT_EQ(frames.size(), 3u);
  for (const Frame& frame : frames) EXPECT_EQ(frame.image.size(), cv::Size(320, 240));
}

TEST(VideoWriter, DestroyingWithoutCloseDoesNotCrash) {
  TempDir dir;
  auto writer = VideoWriter::open(dir / "abandoned.mp4", "mp4", 64, 48, 30);
  ASSERT_TRUE(writer.ok()) << writer.error().message();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*writer)->write(test_frame(64, 48, 0)).ok());
  writer.value().reset();
  SUCCEED();
}

TEST(VideoWriter, ErrorsNameThePath) {
  TempDir dir;
  const std::string path = dir / "x.out";
  auto unknown = VideoWriter::open(path, "no-such-format", 64, 48, 30);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("'" + path + "'"), std::string::npos);
  EXPECT_NE(unknown.error().message().find("no-such-format"), std::string::npos);

  const std::string unwritable = (dir / "missing-folder" / "x.mp4").string();
  auto no_folder = VideoWriter::open(unwritable, "mp4", 64, 48, 30);
  ASSERT_FALSE(no_folder.ok());
  EXPECT_NE(no_folder.error().message().find("'" + unwritable + "'"), std::string::npos)
      << no_folder.error().message();

  // The encoder's own complaint is part of the message: m4v takes only the mpeg4 encoder, which
  // refuses frames wider than 8191.
  auto too_wide = VideoWriter::open(dir / "wide.m4v", "m4v", 8200, 16, 10);
  ASSERT_FALSE(too_wide.ok());
  EXPECT_NE(too_wide.error().message().find("cannot open encoder mpeg4"), std::string::npos)
      << too_wide.error().message();
  EXPECT_NE(too_wide.error().message().find("ffmpeg: mpeg4: dimensions too large for MPEG-4"),
            std::string::npos)
      << too_wide.error().message();

  auto writer = VideoWriter::open(dir / "gray.mp4", "mp4", 64, 48, 30);
  ASSERT_TRUE(writer.ok());
  const Status gray = (*writer)->write(cv::Mat(48, 64, CV_8UC1, cv::Scalar(0)));
  ASSERT_FALSE(gray.ok());
  EXPECT_NE(gray.error().message().find("gray.mp4"), std::string::npos);
}

}  // namespace
}  // namespace fp::media
