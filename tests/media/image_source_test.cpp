#include "media/image_source.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "media/source.hpp"
#include "test_support.hpp"

namespace fp::media {
namespace {

namespace fs = std::filesystem;
using fp::test::media_path;
using fp::test::TempDir;

std::vector<Frame> read_all(Source& source) {
  std::vector<Frame> frames;
  for (;;) {
    auto next = source.next();
    EXPECT_TRUE(next.ok());
    if (!next.ok() || !next.value()) return frames;
    frames.push_back(std::move(*next.value()));
  }
}

// A folder with three real images (links to shared media), a text file and a text ".jpg".
void fill_mixed_folder(const fs::path& dir) {
  for (const char* name : {"messi5.jpg", "lena.jpg", "obama.jpg"}) {
    fs::create_symlink(media_path(std::string("images/") + name), dir / name);
  }
  fp::test::write_file(dir / "notes.txt", "not an image\n");
  fp::test::write_file(dir / "broken.jpg", "this is text, not a JPEG\n");
}

// A 70-byte BMP whose header claims 100000x100000 pixels: OpenCV 4.6's imread throws for it
// (validateInputImageSize) instead of returning an empty image.
void write_huge_bmp(const fs::path& path) {
  std::string bytes;
  auto put = [&bytes](uint32_t value, int size) {
    for (int i = 0; i < size; ++i) bytes += static_cast<char>((value >> (8 * i)) & 0xFF);
  };
  bytes += "BM";
  put(70, 4);      // file size
  put(0, 4);       // reserved
  put(54, 4);      // offset of the pixels
  put(40, 4);      // BITMAPINFOHEADER size
  put(100000, 4);  // width
  put(100000, 4);  // height
  put(1, 2);       // planes
  put(24, 2);      // bits per pixel
  put(0, 4);       // no compression
  put(0, 4);       // image size (may be 0 without compression)
  put(2835, 4);    // 72 dpi
  put(2835, 4);
  put(0, 4);  // palette colours
  put(0, 4);  // important colours
  bytes += std::string(16, '\x7f');
  fp::test::write_file(path, bytes);
}

TEST(ImageSource, FolderYieldsImagesInNameOrderAndSkipsUnreadableOnes) {
  TempDir dir;
  fill_mixed_folder(dir.path());
  auto opened = ImageSource::open(dir.path().string(), {});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  ImageSource& source = **opened;
  EXPECT_EQ(source.report().ignored_files, 1);
  EXPECT_EQ(source.info().kind, "image_folder");
  EXPECT_EQ(source.info().codec, "image");
  EXPECT_EQ(source.info().expected_frames, 4);
  // broken.jpg sorts first, so the size comes from the first readable image.
  EXPECT_EQ(source.info().width, 512);
  EXPECT_EQ(source.info().height, 512);

  const auto frames = read_all(source);
  ASSERT_EQ(frames.size(), 4u);
  const std::vector<std::string> names = {"broken.jpg", "lena.jpg", "messi5.jpg", "obama.jpg"};
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].index, static_cast<int64_t>(i));
    EXPECT_EQ(frames[i].pts, 0);
    EXPECT_EQ(fs::path(frames[i].file).filename(), names[i]);
  }
  EXPECT_EQ(frames[0].skip_reason, "unreadable_image");
  EXPECT_TRUE(frames[0].image.empty());
  EXPECT_EQ(frames[1].image.size(), cv::Size(512, 512));
  EXPECT_EQ(frames[2].image.size(), cv::Size(548, 342));
  EXPECT_EQ(frames[2].image.type(), CV_8UC3);
  EXPECT_FALSE(frames[3].image.empty());
  EXPECT_TRUE(frames[3].skip_reason.empty());

  const SourceReport report = source.report();
  EXPECT_EQ(report.frames, 4);
  EXPECT_EQ(report.skipped_frames, 1);
  EXPECT_EQ(report.decode_errors, 1);
  EXPECT_EQ(report.last_good_frame, 3);
  EXPECT_EQ(report.ignored_files, 1);  // notes.txt
  EXPECT_NE(report.last_error.find("broken.jpg"), std::string::npos) << report.last_error;
}

TEST(ImageSource, HugeImageHeaderInAFolderIsASkippedFrameNotAnException) {
  TempDir dir;
  write_huge_bmp(dir / "a_huge.bmp");
  fs::create_symlink(media_path("images/lena.jpg"), dir / "b_lena.jpg");
  fp::test::write_file(dir / "readme.md", "about these images\n");
  fp::test::write_file(dir / "labels.csv", "a,b\n");
  auto opened = open_source(dir.path().string(), {});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  Source& source = **opened;
  EXPECT_EQ(source.info().kind, "image_folder");
  EXPECT_EQ(source.info().width, 512);
  std::vector<Frame> frames;
  ASSERT_NO_THROW(frames = read_all(source));
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].skip_reason, "unreadable_image");
  EXPECT_TRUE(frames[0].image.empty());
  EXPECT_TRUE(frames[1].skip_reason.empty());
  const SourceReport report = source.report();
  EXPECT_EQ(report.skipped_frames, 1);
  EXPECT_EQ(report.ignored_files, 2);
  EXPECT_NE(report.last_error.find("a_huge.bmp"), std::string::npos) << report.last_error;
}

