// The width and height an image file claims, read from its header alone (no pixel decoded), so a
// limit can be checked before a decoder allocates what a hostile header asks for.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace fp::media {

struct ImageSize {
  int64_t width = 0;
  int64_t height = 0;
};

// The formats framepipe decodes. OpenCV picks its decoder by probing every decoder it was built
// with (DICOM, JPEG 2000, OpenEXR, PFM, ...), and some of those abort on hostile bytes; only bytes
// that start with the exact signature OpenCV's decoder for one of these formats checks are handed
// to it.
enum class ImageFormat { kJpeg, kPng, kBmp, kWebp, kTiff };

// The format whose OpenCV signature `bytes` starts with; std::nullopt for anything else.
std::optional<ImageFormat> image_format(std::string_view bytes);

// For JPEG, PNG, BMP, WebP and TIFF (little and big endian, first image); std::nullopt for other
// formats and for headers too short or malformed to say.
std::optional<ImageSize> image_header_size(std::string_view bytes);

}  // namespace fp::media
