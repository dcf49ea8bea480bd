#include "count/geometry.hpp"

#include <opencv2/imgproc.hpp>

namespace fp::count {

namespace {

// The z of (b - a) x (c - a), in double so that pixel coordinates give exact signs.
double cross(Point a, Point b, Point c) {
  return (static_cast<double>(b.x) - a.x) * (static_cast<double>(c.y) - a.y) -
         (static_cast<double>(b.y) - a.y) * (static_cast<double>(c.x) - a.x);
}

int sign(double v) { return (v > 0) - (v < 0); }

}  // namespace

int side_of(Point from, Point to, Point p) { return sign(cross(from, to, p)); }

bool crosses(Point a, Point b, Point from, Point to) {
  if (side_of(from, to, a) * side_of(from, to, b) >= 0) return false;
  // The segment's ends on opposite sides of the move's line, or one of them on it.
  return side_of(a, b, from) * side_of(a, b, to) <= 0;
}

bool inside(const std::vector<Point>& polygon, Point p) {
  return cv::pointPolygonTest(polygon, p, false) >= 0;
}

}  // namespace fp::count
