#include "pipeline/tiling.hpp"

#include "vision/slicing.hpp"

namespace fp::pipeline {

namespace {

constexpr int kMaxSide = 8192;
constexpr int kMaxGrid = 32;

// `key` as [a, b], each from `low` to `high`.
Result<std::optional<cv::Size>> read_pair(const YamlMap& tiles, const char* key, int low, int high,
                                          const char* what) {
  if (!tiles.has(key)) return std::optional<cv::Size>();
  std::vector<int> pair;
  FP_RETURN_IF_ERROR(tiles.read(key, pair));
  if (pair.size() != 2 || pair[0] < low || pair[1] < low || pair[0] > high || pair[1] > high) {
    return tiles.error_at(key, std::string("'") + key + "' must be [" + what + "], each from " +
                                   std::to_string(low) + " to " + std::to_string(high));
  }
  return std::optional<cv::Size>(cv::Size(pair[0], pair[1]));
}

}  // namespace

Result<TileOptions> TileOptions::read(const YamlMap& tiles) {
  FP_RETURN_IF_ERROR(
      tiles.check_keys({"size", "grid", "overlap", "global", "merge", "match", "threshold"}));
  TileOptions o;
  FP_ASSIGN_OR_RETURN(o.size, read_pair(tiles, "size", 32, kMaxSide, "width, height"));
  FP_ASSIGN_OR_RETURN(o.grid, read_pair(tiles, "grid", 1, kMaxGrid, "columns, rows"));
  if (o.size.has_value() == o.grid.has_value()) {
    return tiles.error_at(nullptr,
                          "'tiles' needs either 'size: [width, height]' or "
                          "'grid: [columns, rows]'");
  }
  FP_RETURN_IF_ERROR(tiles.read("overlap", o.overlap));
  if (!(o.overlap >= 0 && o.overlap <= 0.9)) {
    return tiles.error_at("overlap", "'overlap' must be from 0 to 0.9 (a share of a tile)");
  }
  FP_RETURN_IF_ERROR(tiles.read("global", o.global));
  FP_RETURN_IF_ERROR(o.merge.read(tiles));
  return o;
}

std::vector<cv::Rect> TileOptions::regions(cv::Size frame) const {
  std::vector<cv::Rect> out = size ? vision::slice_plan(frame, *size, overlap)
                                   : vision::grid_plan(frame, grid->width, grid->height, overlap);
  if (global) out.emplace_back(0, 0, frame.width, frame.height);
  return out;
}

}  // namespace fp::pipeline
