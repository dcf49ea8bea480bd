// Linear assignment: which row goes with which column so that the total cost is least.
// Our own shortest-augmenting-path Hungarian method (O(n^2 m)), and the two ways trackers and
// evaluators use it: gated by a cost limit, or maximising the number of pairs first.
#pragma once

#include <opencv2/core/mat.hpp>
#include <utility>
#include <vector>

namespace fp::track {

// For a cost matrix with rows <= cols: the column of each row in a minimum-total-cost assignment
// that gives every row a column (and the transpose when rows > cols: some rows get -1).
std::vector<int> min_cost_assignment(const cv::Mat_<double>& cost);

struct Matching {
  std::vector<std::pair<int, int>> pairs;  // (row, column), by row
  std::vector<int> unmatched_rows;
  std::vector<int> unmatched_cols;
};

// Only pairs with cost < limit may match, and a row or column may stay unmatched: the matching
// minimises the sum of (cost - limit) over its pairs, which is what SORT and ByteTrack's gated
// LAPJV does. Non-finite costs never match.
Matching assign_with_limit(const cv::Mat_<double>& cost, double limit);

// The same for a sparse matrix: only the listed (row, column) pairs may match.
struct Edge {
  int row = 0;
  int col = 0;
  double cost = 0;
};
Matching assign_with_limit(int rows, int cols, const std::vector<Edge>& edges, double limit);

// Pairs with a finite cost may match. The matching has as many pairs as possible and, among
// those, the least total cost (py-motmetrics' convention for CLEAR-MOT).
Matching assign_most_pairs(const cv::Mat_<double>& cost);

}  // namespace fp::track
