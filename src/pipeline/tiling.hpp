// Sliced inference: a detect stage's `tiles:` (README "Tiles"). The frame is cut into overlapping
// tiles (vision/slicing.hpp), each run through the detector at its input size, plus the whole
// frame when `global` is on; the boxes found are mapped back to frame pixels and merged.
//
//   tiles:
//     size: [640, 640]    # tile width and height in frame pixels (or grid: [columns, rows])
//     overlap: 0.2        # share of a tile its neighbour covers too, 0 to 0.9
//     global: true        # also run on the whole frame (large objects, which tiles cut)
//     merge: nmm          # how boxes seen by several regions become one (box_merge.hpp;
//     match: ios          #   defaults: nmm, ios, 0.5)
//     threshold: 0.5
#pragma once

#include <opencv2/core/types.hpp>
#include <optional>
#include <vector>

#include "core/yaml_config.hpp"
#include "pipeline/box_merge.hpp"

namespace fp::pipeline {

struct TileOptions {
  std::optional<cv::Size> size;  // tiles of this size...
  std::optional<cv::Size> grid;  // ...or this many columns and rows
  double overlap = 0.2;
  bool global = true;
  BoxMerge merge{vision::MergeMethod::kNmm, vision::Overlap::kIos, 0.5f};

  static Result<TileOptions> read(const YamlMap& tiles);
  // The regions a frame of `frame` size is run on: the tiles, then the whole frame if global.
  std::vector<cv::Rect> regions(cv::Size frame) const;
};

}  // namespace fp::pipeline
