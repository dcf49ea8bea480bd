#include "io/mot_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace fp::io {

namespace {

constexpr double kMaxCoordinate = 1e9;  // pixels; far beyond any image, and finite as a float sum

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return std::string(text.substr(first, last - first + 1));
}

Result<double> parse_number(const std::string& field) {
  double value = 0;
  const char* end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, value);
  if (field.empty() || ec != std::errc() || ptr != end) {
    return Error("'" + field + "' is not a number");
  }
  if (!std::isfinite(value)) return Error("'" + field + "' is not a finite number");
  return value;
}

Result<int64_t> parse_integer(const std::string& field, const char* what) {
  FP_ASSIGN_OR_RETURN(double value, parse_number(field));
  if (value != std::floor(value) || std::abs(value) > 1e15) {
    return Error(std::string(what) + " '" + field + "' is not a whole number");
  }
  return static_cast<int64_t>(value);
}

// Splits on commas (MOTChallenge) or, when a line has none, on whitespace.
std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  if (line.find(',') != std::string::npos) {
    std::stringstream in(line);
    std::string field;
    while (std::getline(in, field, ',')) fields.push_back(trim(field));
  } else {
    std::stringstream in(line);
    std::string field;
    while (in >> field) fields.push_back(field);
  }
  return fields;
}

Result<MotRow> parse_row(const std::string& line) {
  const std::vector<std::string> fields = split_fields(line);
  if (fields.size() < 6) {
    return Error("expected at least 6 comma-separated fields (frame,id,x,y,w,h), found " +
                 std::to_string(fields.size()));
  }
  MotRow row;
  FP_ASSIGN_OR_RETURN(row.frame, parse_integer(fields[0], "frame"));
  if (row.frame < 1) return Error("frame " + fields[0] + " is below 1 (frames are 1-based)");
  FP_ASSIGN_OR_RETURN(row.id, parse_integer(fields[1], "id"));
  const char* names[] = {"x", "y", "w", "h"};
  double* values[] = {&row.x, &row.y, &row.w, &row.h};
  for (int i = 0; i < 4; ++i) {
    auto value = parse_number(fields[2 + i]);
    if (!value.ok()) return value.error().with_context(names[i]);
    // Boxes are floats from here on (trackers, metrics): a larger value would become infinite.
    if (std::abs(*value) > kMaxCoordinate) {
      return Error(std::string(names[i]) + " '" + fields[2 + i] +
                   "' is out of range (at most 1e9 pixels either way)");
    }
    *values[i] = *value;
  }
  row.conf = 1.0;
  if (fields.size() > 6) {
    auto conf = parse_number(fields[6]);
    if (!conf.ok()) return conf.error().with_context("conf");
    row.conf = *conf;
  }
  return row;
}

}  // namespace

Result<MotFile> read_mot_file(const std::filesystem::path& path, const MotReadOptions& options) {
  std::ifstream in(path);
  if (!in) return Error("cannot open MOT file " + path.string());
  return read_mot_stream(in, path.string(), options);
}

Result<MotFile> read_mot_stream(std::istream& in, const std::string& name,
                                const MotReadOptions& options) {
  MotFile file;
  std::string line;
  int64_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (trim(line).empty()) continue;
    auto row = parse_row(line);
    if (!row.ok()) {
      return Error(name + ":" + std::to_string(line_number) + ": " + row.error().message());
    }
    if (!(row->w > 0 && row->h > 0)) {
      if (file.skipped_boxes++ == 0) file.first_skipped_line = line_number;
      continue;
    }
    if (options.skip_zero_conf && row->conf == 0) {
      ++file.skipped_ignored;
      continue;
    }
    if (!file.rows.empty() && row->frame < file.rows.back().frame) file.unsorted = true;
    file.rows.push_back(*row);
  }
  if (in.bad()) return Error("cannot read MOT file " + name);
  if (file.rows.empty() && !options.allow_empty) {
    return Error(name +
                 ": no usable rows (a MOTChallenge file has lines like "
                 "'frame,id,x,y,w,h,conf,...')");
  }
  std::stable_sort(file.rows.begin(), file.rows.end(),
                   [](const MotRow& a, const MotRow& b) { return a.frame < b.frame; });
  if (options.unique_ids) {
    for (size_t i = 1; i < file.rows.size(); ++i) {
      for (size_t j = i; j-- > 0 && file.rows[j].frame == file.rows[i].frame;) {
        if (file.rows[j].id == file.rows[i].id) {
          return Error(name + ": id " + std::to_string(file.rows[i].id) +
                       " appears twice in frame " + std::to_string(file.rows[i].frame));
        }
      }
    }
  }
  return file;
}

std::vector<std::string> mot_read_notes(const std::filesystem::path& path, const MotFile& file) {
  std::vector<std::string> notes;
  if (file.skipped_boxes > 0) {
    notes.push_back(path.string() + ": skipped " + std::to_string(file.skipped_boxes) +
                    " row(s) with zero or negative width or height (first at line " +
                    std::to_string(file.first_skipped_line) + ")");
  }
  if (file.skipped_ignored > 0) {
    notes.push_back(path.string() + ": left out " + std::to_string(file.skipped_ignored) +
                    " row(s) marked to ignore (conf 0)");
  }
  if (file.unsorted) {
    notes.push_back(path.string() + ": rows were not in frame order; they were sorted by frame");
  }
  return notes;
}

std::string mot_line(int64_t frame, int64_t id, const Box& box, double conf) {
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer), "%lld,%lld,%.2f,%.2f,%.2f,%.2f,%.4g,-1,-1,-1",
                static_cast<long long>(frame), static_cast<long long>(id), box.x1, box.y1,
                box.width(), box.height(), conf);
  return buffer;
}

}  // namespace fp::io
