// The plane geometry of counting, in image pixels (x right, y down): which side of a directed
// segment a point lies on, whether a move crosses a segment, whether a point lies in a polygon.
#pragma once

#include <opencv2/core/types.hpp>
#include <vector>

namespace fp::count {

using Point = cv::Point2f;

// Which side of the line through `from` and `to` the point `p` lies on, as seen on the image by
// someone standing at `from` and facing `to`: +1 on their right, -1 on their left, 0 on the line.
// (For a segment from (0, 300) to (640, 300), right is below it: y > 300.)
int side_of(Point from, Point to, Point p);

// Whether the move from `a` to `b` crosses the segment from `from` to `to`: `a` and `b` lie
// strictly on opposite sides of its line, and the move meets the segment itself (its end points
// included), not the line's extension beyond them.
bool crosses(Point a, Point b, Point from, Point to);

// Whether `p` lies inside `polygon` or on its outline (even-odd rule for a polygon that crosses
// itself).
bool inside(const std::vector<Point>& polygon, Point p);

}  // namespace fp::count
