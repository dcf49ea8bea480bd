#include "media/source.hpp"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "media/ffmpeg_source.hpp"
#include "media/image_source.hpp"

namespace fp::media {

namespace fs = std::filesystem;

void SourceReport::add_damaged(int64_t index, double pts) {
  const bool continues = damaged_range_count > 0 && last_damaged_frame + 1 == index;
  last_damaged_frame = index;
  if (!continues) {
    ++damaged_range_count;
    if (damaged_ranges.size() < kMaxDamagedRanges)
      damaged_ranges.push_back({index, index, pts, pts});
  } else if (damaged_range_count == static_cast<int64_t>(damaged_ranges.size())) {
    damaged_ranges.back().last_frame = index;
    damaged_ranges.back().last_pts = pts;
  }
}

void SourceReport::add_damaged_file(const std::string& file, const std::string& problem) {
  if (damaged_files.size() < kMaxDamagedRanges) damaged_files.push_back({file, problem});
}

std::string pixel_limit_message(const std::string& what, int64_t width, int64_t height,
                                int64_t max_pixels) {
  char text[160];
  std::snprintf(text, sizeof(text),
                " is %lldx%lld pixels (%.1f megapixels), over the limit of %.1f megapixels "
                "(source.max_megapixels)",
                static_cast<long long>(width), static_cast<long long>(height),
                static_cast<double>(width) * static_cast<double>(height) / 1e6,
                static_cast<double>(max_pixels) / 1e6);
  return what + text;
}

bool is_stream_uri(const std::string& uri) {
  // A scheme is a letter followed by letters, digits, '+', '-' or '.', then "://".
  const size_t colon = uri.find("://");
  if (colon == std::string::npos || colon < 2) return false;
  if (!std::isalpha(static_cast<unsigned char>(uri[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    const auto c = static_cast<unsigned char>(uri[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

Result<std::unique_ptr<Source>> open_source(const std::string& uri, const SourceOptions& options) {
  if (is_stream_uri(uri)) {
    FP_ASSIGN_OR_RETURN(auto source, FfmpegSource::open(uri, options));
    return std::unique_ptr<Source>(std::move(source));
  }
  std::error_code error;
  const fs::file_status status = fs::status(uri, error);
  if (!fs::exists(status)) return Error("input '" + uri + "' does not exist");
  if (fs::is_directory(status) || has_image_extension(uri)) {
    FP_ASSIGN_OR_RETURN(auto source, ImageSource::open(uri, options));
    return std::unique_ptr<Source>(std::move(source));
  }
  FP_ASSIGN_OR_RETURN(auto source, FfmpegSource::open(uri, options));
  return std::unique_ptr<Source>(std::move(source));
}

}  // namespace fp::media
