#include "media/image_header.hpp"

#include <webp/decode.h>

#include <cstdlib>

namespace fp::media {

namespace {

// Reads unsigned integers of 1..4 bytes at `offset`; false when the data is too short.
class ByteReader {
 public:
  ByteReader(std::string_view bytes, bool little_endian) : bytes_(bytes), little_(little_endian) {}
  bool has(size_t offset, size_t size) const {
    return offset <= bytes_.size() && size <= bytes_.size() - offset;
  }
  uint32_t get(size_t offset, int size) const {
    uint32_t value = 0;
    for (int i = 0; i < size; ++i) {
      const auto byte = static_cast<uint8_t>(bytes_[offset + (little_ ? size - 1 - i : i)]);
      value = (value << 8) | byte;
    }
    return value;
  }

 private:
  std::string_view bytes_;
  bool little_;
};

bool starts_with(std::string_view bytes, std::string_view magic, size_t offset = 0) {
  return bytes.size() >= offset + magic.size() && bytes.substr(offset, magic.size()) == magic;
}

std::optional<ImageSize> jpeg_size(std::string_view bytes) {
  const ByteReader r(bytes, false);
  size_t at = 2;  // after SOI
  while (r.has(at, 4)) {
    if (r.get(at, 1) != 0xFF) return std::nullopt;
    const uint32_t marker = r.get(at + 1, 1);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
      at += 2;
      continue;
    }
    const uint32_t length = r.get(at + 2, 2);
    if (length < 2) return std::nullopt;
    // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) are other markers.
    const bool is_frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (is_frame) {
      if (!r.has(at + 5, 4)) return std::nullopt;
      return ImageSize{r.get(at + 7, 2), r.get(at + 5, 2)};
    }
    if (marker == 0xDA || marker == 0xD9) return std::nullopt;  // scan or end before a frame
    at += 2 + length;
  }
  return std::nullopt;
}

std::optional<ImageSize> png_size(std::string_view bytes) {
  const ByteReader r(bytes, false);
  if (!r.has(16, 8) || !starts_with(bytes, "IHDR", 12)) return std::nullopt;
  return ImageSize{r.get(16, 4), r.get(20, 4)};
}

std::optional<ImageSize> bmp_size(std::string_view bytes) {
  const ByteReader r(bytes, true);
  if (!r.has(14, 4)) return std::nullopt;
  const uint32_t header = r.get(14, 4);
  if (header == 12) {  // OS/2 BITMAPCOREHEADER: 16-bit sizes
    if (!r.has(18, 4)) return std::nullopt;
    return ImageSize{r.get(18, 2), r.get(20, 2)};
  }
  if (!r.has(18, 8)) return std::nullopt;
  // Signed: a negative height means rows stored top-down.
  const auto width = static_cast<int32_t>(r.get(18, 4));
  const auto height = static_cast<int32_t>(r.get(22, 4));
  return ImageSize{std::llabs(width), std::llabs(height)};
}

// What libwebp's WebPGetFeatures reads from the first 32 bytes, as OpenCV's WebP decoder does:
// RIFF containers (VP8, VP8L, VP8X) and bare bitstreams alike.
std::optional<ImageSize> webp_size(std::string_view bytes) {
  constexpr size_t kWebpHeader = 32;
  WebPBitstreamFeatures features;
  if (bytes.size() < kWebpHeader || WebPGetFeatures(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                    kWebpHeader, &features) != VP8_STATUS_OK) {
    return std::nullopt;
  }
  return ImageSize{features.width, features.height};
}

std::optional<ImageSize> tiff_size(std::string_view bytes) {
  const ByteReader r(bytes, bytes[0] == 'I');
  if (!r.has(4, 4)) return std::nullopt;
  const size_t ifd = r.get(4, 4);
  if (!r.has(ifd, 2)) return std::nullopt;
  const uint32_t entries = r.get(ifd, 2);
  int64_t width = -1;
  int64_t height = -1;
  for (uint32_t i = 0; i < entries; ++i) {
    const size_t entry = ifd + 2 + 12 * static_cast<size_t>(i);
    if (!r.has(entry, 12)) return std::nullopt;
    const uint32_t tag = r.get(entry, 2);
    const uint32_t type = r.get(entry + 2, 2);
    if (tag != 256 && tag != 257) continue;
    // SHORT values sit in the first two bytes of the value field, LONG in all four.
    const int64_t value = type == 3 ? r.get(entry + 8, 2) : type == 4 ? r.get(entry + 8, 4) : -1;
    if (value < 0) return std::nullopt;
    int64_t& size = tag == 256 ? width : height;
    if (size < 0) size = value;  // libtiff ignores a tag's later duplicates
  }
  if (width < 0 || height < 0) return std::nullopt;
  return ImageSize{width, height};
}

}  // namespace

std::optional<ImageFormat> image_format(std::string_view bytes) {
  // The signatures of OpenCV 4.6's decoders (grfmt_*.cpp), no looser: WebP is what libwebp's
  // WebPGetFeatures accepts in the first 32 bytes; classic TIFF only.
  if (starts_with(bytes, "\xFF\xD8\xFF")) return ImageFormat::kJpeg;
  if (starts_with(bytes, "\x89PNG\r\n\x1A\n")) return ImageFormat::kPng;
  if (starts_with(bytes, "BM")) return ImageFormat::kBmp;
  if (webp_size(bytes)) return ImageFormat::kWebp;
  if (starts_with(bytes, std::string_view("II*\0", 4)) ||
      starts_with(bytes, std::string_view("MM\0*", 4))) {
    return ImageFormat::kTiff;
  }
  return std::nullopt;
}

std::optional<ImageSize> image_header_size(std::string_view bytes) {
  if (starts_with(bytes, "\xFF\xD8")) return jpeg_size(bytes);
  if (starts_with(bytes, "\x89PNG\r\n\x1A\n")) return png_size(bytes);
  if (starts_with(bytes, "BM")) return bmp_size(bytes);
  if (starts_with(bytes, std::string_view("II*\0", 4)) ||
      starts_with(bytes, std::string_view("MM\0*", 4))) {
    return tiff_size(bytes);
  }
  return webp_size(bytes);
}

}  // namespace fp::media
