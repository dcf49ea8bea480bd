// MotRow: one row of a MOTChallenge file, `frame,id,x,y,w,h,conf`. A plain value shared by
// io/mot_file (reads and writes the files) and track/ (tracks and scores the rows), which must
// not depend on each other.
#pragma once

#include <cstdint>

#include "core/detection.hpp"

namespace fp {

struct MotRow {
  int64_t frame = 0;  // 1-based
  int64_t id = -1;
  double x = 0, y = 0, w = 0, h = 0;  // top-left corner, width and height in pixels
  double conf = 0;

  Box box() const {
    return Box{static_cast<float>(x), static_cast<float>(y), static_cast<float>(x + w),
               static_cast<float>(y + h)};
  }
};

}  // namespace fp