TEST(ImageSource, HugeImageHeaderAloneIsAnOpenError) {
  TempDir dir;
  const std::string path = dir / "huge.bmp";
  write_huge_bmp(path);
  Result<std::unique_ptr<Source>> source = Error("not opened");
  ASSERT_NO_THROW(source = open_source(path, {}));
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().message(),
            "input '" + path +
                "': the image is 100000x100000 pixels (10000.0 megapixels), over the limit of "
                "100.0 megapixels (source.max_megapixels)");
  // Past framepipe's own limit, OpenCV's throw is still an error, not an exception.
  SourceOptions options;
  options.max_pixels = 100000LL * 100000;
  ASSERT_NO_THROW(source = open_source(path, options));
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().message().rfind("input '" + path + "': OpenCV refused it", 0), 0u)
      << source.error().message();
}

TEST(ImageSource, OpenSourceDispatchesFoldersAndImageFiles) {
  TempDir dir;
  fill_mixed_folder(dir.path());
  auto folder = open_source(dir.path().string(), {});
  ASSERT_TRUE(folder.ok()) << folder.error().message();
  EXPECT_EQ((*folder)->info().kind, "image_folder");

  const std::string image = media_path("images/messi5.jpg");
  SourceOptions options;
  options.stream_id = 3;
  auto single = open_source(image, options);
  ASSERT_TRUE(single.ok()) << single.error().message();
  EXPECT_EQ((*single)->info().kind, "image");
  EXPECT_EQ((*single)->report().ignored_files, 0);
  EXPECT_EQ((*single)->info().width, 548);
  EXPECT_EQ((*single)->info().height, 342);
  const auto frames = read_all(**single);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].file, image);
  EXPECT_EQ(frames[0].stream, 3);
  EXPECT_EQ(frames[0].image.size(), cv::Size(548, 342));
}

TEST(ImageSource, ExtensionsMatchWithoutRegardToCase) {
  EXPECT_TRUE(has_image_extension("a/B.JPG"));
  EXPECT_TRUE(has_image_extension("x.Jpeg"));
  EXPECT_TRUE(has_image_extension("x.tiff"));
  EXPECT_TRUE(has_image_extension("x.webp"));
  EXPECT_FALSE(has_image_extension("x.mp4"));
  EXPECT_FALSE(has_image_extension("jpg"));
  EXPECT_FALSE(has_image_extension("x.jpg.txt"));

  TempDir dir;
  fs::create_symlink(media_path("images/lena.jpg"), dir / "UPPER.JPG");
  auto source = open_source(dir.path().string(), {});
  ASSERT_TRUE(source.ok()) << source.error().message();
  EXPECT_EQ(read_all(**source).size(), 1u);
}

TEST(ImageSource, FolderWithoutImagesIsAnErrorNamingIt) {
  TempDir dir;
  fp::test::write_file(dir / "notes.txt", "no images here\n");
  auto source = open_source(dir.path().string(), {});
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().message().find("'" + dir.path().string() + "'"), std::string::npos)
      << source.error().message();
  EXPECT_NE(source.error().message().find("no images"), std::string::npos);
}

TEST(ImageSource, SingleUnreadableImageIsAnOpenError) {
  TempDir dir;
  const std::string path = dir / "broken.png";
  fp::test::write_file(path, "not a png\n");
  auto source = open_source(path, {});
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().message().find("'" + path + "'"), std::string::npos)
      << source.error().message();
}

TEST(OpenSource, RecognisesStreamUris) {
  EXPECT_TRUE(is_stream_uri("rtsp://camera.local:554/stream1"));
  EXPECT_TRUE(is_stream_uri("http://127.0.0.1:8080/v.ts"));
  EXPECT_TRUE(is_stream_uri("udp://@:1234"));
  EXPECT_TRUE(is_stream_uri("srt://host:9000?mode=caller"));
  EXPECT_FALSE(is_stream_uri("/data/videos/clip.mp4"));
  EXPECT_FALSE(is_stream_uri("videos/clip.mp4"));
  EXPECT_FALSE(is_stream_uri("://nothing"));
  EXPECT_FALSE(is_stream_uri("weird name://x.mp4"));
}

}  // namespace
}  // namespace fp::media
