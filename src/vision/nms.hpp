// Non-maximum suppression and merging, and box overlap.
#pragma once

#include <vector>

#include "core/detection.hpp"

namespace fp::vision {

// Intersection over union of two boxes; 0 when either is empty.
float iou(const Box& a, const Box& b);

// Intersection over the smaller box's area (1 when one box lies inside the other); 0 when either
// is empty. What tells a box cut by a tile border from the whole box it is part of.
float ios(const Box& a, const Box& b);

enum class MergeMethod {
  kNms,  // the best box of a group is kept, the others dropped
  kNmm,  // the best box of a group grows to enclose the others (greedy non-maximum merging)
};
enum class Overlap { kIou, kIos };

// Greedy suppression or merging within each class: in descending score order, a box that
// overlaps a kept box of its class by more than `threshold` is dropped (kNms) or merged into it
// (kNmm: the kept box becomes the union of both, keeping its score, landmarks and attributes).
// Result sorted by descending score.
std::vector<Detection> merge_per_class(std::vector<Detection> detections, MergeMethod method,
                                       Overlap overlap, float threshold);
// merge_per_class(detections, kNms, kIou, iou_threshold).
std::vector<Detection> nms_per_class(std::vector<Detection> detections, float iou_threshold);

}  // namespace fp::vision
