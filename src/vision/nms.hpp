// Non-maximum suppression and box overlap.
#pragma once

#include <vector>

#include "core/detection.hpp"

namespace fp::vision {

// Intersection over union of two boxes; 0 when either is empty.
float iou(const Box& a, const Box& b);

// Greedy NMS within each class: keeps the highest-scoring box and drops boxes of the same class
// overlapping it by more than `iou_threshold`. Result sorted by descending score.
std::vector<Detection> nms_per_class(std::vector<Detection> detections, float iou_threshold);

}  // namespace fp::vision
