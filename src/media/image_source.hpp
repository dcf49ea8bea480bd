// ImageSource: one image file, or a folder of images read in file-name order (see read_image).
//
// Each image is one frame: index is its position in the sorted list, pts is 0 (images have no
// time, so SourceOptions::start does not apply), Frame::file is its path. An image that cannot be
// decoded (or is over the pixel limit) becomes a skipped frame ("unreadable_image"), so one bad
// file never stops a folder; one decoded from damaged data is processed with Frame::damage set.
// Both are counted in the report and listed in SourceReport::damaged_files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <opencv2/core/mat.hpp>
#include <optional>
#include <string>
#include <vector>

#include "media/image_decode.hpp"
#include "media/source.hpp"

namespace fp::media {

// True for the extensions an ImageSource reads: jpg, jpeg, png, bmp, webp, tif, tiff (any case).
bool has_image_extension(const std::filesystem::path& path);

class ImageSource final : public Source {
 public:
  // `path` must exist; a folder is listed without recursing, and files that are not images are
  // ignored (counted in SourceReport::ignored_files, and logged once at warn
  // level with an example name). An image that cannot be decoded is a skipped frame, or the open
  // error when `path` is a single image. info().kind is "image" for a
  // file and "image_folder" for a folder.
  static Result<std::unique_ptr<ImageSource>> open(const std::string& path,
                                                   const SourceOptions& options);

  const SourceInfo& info() const override { return info_; }
  Result<std::optional<Frame>> next() override;
  SourceReport report() const override { return report_; }

 private:
  ImageSource(const std::string& path, const SourceOptions& options);
  Status list_folder();
  Result<DecodedImage> read_at(size_t position);

  SourceOptions options_;
  SourceInfo info_;
  SourceReport report_;
  std::vector<std::filesystem::path> files_;
  size_t next_ = 0;
  // The first readable image, decoded by open() for the size in info(); next() hands it out.
  DecodedImage first_image_;
  size_t first_image_position_ = 0;
};

}  // namespace fp::media
