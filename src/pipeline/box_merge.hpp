// BoxMerge: how boxes that see the same object become one, as a detect stage's `tiles:` and the
// `fuse` node set it (README "Tiles", "Graphs"):
//   merge: nms           # nms keeps the best box of a group; nmm grows it to enclose the others
//   match: iou           # a group: boxes of a class overlapping by iou, or by ios (intersection
//   threshold: 0.5       #   over the smaller box, which joins a cut box to the whole one) above
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/detection.hpp"
#include "core/yaml_config.hpp"
#include "vision/nms.hpp"

namespace fp::pipeline {

struct BoxMerge {
  vision::MergeMethod method = vision::MergeMethod::kNms;
  vision::Overlap match = vision::Overlap::kIou;
  float threshold = 0.5f;

  // Reads `merge`, `match` and `threshold` of `map`; an absent key keeps its value here.
  Status read(const YamlMap& map);
  std::vector<Detection> apply(std::vector<Detection> detections) const {
    return vision::merge_per_class(std::move(detections), method, match, threshold);
  }
  nlohmann::ordered_json to_json() const;
};

}  // namespace fp::pipeline
