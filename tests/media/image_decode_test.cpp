// Issue 10: damaged images are detected and reported, hostile headers are refused before any
// pixel memory is taken, and unreadable files say what happened.
#include "media/image_decode.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <string>

#include "media/image_header.hpp"
#include "media/source.hpp"
#include "test_support.hpp"

namespace fp::media {
namespace {

namespace fs = std::filesystem;
using fp::test::media_path;
using fp::test::read_file;
using fp::test::TempDir;
using fp::test::write_file;

constexpr int64_t kLimit = 100'000'000;

std::vector<fs::path> shared_images() {
  std::vector<fs::path> images;
  for (const auto& entry : fs::recursive_directory_iterator(media_path("images"))) {
    if (entry.is_regular_file()) images.push_back(entry.path());
  }
  for (const auto& entry : fs::recursive_directory_iterator(media_path("gallery5"))) {
    if (entry.is_regular_file()) images.push_back(entry.path());
  }
  return images;
}

// Big-endian 16-bit value.
std::string be16(int value) {
  return {static_cast<char>((value >> 8) & 0xFF), static_cast<char>(value & 0xFF)};
}

// A JPEG header, written byte by byte, claiming width x height; no pixel data follows.
std::string jpeg_bomb(int width, int height) {
  std::string bytes = "\xFF\xD8";
  bytes += "\xFF\xE0" + be16(16) + std::string("JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00", 14);
  bytes += "\xFF\xC0" + be16(17) + "\x08" + be16(height) + be16(width) + "\x03";
  for (int c = 1; c <= 3; ++c) bytes += std::string{static_cast<char>(c), '\x11', '\x00'};
  return bytes + "\xFF\xD9";
}

// A PNG signature and IHDR chunk claiming width x height.
std::string png_bomb(int width, int height) {
  std::string bytes("\x89PNG\r\n\x1A\n", 8);
  bytes += std::string("\0\0\0\x0DIHDR", 8);
  bytes += be16(0) + be16(width) + be16(0) + be16(height);
  return bytes + std::string("\x08\x02\0\0\0\0\0\0\0", 9);
}

TEST(ImageDecode, SharedImagesDecodeAsImreadDoesAndAreClean) {
  const auto images = shared_images();
  ASSERT_GT(images.size(), 10u);
  for (const fs::path& path : images) {
    auto decoded = read_image(path, kLimit);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message();
    EXPECT_TRUE(decoded->damage.empty()) << path << ": " << decoded->damage;
    const cv::Mat expected = cv::imread(path.string(), cv::IMREAD_COLOR);
    ASSERT_EQ(decoded->image.size(), expected.size()) << path;
    EXPECT_EQ(cv::norm(decoded->image, expected, cv::NORM_INF), 0) << path;
    const auto size = image_header_size(read_file(path));
    ASSERT_TRUE(size) << path;
    // The header's size, before EXIF orientation (which may swap the two).
    EXPECT_EQ(size->width * size->height, static_cast<int64_t>(expected.total())) << path;
  }
}

TEST(ImageDecode, Issue10_CorruptDataInTheMiddleOfAJpegIsReportedAsDamage) {
  std::string bytes = read_file(media_path("images/messi5.jpg"));
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64; ++i) bytes[i] = '\x5A';
  auto decoded = decode_image(bytes, kLimit);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_FALSE(decoded->image.empty());  // libjpeg conceals the damage and gives a picture
  EXPECT_NE(decoded->damage.find("Corrupt JPEG data"), std::string::npos) << decoded->damage;
}

TEST(ImageDecode, Issue10_JpegCutShortIsReportedAsDamage) {
  const std::string bytes = read_file(media_path("images/lena.jpg"));
  auto decoded = decode_image(std::string_view(bytes).substr(0, bytes.size() * 6 / 10), kLimit);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_NE(decoded->damage.find("Premature end of JPEG file"), std::string::npos)
      << decoded->damage;
}

TEST(ImageDecode, Issue10_HeaderBombsAreRefusedBeforeDecoding) {
  TempDir dir;
  write_file(dir / "bomb.jpg", jpeg_bomb(30000, 30000));
  write_file(dir / "bomb.png", png_bomb(30000, 30000));
  for (const char* name : {"bomb.jpg", "bomb.png"}) {
    const fs::path path = dir / name;
    auto decoded = read_image(path, kLimit);
    ASSERT_FALSE(decoded.ok()) << name;
    EXPECT_EQ(decoded.error().message(),
              "'" + path.string() +
                  "': the image is 30000x30000 pixels (900.0 megapixels), over the limit of "
                  "100.0 megapixels (source.max_megapixels)");
  }
  auto small_limit = read_image(media_path("images/lena.jpg"), 512 * 512 - 1);
  ASSERT_FALSE(small_limit.ok());
  EXPECT_NE(small_limit.error().message().find("512x512"), std::string::npos);
  EXPECT_TRUE(read_image(media_path("images/lena.jpg"), 512 * 512).ok());
}

// Found by the image_decode fuzz target (tests/fuzz/regressions/image_decode): a TIFF whose first
// IFD claims 4294967295 x 4294967295 pixels overflowed the size check's int64 product (the width
// it is checked with now is the first of its two ImageWidth tags, as libtiff reads it: 16).
TEST(ImageDecode, Issue10_HeaderSizesNearTheIntegerLimitsAreRefusedNotOverflowed) {
  const std::string bytes = read_file(fp::test::source_dir() /
                                      "tests/fuzz/regressions/image_decode/"
                                      "issue10-tiff-size-overflow.bin");
  const auto size = image_header_size(bytes);
  ASSERT_TRUE(size);
  EXPECT_EQ(size->width, 16);
  EXPECT_EQ(size->height, 4294967295LL);
  auto decoded = decode_image(bytes, kLimit);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message().find("over the limit of 100.0 megapixels"), std::string::npos)
      << decoded.error().message();
}

