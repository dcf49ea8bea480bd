// Slice plans: the tiles that cover a large frame for sliced inference (README "Tiles").
#pragma once

#include <opencv2/core/types.hpp>
#include <vector>

namespace fp::vision {

// Tiles of `tile` size covering `frame`, neighbours overlapping by `overlap` (a share of the
// tile, 0 to 0.9), row by row. Tiles step by tile x (1 - overlap); the last of a row or column is
// shifted back to end at the frame's edge (never past it, never padded). Along a side the frame
// is smaller than the tile, one tile spans the whole side.
std::vector<cv::Rect> slice_plan(cv::Size frame, cv::Size tile, double overlap);

// `columns` x `rows` tiles covering `frame` with neighbours overlapping by `overlap`: the tile
// size that makes them fit exactly (rounded up), then slice_plan's placement.
std::vector<cv::Rect> grid_plan(cv::Size frame, int columns, int rows, double overlap);

}  // namespace fp::vision
