#include "media/image_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
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
    auto image = read_image(source->files_[position], options.max_pixels);
    if (!image.ok() && source->info_.kind == "image") {
      return Error("input " + image.error().message());
    }
    if (!image.ok()) continue;
    source->info_.width = image->image.cols;
    source->info_.height = image->image.rows;
    source->first_image_ = std::move(image).value();
    source->first_image_position_ = position;
    break;
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

Result<DecodedImage> ImageSource::read_at(size_t position) {
  if (position == first_image_position_ && !first_image_.image.empty()) {
    return std::move(first_image_);
  }
  return read_image(files_[position], options_.max_pixels);
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
  auto image = read_at(position);
  ++report_.frames;
  if (!image.ok()) {
    frame.skip_reason = "unreadable_image";
    ++report_.skipped_frames;
    ++report_.decode_errors;
    report_.last_error = "image " + image.error().message();
    report_.add_damaged_file(frame.file, image.error().message());
    return std::optional<Frame>(std::move(frame));
  }
  frame.image = std::move(image->image);
  frame.damage = std::move(image->damage);
  if (!frame.damage.empty()) {
    ++report_.damaged_images;
    report_.last_error = "image '" + frame.file + "' is damaged: " + frame.damage;
    report_.add_damaged_file(frame.file, frame.damage);
  } else {
    report_.last_good_frame = frame.index;
  }
  return std::optional<Frame>(std::move(frame));
}

}  // namespace fp::media