// Little-endian 16- and 32-bit values.
std::string le16(int value) {
  return {static_cast<char>(value & 0xFF), static_cast<char>((value >> 8) & 0xFF)};
}
std::string le32(uint32_t value) {
  return le16(static_cast<int>(value & 0xFFFF)) + le16(static_cast<int>(value >> 16));
}

// Each size check must read what the decoder behind it will allocate, or refuse: found by the
// image_decode fuzz target (CI of issue 14), whose pixel check held only when our header reader
// gave a size.
TEST(ImageDecode, Issue14_TheSizeCheckedIsTheSizeTheDecoderReads) {
  constexpr int64_t kSmall = 20'000;
  // libtiff ignores a tag's later duplicates: the first ImageWidth (2000) is the one decoded.
  std::string tiff = std::string("II*\0", 4) + le32(8) + le16(3);
  for (const int width : {2000, 16}) tiff += le16(256) + le16(3) + le32(1) + le32(width);
  tiff += le16(257) + le16(3) + le32(1) + le32(16) + le32(0);
  const auto tiff_size = image_header_size(tiff);
  ASSERT_TRUE(tiff_size);
  EXPECT_EQ(tiff_size->width, 2000);
  auto refused = decode_image(tiff, kSmall);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("2000x16 pixels"), std::string::npos)
      << refused.error().message();

  // Garbage before the frame header stops our walk, not libjpeg; cut short after it, libjpeg
  // fails where OpenCV's decoder suspends and allocates the size it read.
  std::string jpeg = jpeg_bomb(30000, 30000);
  jpeg.insert(20, "\x01\x02");
  jpeg.resize(jpeg.size() - 2);  // no end marker
  refused = decode_image(jpeg, kLimit);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("30000x30000"), std::string::npos)
      << refused.error().message();

  // A bare VP8L bitstream (no RIFF container) claiming 16000x16000, as libwebp reads it.
  std::string vp8l = "\x2F" + le32((16000 - 1) | ((16000 - 1) << 14));
  vp8l.resize(32, '\0');
  const auto webp_size = image_header_size(vp8l);
  ASSERT_TRUE(webp_size);
  EXPECT_EQ(webp_size->width, 16000);
  EXPECT_EQ(webp_size->height, 16000);
  refused = decode_image(vp8l, kLimit);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("16000x16000"), std::string::npos);

  // No size at all: refused before any decoder runs.
  refused = decode_image(std::string("BM") + std::string(10, '\0'), kLimit);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(), "its header is broken: it gives no picture size");
}

