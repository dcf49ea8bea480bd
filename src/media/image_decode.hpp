// Decoding one image: the pixel limit is checked from the header before any pixel is decoded, and
// damage the decoder works around (corrupt data, a file cut short) is found and described instead
// of passing as a whole picture.
//
// Pixels come from OpenCV's imdecode (so EXIF orientation and every format OpenCV reads behave as
// cv::imread does). JPEG decoders conceal damage with grey blocks and only warn, so a JPEG is
// also run through libjpeg at 1/8 scale (entropy decoding in full, almost no pixel work) to
// collect its warnings. Other formats fail outright on damage and are reported unreadable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <opencv2/core/mat.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace fp::media {

struct DecodedImage {
  cv::Mat image;       // BGR, 8 bits per channel
  std::string damage;  // empty for a clean image, else what the decoder found (first warning)
};

// Bytes of an image in memory. An Error says why there is no picture: over the pixel limit (size
// and limit named), not an image of a known format, or damaged beyond decoding.
Result<DecodedImage> decode_image(std::string_view bytes, int64_t max_pixels);

// Reads and decodes an image file. Errors name the path and say what happened: does not exist,
// permission denied, is a directory, too large to be an image within the limit, or decode_image's.
Result<DecodedImage> read_image(const std::filesystem::path& path, int64_t max_pixels);

}  // namespace fp::media
