// Box and Detection: what detectors produce, in source-image pixels, and what later stages add to
// each object (a track id, attributes).
//
// Objects are numbered within their frame: `id` 1, 2, ... in the order they were found (the graph
// numbers new objects after every node, and a join shifts a branch's ids past the frame's), and
// `parent` is the id of the object another was found in (a detector run `within:` the objects of
// an earlier one), 0 for none.
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
  int64_t id = 0;                       // within the frame, from 1; 0 until numbered
  int64_t parent = 0;                   // the id of the object it was found in; 0 for none
};

// Gives each object without an id the next one after the largest id among `objects`.
void number_objects(std::vector<Detection>& objects);
// Adds `offset` to every id and parent of `objects` that is set.
void shift_ids(std::vector<Detection>& objects, int64_t offset);
// The largest id among `objects`; 0 when none has one.
int64_t largest_id(const std::vector<Detection>& objects);

}  // namespace fp
