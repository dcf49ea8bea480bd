#include "vision/slicing.hpp"

#include <algorithm>
#include <cmath>

namespace fp::vision {

namespace {

// Starts of the tiles along one side.
std::vector<int> starts(int side, int tile, double overlap) {
  if (tile >= side) return {0};
  const int step = std::max(1, static_cast<int>(std::lround(tile * (1.0 - overlap))));
  std::vector<int> out;
  for (int at = 0; at + tile < side; at += step) out.push_back(at);
  out.push_back(side - tile);  // the last tile ends at the edge
  return out;
}

// The tile side that makes `count` tiles overlapping by `overlap` span `side`.
int fitted(int side, int count, double overlap) {
  if (count <= 1) return side;
  return std::min(side, static_cast<int>(std::ceil(side / (count - (count - 1) * overlap))));
}

}  // namespace

std::vector<cv::Rect> slice_plan(cv::Size frame, cv::Size tile, double overlap) {
  const int w = std::min(tile.width, frame.width), h = std::min(tile.height, frame.height);
  std::vector<cv::Rect> tiles;
  for (int y : starts(frame.height, tile.height, overlap)) {
    for (int x : starts(frame.width, tile.width, overlap)) tiles.emplace_back(x, y, w, h);
  }
  return tiles;
}

std::vector<cv::Rect> grid_plan(cv::Size frame, int columns, int rows, double overlap) {
  return slice_plan(
      frame, cv::Size(fitted(frame.width, columns, overlap), fitted(frame.height, rows, overlap)),
      overlap);
}

}  // namespace fp::vision
