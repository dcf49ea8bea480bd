// Sliced inference: a detect stage's `tiles:` (README "Tiles"). The frame is cut into overlapping
// tiles (vision/slicing.hpp), each run through the detector at its input size, plus the whole
// frame when `global` is on; the boxes found are mapped back to frame pixels and merged.
//
//   tiles:
//     size: [640, 640]    # tile width and height in frame pixels (or grid: [columns, rows])
//     overlap: 0.2        # share of a tile its neighbour covers too, 0 to 0.9
//     global: true        # also run on the whole frame (large objects, which tiles cut)
//     merge: nmm          # nms keeps the best box of a group; nmm grows it to enclose the others
//     match: ios          # a group: boxes overlapping by iou, or by ios (intersection over the
//     threshold: 0.5      #   smaller box, which joins a cut box to the whole one) above this
#pragma once

#include <opencv2/core/types.hpp>
#include <optional>
#include <vector>

#include "core/yaml_config.hpp"
#include "vision/nms.hpp"

namespace fp::pipeline {

struct TileOptions {
  std::optional<cv::Size> size;  // tiles of this size...
  std::optional<cv::Size> grid;  // ...or this many columns and rows
  double overlap = 0.2;
  bool global = true;
  vision::MergeMethod merge = vision::MergeMethod::kNmm;
  vision::Overlap match = vision::Overlap::kIos;
  float threshold = 0.5f;

  static Result<TileOptions> read(const YamlMap& tiles);
  // The regions a frame of `frame` size is run on: the tiles, then the whole frame if global.
  std::vector<cv::Rect> regions(cv::Size frame) const;
};

}  // namespace fp::pipeline
