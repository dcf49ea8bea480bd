// MOTChallenge text files: `frame,id,x,y,w,h,conf,...` with 1-based frames and boxes as
// top-left corner, width and height in pixels. Ground truth, detections (id -1, the detector's
// score in conf) and tracker results all use it.
//
// Reading rules (README "MOTChallenge files"):
// - A line with fewer than 6 fields, a field that is not a number, a non-finite number, a
//   coordinate or size beyond 1e9 pixels either way, a frame below 1 or a fractional frame or id
//   is an error naming the file and line.
// - Blank lines are ignored. Rows may come in any frame order; they are returned sorted by frame
//   (stable), and `unsorted` says that the file was not.
// - A box with zero or negative width or height cannot be matched or tracked: the row is skipped
//   and counted in `skipped_boxes` (with the first such line), never an error.
// - A file without rows is an error unless `allow_empty` (a tracker may rightly output nothing).
// - With `skip_zero_conf` (ground truth), rows whose conf is 0 are left out: MOT16 and later
//   mark boxes to ignore that way. They are counted in `skipped_ignored`.
// - The same id twice in one frame is an error when `unique_ids` (ground truth and results).
#pragma once

#include <cstdint>
#include <filesystem>
#include <istream>
#include <string>
#include <vector>

#include "core/detection.hpp"
#include "core/mot_row.hpp"
#include "core/result.hpp"

namespace fp::io {

struct MotReadOptions {
  bool allow_empty = false;
  bool skip_zero_conf = false;
  bool unique_ids = false;
};

struct MotFile {
  std::vector<MotRow> rows;  // sorted by frame
  bool unsorted = false;
  int64_t skipped_boxes = 0;
  int64_t first_skipped_line = 0;  // 1-based; 0 when nothing was skipped
  int64_t skipped_ignored = 0;
};

Result<MotFile> read_mot_file(const std::filesystem::path& path, const MotReadOptions& options);
// The same rules for MOT text read from `in`; `name` names it in messages.
Result<MotFile> read_mot_stream(std::istream& in, const std::string& name,
                                const MotReadOptions& options);

// Human-readable notes on what reading skipped or reordered (empty when nothing was).
std::vector<std::string> mot_read_notes(const std::filesystem::path& path, const MotFile& file);

// One MOTChallenge result line: `frame,id,x,y,w,h,conf,-1,-1,-1` (no newline).
std::string mot_line(int64_t frame, int64_t id, const Box& box, double conf);

}  // namespace fp::io
