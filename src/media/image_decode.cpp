#include "media/image_decode.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

// libjpeg's header needs size_t and FILE declared first.
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <exception>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "media/image_header.hpp"
#include "media/source.hpp"

extern "C" {
#include <jpeglib.h>
}

namespace fp::media {

namespace {

// Bytes per pixel of the largest uncompressed images OpenCV reads (16-bit RGBA TIFF), plus room
// for metadata: a file larger than this cannot be an image within the pixel limit.
constexpr int64_t kMaxBytesPerPixel = 8;
constexpr int64_t kMetadataBytes = 16 << 20;

struct JpegErrors {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  int64_t warnings = 0;
  char first_warning[JMSG_LENGTH_MAX] = {0};
  char fatal[JMSG_LENGTH_MAX] = {0};
};

void jpeg_fatal(j_common_ptr info) {
  auto* errors = reinterpret_cast<JpegErrors*>(info->err);
  (*info->err->format_message)(info, errors->fatal);
  std::longjmp(errors->jump, 1);
}

void jpeg_message(j_common_ptr info, int level) {
  if (level >= 0) return;  // trace messages
  auto* errors = reinterpret_cast<JpegErrors*>(info->err);
  if (errors->warnings++ == 0) (*info->err->format_message)(info, errors->first_warning);
}

void jpeg_silent(j_common_ptr) {}

// libjpeg's warnings on a 1/8-scale decode of the whole file, or its fatal error: the first
// message, empty if none (a 1/8 scale still reads every entropy-coded block, where damage shows).
// `size` receives the dimensions libjpeg reads from the header (it skips garbage our own header
// walk stops at), also when it fails after them; over `max_pixels` nothing is decoded.
std::string jpeg_damage(std::string_view bytes, int64_t max_pixels,
                        std::optional<ImageSize>& size) {
  jpeg_decompress_struct info;
  JpegErrors errors;
  info.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = jpeg_fatal;
  errors.base.emit_message = jpeg_message;
  errors.base.output_message = jpeg_silent;
  std::vector<JSAMPLE> row;  // declared before setjmp: a longjmp must not skip its destructor
  if (setjmp(errors.jump)) {
    // A frame header read before the error is what OpenCV's decoder allocates: where our source
    // sees the data end and fails, its own suspends and goes on.
    if (!size && (info.image_width > 0 || info.image_height > 0)) {
      size = ImageSize{static_cast<int64_t>(info.image_width),
                       static_cast<int64_t>(info.image_height)};
    }
    jpeg_destroy_decompress(&info);
    return errors.fatal;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  size = ImageSize{static_cast<int64_t>(info.image_width), static_cast<int64_t>(info.image_height)};
  if (static_cast<double>(size->width) * static_cast<double>(size->height) >
      static_cast<double>(max_pixels)) {
    jpeg_destroy_decompress(&info);
    return "";
  }
  info.scale_num = 1;
  info.scale_denom = 8;
  info.dct_method = JDCT_IFAST;
  info.do_fancy_upsampling = FALSE;
  jpeg_start_decompress(&info);
  row.resize(static_cast<size_t>(info.output_width) * info.output_components);
  JSAMPROW rows[1] = {row.data()};
  while (info.output_scanline < info.output_height) jpeg_read_scanlines(&info, rows, 1);
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return errors.warnings > 0 ? errors.first_warning : "";
}

// cv::imdecode returns an empty Mat for most bad data but throws for some (OpenCV 4.6 checks a
// header's claimed size outside its own try). A hostile file must never escape as an exception.
cv::Mat opencv_decode(std::string_view bytes, std::string& problem) {
  try {
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data()));
    cv::Mat image = cv::imdecode(buffer, cv::IMREAD_COLOR);
    if (image.empty()) problem = "corrupt: the decoder read no picture";
    return image;
  } catch (const cv::Exception& e) {
    problem = "OpenCV refused it: " + (e.err.empty() ? std::string(e.what()) : e.err);
  } catch (const std::exception& e) {
    problem = std::string("OpenCV failed: ") + e.what();
  }
  return cv::Mat();
}

Result<std::string> read_bytes(const std::filesystem::path& path, int64_t max_pixels) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) return Error("'" + path.string() + "' does not exist");
    return Error("'" + path.string() + "' cannot be opened: " + std::strerror(error));
  }
  struct stat info {};
  std::string bytes;
  std::string problem;
  if (::fstat(fd, &info) != 0) {
    problem = std::strerror(errno);
  } else if (S_ISDIR(info.st_mode)) {
    problem = "is a directory, not an image";
  } else if (info.st_size > max_pixels * kMaxBytesPerPixel + kMetadataBytes) {
    problem = "is " + std::to_string(info.st_size >> 20) +
              " MiB, more than any image within the limit of " +
              std::to_string(max_pixels / 1000000) + " megapixels (source.max_megapixels)";
  } else {
    bytes.resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) problem = std::string("cannot be read: ") + std::strerror(errno);
      if (got <= 0) break;
      done += static_cast<size_t>(got);
    }
    bytes.resize(done);  // a file that shrank while being read is decoded as it was read
  }
  ::close(fd);
  if (!problem.empty()) return Error("'" + path.string() + "' " + problem);
  return bytes;
}

}  // namespace

Result<DecodedImage> decode_image(std::string_view bytes, int64_t max_pixels) {
  const std::optional<ImageFormat> format = image_format(bytes);
  if (!format) return Error("not a JPEG, PNG, BMP, WebP or TIFF file");
  std::optional<ImageSize> size = image_header_size(bytes);
  DecodedImage out;
  if (format == ImageFormat::kJpeg) {
    std::optional<ImageSize> jpeg_size;
    out.damage = jpeg_damage(bytes, max_pixels, jpeg_size);
    if (jpeg_size) size = jpeg_size;  // what the decoder will allocate
  }
  // Without a size the pixel limit cannot hold: OpenCV would allocate what its decoder reads.
  if (!size) {
    if (!out.damage.empty()) return Error("damaged JPEG: " + out.damage);
    return Error("its header is broken: it gives no picture size");
  }
  // In doubles: a TIFF may claim 4294967295 x 4294967295, whose product overflows int64.
  if (static_cast<double>(size->width) * static_cast<double>(size->height) >
      static_cast<double>(max_pixels)) {
    return Error(pixel_limit_message("the image", size->width, size->height, max_pixels));
  }
  std::string problem;
  out.image = opencv_decode(bytes, problem);
  if (out.image.empty() && !out.damage.empty()) problem = "damaged JPEG: " + out.damage;
  if (out.image.empty()) return Error(problem);
  return out;
}

Result<DecodedImage> read_image(const std::filesystem::path& path, int64_t max_pixels) {
  FP_ASSIGN_OR_RETURN(std::string bytes, read_bytes(path, max_pixels));
  auto decoded = decode_image(bytes, max_pixels);
  if (!decoded.ok()) return Error("'" + path.string() + "': " + decoded.error().message());
  return decoded;
}

}  // namespace fp::media
