#include "media/image_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <system_error>

namespace fp::media {

namespace fs = std::filesystem;

namespace {

constexpr const char* kUnreadable = "corrupt or not an image";

// cv::imread returns an empty Mat for most bad files, but throws for some (OpenCV 4.6 checks a
// header's claimed size outside its own try: a BMP claiming 100000x100000 pixels throws). A hostile
// file must never escape as an exception; `problem` gets why the image is empty.
cv::Mat read_image_file(const fs::path& path, std::string& problem) {
  try {
    cv::Mat image = cv::imread(path.string(), cv::IMREAD_COLOR);
    if (image.empty()) problem = kUnreadable;
    return image;
  } catch (const cv::Exception& e) {
    problem = "OpenCV refused it: " + (e.err.empty() ? std::string(e.what()) : e.err);
  } catch (const std::exception& e) {
    problem = std::string("OpenCV failed: ") + e.what();
  }
  return cv::Mat();
}

}  // namespace

bool has_image_extension(const fs::path& path) {
  static constexpr std::array<const char*, 7> kExtensions = {".jpg",  ".jpeg", ".png", ".bmp",
                                                             ".webp", ".tif",  ".tiff"};
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

ImageSource::ImageSource(const std::string& path, const SourceOptions& options)
    : options_(options) {
  info_.uri = path;
  info_.codec = "image";
}

Result<std::unique_ptr<ImageSource>> ImageSource::open(const std::string& path,
                                                       const SourceOptions& options) {
  std::unique_ptr<ImageSource> source(new ImageSource(path, options));
  std::error_code error;
  if (fs::is_directory(path, error)) {
    source->info_.kind = "image_folder";
    FP_RETURN_IF_ERROR(source->list_folder());
  } else {
    source->info_.kind = "image";
    source->files_.push_back(path);
  }
  source->info_.expected_frames = static_cast<int64_t>(source->files_.size());

  // Decode up to the first readable image now: info() promises its size before next() is called.
  std::string problem;
  for (size_t position = 0; position < source->files_.size(); ++position) {
    cv::Mat image = read_image_file(source->files_[position], problem);
    if (image.empty()) continue;
    source->info_.width = image.cols;
    source->info_.height = image.rows;
    source->first_image_ = std::move(image);
    source->first_image_position_ = position;
    break;
  }
  if (source->info_.kind == "image" && source->first_image_.empty()) {
    return Error("input '" + path + "' is not an image OpenCV can read (" + problem + ")");
  }
  return source;
}

Status ImageSource::list_folder() {
  std::error_code error;
  fs::directory_iterator it(info_.uri, error);
  if (error) return Error("cannot list folder '" + info_.uri + "': " + error.message());
  fs::path ignored_example;  // the first ignored file by name, so the log line is reproducible
  for (const fs::directory_entry& entry : it) {
    std::error_code entry_error;
    if (!entry.is_regular_file(entry_error)) continue;
    if (has_image_extension(entry.path())) {
      files_.push_back(entry.path());
    } else {
      ++report_.ignored_files;
      if (ignored_example.empty() || entry.path().filename() < ignored_example) {
        ignored_example = entry.path().filename();
      }
    }
  }
  if (files_.empty()) {
    return Error("folder '" + info_.uri +
                 "' contains no images (looked for jpg, jpeg, png, bmp, webp, tif, tiff)");
  }
  std::sort(files_.begin(), files_.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  if (report_.ignored_files > 0) {
    spdlog::warn(
        "folder '{}': ignored {} file{} that {} not an image by extension (e.g. '{}'); reading {} "
        "images",
        info_.uri, report_.ignored_files, report_.ignored_files == 1 ? "" : "s",
        report_.ignored_files == 1 ? "is" : "are", ignored_example.string(), files_.size());
  }
  return ok_status();
}

cv::Mat ImageSource::read_image(size_t position, std::string& problem) {
  if (position == first_image_position_ && !first_image_.empty()) return std::move(first_image_);
  return read_image_file(files_[position], problem);
}

Result<std::optional<Frame>> ImageSource::next() {
  if (next_ >= files_.size()) return std::optional<Frame>();
  if (options_.cancel && options_.cancel->load(std::memory_order_relaxed)) {
    next_ = files_.size();  // cancelled: the input ends here, as SourceOptions::cancel promises
    return std::optional<Frame>();
  }
  const size_t position = next_++;
  Frame frame;
  frame.stream = options_.stream_id;
  frame.index = static_cast<int64_t>(position);
  frame.file = files_[position].string();
  std::string problem;
  frame.image = read_image(position, problem);
  ++report_.frames;
  if (frame.image.empty()) {
    frame.skip_reason = "unreadable_image";
    ++report_.skipped_frames;
    ++report_.decode_errors;
    report_.last_error = "image '" + frame.file + "' cannot be read (" +
                         (problem.empty() ? std::string(kUnreadable) : problem) + ")";
  } else {
    report_.last_good_frame = frame.index;
  }
  return std::optional<Frame>(std::move(frame));
}

}  // namespace fp::media
