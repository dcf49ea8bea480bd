#include "media/source.hpp"

#include <cctype>
#include <filesystem>
#include <system_error>

#include "media/ffmpeg_source.hpp"
#include "media/image_source.hpp"

namespace fp::media {

namespace fs = std::filesystem;

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
