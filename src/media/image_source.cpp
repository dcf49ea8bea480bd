#include "media/image_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <opencv2/imgcodecs.hpp>
#include <system_error>

namespace fp::media {

namespace fs = std::filesystem;

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
  for (size_t position = 0; position < source->files_.size(); ++position) {
    cv::Mat image = cv::imread(source->files_[position].string(), cv::IMREAD_COLOR);
    if (image.empty()) continue;
    source->info_.width = image.cols;
    source->info_.height = image.rows;
    source->first_image_ = std::move(image);
    source->first_image_position_ = position;
    break;
  }
  if (source->info_.kind == "image" && source->first_image_.empty()) {
    return Error("input '" + path + "' is not an image OpenCV can read (corrupt or not an image)");
  }
  return source;
}

Status ImageSource::list_folder() {
  std::error_code error;
  fs::directory_iterator it(info_.uri, error);
  if (error) return Error("cannot list folder '" + info_.uri + "': " + error.message());
  for (const fs::directory_entry& entry : it) {
    std::error_code entry_error;
    if (!entry.is_regular_file(entry_error)) continue;
    if (has_image_extension(entry.path())) {
      files_.push_back(entry.path());
    } else {
      ++ignored_files_;
    }
  }
  if (files_.empty()) {
    return Error("folder '" + info_.uri +
                 "' contains no images (looked for jpg, jpeg, png, bmp, webp, tif, tiff)");
  }
  std::sort(files_.begin(), files_.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  if (ignored_files_ > 0) {
    spdlog::info("folder '{}': {} images, {} other files ignored", info_.uri, files_.size(),
                 ignored_files_);
  }
  return ok_status();
}

cv::Mat ImageSource::read_image(size_t position) {
  if (position == first_image_position_ && !first_image_.empty()) return std::move(first_image_);
  return cv::imread(files_[position].string(), cv::IMREAD_COLOR);
}

Result<std::optional<Frame>> ImageSource::next() {
  if (next_ >= files_.size()) return std::optional<Frame>();
  const size_t position = next_++;
  Frame frame;
  frame.stream = options_.stream_id;
  frame.index = static_cast<int64_t>(position);
  frame.file = files_[position].string();
  frame.image = read_image(position);
  ++report_.frames;
  if (frame.image.empty()) {
    frame.skip_reason = "unreadable_image";
    ++report_.skipped_frames;
    ++report_.decode_errors;
    report_.last_error = "image '" + frame.file + "' cannot be read (corrupt or not an image)";
  } else {
    report_.last_good_frame = frame.index;
  }
  return std::optional<Frame>(std::move(frame));
}

}  // namespace fp::media