TEST(ImageDecode, HeaderSizesOfEveryFormat) {
  TempDir dir;
  const cv::Mat image(37, 53, CV_8UC3, cv::Scalar(10, 200, 30));
  for (const char* extension : {".jpg", ".png", ".bmp", ".webp", ".tif"}) {
    const fs::path path = dir / (std::string("small") + extension);
    ASSERT_TRUE(cv::imwrite(path.string(), image)) << extension;
    const auto size = image_header_size(read_file(path));
    ASSERT_TRUE(size) << extension;
    EXPECT_EQ(size->width, 53) << extension;
    EXPECT_EQ(size->height, 37) << extension;
    EXPECT_TRUE(read_image(path, kLimit).ok()) << extension;
  }
  EXPECT_FALSE(image_header_size("GIF89a"));
  EXPECT_FALSE(image_header_size(""));
  EXPECT_FALSE(image_header_size("\xFF\xD8\xFF"));  // a JPEG cut inside its first marker
}

// OpenCV probes every decoder it has (DICOM, PGM, ...) when no signature of ours matches; GDCM
// aborted the process on such bytes (found by the fuzzer). Only the five formats reach OpenCV.
TEST(ImageDecode, OnlyTheFiveFormatsReachADecoder) {
  TempDir dir;
  const cv::Mat image(8, 8, CV_8UC3, cv::Scalar(1, 2, 3));
  const std::pair<const char*, ImageFormat> formats[] = {{".jpg", ImageFormat::kJpeg},
                                                         {".png", ImageFormat::kPng},
                                                         {".bmp", ImageFormat::kBmp},
                                                         {".webp", ImageFormat::kWebp},
                                                         {".tif", ImageFormat::kTiff}};
  for (const auto& [extension, format] : formats) {
    const fs::path path = dir / (std::string("small") + extension);
    ASSERT_TRUE(cv::imwrite(path.string(), image)) << extension;
    EXPECT_EQ(image_format(read_file(path)), format) << extension;
  }

  const fs::path pgm = dir / "gray.pgm";
  ASSERT_TRUE(cv::imwrite(pgm.string(), cv::Mat(8, 8, CV_8UC1, cv::Scalar(9))));
  ASSERT_FALSE(cv::imread(pgm.string()).empty());  // OpenCV itself would read it
  auto refused = read_image(pgm, kLimit);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("not a JPEG, PNG, BMP, WebP or TIFF file"),
            std::string::npos)
      << refused.error().message();

  std::string dicom_behind_jpeg_start(132, '\1');
  dicom_behind_jpeg_start.replace(0, 3, "\xFF\xD8\x90");  // SOI, then no marker
  dicom_behind_jpeg_start.replace(128, 4, "DICM");        // what OpenCV's DICOM decoder checks
  EXPECT_FALSE(image_format(dicom_behind_jpeg_start));
  auto dicom = decode_image(dicom_behind_jpeg_start, kLimit);
  ASSERT_FALSE(dicom.ok());
  EXPECT_EQ(dicom.error().message(), "not a JPEG, PNG, BMP, WebP or TIFF file");
  EXPECT_FALSE(image_format("RIFF\x10\0\0\0WEBPVP8 "));  // shorter than a WebP header
  std::string webp_start_then_zeros(132, '\0');          // what libwebp refuses as a WebP header
  webp_start_then_zeros.replace(0, 16, std::string_view("RIFF\xD8\0\0\0WEBPVP8 ", 16));
  webp_start_then_zeros.replace(128, 4, "DICM");
  EXPECT_FALSE(image_format(webp_start_then_zeros));
}

TEST(ImageDecode, Issue10_UnreadableFilesSayWhatHappened) {
  TempDir dir;
  auto missing = read_image(dir / "missing.jpg", kLimit);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(), "'" + (dir / "missing.jpg").string() + "' does not exist");

  fs::create_directory(dir / "folder.jpg");
  auto folder = read_image(dir / "folder.jpg", kLimit);
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.error().message().find("is a directory"), std::string::npos);

  const fs::path locked = dir / "locked.jpg";
  fs::copy_file(media_path("images/lena.jpg"), locked);
  fs::permissions(locked, fs::perms::none);
  fs::permissions(dir.path(), fs::perms::all);  // nobody may enter the folder, not read the file
  const std::string message = fp::test::run_unprivileged([&] {
    auto result = read_image(locked, kLimit);
    return result.ok() ? std::string("read") : result.error().message();
  });
  EXPECT_EQ(message, "'" + locked.string() + "' cannot be opened: Permission denied");

  write_file(dir / "text.jpg", "this is text, not a JPEG\n");
  auto text = read_image(dir / "text.jpg", kLimit);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().message().find("not a JPEG, PNG, BMP, WebP or TIFF file"),
            std::string::npos)
      << text.error().message();
}

}  // namespace
}  // namespace fp::media
