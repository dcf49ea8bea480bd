// Box and Detection: what detectors produce, in source-image pixels, and what later stages add to
// each object (a track id, attributes).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/attribute.hpp"

namespace fp {

// Axis-aligned box, corners in pixels: (x1, y1) top-left, (x2, y2) bottom-right.
struct Box {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;

  float width() const { return std::max(0.0f, x2 - x1); }
  float height() const { return std::max(0.0f, y2 - y1); }
  float area() const { return width() * height(); }
};

struct Detection {
  Box box;
  int class_id = 0;
  float score = 0;
  std::string label;  // class name from the model's labels
  std::vector<float>
      keypoints{};         // x, y pairs in the same pixels as `box` (face landmarks); or none
  int64_t track_id = 0;    // set by a tracker: its confirmed track, 0 for none
  bool predicted = false;  // a tracker's predicted box on a frame the detector skipped
  std::vector<Attribute> attributes{};  // by the `attributes` stages, in the order they ran
};

}  // namespace fp
