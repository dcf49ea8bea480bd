// Fuzz target: MOTChallenge text (io::read_mot_stream). Any bytes either fail with an error that
// names the file, or give rows that follow the reading rules of mot_file.hpp, read once as
// detections (defaults) and once as ground truth (every option on).
#include <cmath>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "fuzz_check.hpp"
#include "io/mot_file.hpp"

namespace {

constexpr const char* kFile = "fuzz.txt";

bool finite(const fp::Box& box) {
  return std::isfinite(box.x1) && std::isfinite(box.y1) && std::isfinite(box.x2) &&
         std::isfinite(box.y2);
}

void check_accepted(const fp::io::MotFile& file, const fp::io::MotReadOptions& options) {
  FUZZ_CHECK(!file.rows.empty() || options.allow_empty);
  FUZZ_CHECK((file.skipped_boxes == 0) == (file.first_skipped_line == 0));
  FUZZ_CHECK(options.skip_zero_conf || file.skipped_ignored == 0);
  std::set<std::pair<int64_t, int64_t>> frame_ids;
  int64_t previous_frame = 1;
  for (const fp::MotRow& row : file.rows) {
    FUZZ_CHECK(row.frame >= 1 && row.frame >= previous_frame);
    previous_frame = row.frame;
    FUZZ_CHECK(row.w > 0 && row.h > 0);
    FUZZ_CHECK(std::isfinite(row.conf));
    FUZZ_CHECK(!options.skip_zero_conf || row.conf != 0);
    // Trackers and metrics work on float boxes: an accepted row must stay finite there.
    const fp::Box box = row.box();
    FUZZ_CHECK(finite(box) && box.width() >= 0 && box.height() >= 0);
    FUZZ_CHECK(!fp::io::mot_line(row.frame, row.id, box, row.conf).empty());
    if (options.unique_ids) FUZZ_CHECK(frame_ids.insert({row.frame, row.id}).second);
  }
  fp::io::mot_read_notes(kFile, file);
}

void read_with(const std::string& text, const fp::io::MotReadOptions& options) {
  std::istringstream in(text);
  const auto file = fp::io::read_mot_stream(in, kFile, options);
  if (!file.ok()) {
    FUZZ_CHECK(file.error().message().rfind(kFile, 0) == 0);
    return;
  }
  check_accepted(*file, options);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  read_with(text, {});
  read_with(text, {.allow_empty = true, .skip_zero_conf = true, .unique_ids = true});
  return 0;
}
