// Fuzz target: image bytes in (media::decode_image), a picture or a clean error out. Whatever the
// bytes, a decoded picture is BGR and within the pixel limit, an error says something, and the
// header reader never reads past the data.
#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <string_view>

#include "fuzz_check.hpp"
#include "media/image_decode.hpp"
#include "media/image_header.hpp"

namespace {

// Small enough that no input can make the decoders take much memory, large enough for the seeds.
constexpr int64_t kMaxPixels = 1'000'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto header = fp::media::image_header_size(bytes);
  if (header) FUZZ_CHECK(header->width >= 0 && header->height >= 0);
  const auto decoded = fp::media::decode_image(bytes, kMaxPixels);
  if (!decoded.ok()) {
    FUZZ_CHECK(!decoded.error().message().empty());
    return 0;
  }
  FUZZ_CHECK(!decoded->image.empty() && decoded->image.type() == CV_8UC3);
  FUZZ_CHECK(static_cast<int64_t>(decoded->image.total()) <= kMaxPixels);
  return 0;
}
