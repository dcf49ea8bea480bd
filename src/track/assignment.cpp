#include "track/assignment.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fp::track {

namespace {

// Hungarian method with row and column potentials for rows <= cols. Rows are added one at a time;
// each addition finds the shortest augmenting path over reduced costs (Dijkstra-like) and flips
// it. Index 0 of the column arrays is a virtual column holding the row being added.
std::vector<int> solve_rows_le_cols(const cv::Mat_<double>& cost) {
  const int rows = cost.rows;
  const int cols = cost.cols;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> row_potential(rows + 1, 0.0), col_potential(cols + 1, 0.0);
  std::vector<int> row_of_col(cols + 1, 0);  // 1-based row holding each column; 0: free
  std::vector<int> previous_col(cols + 1, 0);
  for (int row = 1; row <= rows; ++row) {
    row_of_col[0] = row;
    int col = 0;
    std::vector<double> distance(cols + 1, kInf);
    std::vector<bool> visited(cols + 1, false);
    do {
      visited[col] = true;
      const int from_row = row_of_col[col];
      double step = kInf;
      int next_col = 0;
      for (int c = 1; c <= cols; ++c) {
        if (visited[c]) continue;
        const double reduced =
            cost(from_row - 1, c - 1) - row_potential[from_row] - col_potential[c];
        if (reduced < distance[c]) {
          distance[c] = reduced;
          previous_col[c] = col;
        }
        if (distance[c] < step) {
          step = distance[c];
          next_col = c;
        }
      }
      for (int c = 0; c <= cols; ++c) {
        if (visited[c]) {
          row_potential[row_of_col[c]] += step;
          col_potential[c] -= step;
        } else {
          distance[c] -= step;
        }
      }
      col = next_col;
    } while (row_of_col[col] != 0);
    while (col != 0) {  // flip the augmenting path
      const int prev = previous_col[col];
      row_of_col[col] = row_of_col[prev];
      col = prev;
    }
  }
  std::vector<int> col_of_row(rows, -1);
  for (int c = 1; c <= cols; ++c) {
    if (row_of_col[c] != 0) col_of_row[row_of_col[c] - 1] = c - 1;
  }
  return col_of_row;
}

// Solves `shifted` (costs where a value >= 0 means "better unmatched") and keeps the pairs the
// solution gives a negative cost.
Matching keep_negative_pairs(const cv::Mat_<double>& shifted) {
  Matching matching;
  const std::vector<int> col_of_row = min_cost_assignment(shifted);
  std::vector<bool> col_used(shifted.cols, false);
  for (int r = 0; r < shifted.rows; ++r) {
    const int c = col_of_row[r];
    if (c >= 0 && shifted(r, c) < 0) {
      matching.pairs.emplace_back(r, c);
      col_used[c] = true;
    } else {
      matching.unmatched_rows.push_back(r);
    }
  }
  for (int c = 0; c < shifted.cols; ++c) {
    if (!col_used[c]) matching.unmatched_cols.push_back(c);
  }
  return matching;
}

}  // namespace

std::vector<int> min_cost_assignment(const cv::Mat_<double>& cost) {
  if (cost.rows == 0 || cost.cols == 0) return std::vector<int>(cost.rows, -1);
  if (cost.rows <= cost.cols) return solve_rows_le_cols(cost);
  const std::vector<int> row_of_col = solve_rows_le_cols(cv::Mat_<double>(cost.t()));
  std::vector<int> col_of_row(cost.rows, -1);
  for (int c = 0; c < cost.cols; ++c) col_of_row[row_of_col[c]] = c;
  return col_of_row;
}

Matching assign_with_limit(const cv::Mat_<double>& cost, double limit) {
  std::vector<Edge> edges;
  for (int r = 0; r < cost.rows; ++r) {
    for (int c = 0; c < cost.cols; ++c) edges.push_back(Edge{r, c, cost(r, c)});
  }
  return assign_with_limit(cost.rows, cost.cols, edges, limit);
}

Matching assign_with_limit(int rows, int cols, const std::vector<Edge>& edges, double limit) {
  // A pair at or above the limit is worth no more than leaving both unmatched (cost 0 after the
  // shift), so an optimum never needs one. Rows and columns linked by pairs below the limit form
  // independent groups; each is solved alone, which keeps crowded scenes (many boxes, few
  // overlaps each) far from the cubic cost of one large matrix.
  std::vector<int> group(rows + cols);  // union-find over rows, then columns
  for (size_t i = 0; i < group.size(); ++i) group[i] = static_cast<int>(i);
  auto root = [&group](int i) {
    while (group[i] != i) i = group[i] = group[group[i]];
    return i;
  };
  std::vector<Edge> allowed;
  for (const Edge& e : edges) {
    if (!std::isfinite(e.cost) || e.cost >= limit) continue;
    allowed.push_back(e);
    group[root(e.row)] = root(rows + e.col);
  }
  // Each group's rows and columns, and their places in its small matrix.
  std::vector<std::vector<int>> group_rows(group.size()), group_cols(group.size());
  std::vector<int> place(group.size());
  for (int r = 0; r < rows; ++r) {
    place[r] = static_cast<int>(group_rows[root(r)].size());
    group_rows[root(r)].push_back(r);
  }
  for (int c = 0; c < cols; ++c) {
    place[rows + c] = static_cast<int>(group_cols[root(rows + c)].size());
    group_cols[root(rows + c)].push_back(c);
  }
  std::vector<cv::Mat_<double>> shifted(group.size());
  for (const Edge& e : allowed) {
    const int g = root(e.row);
    if (shifted[g].empty()) {
      shifted[g] = cv::Mat_<double>::zeros(static_cast<int>(group_rows[g].size()),
                                           static_cast<int>(group_cols[g].size()));
    }
    shifted[g](place[e.row], place[rows + e.col]) = e.cost - limit;
  }

  Matching matching;
  std::vector<bool> row_matched(rows, false), col_matched(cols, false);
  for (size_t g = 0; g < group.size(); ++g) {
    if (shifted[g].empty()) continue;
    for (const auto& [i, j] : keep_negative_pairs(shifted[g]).pairs) {
      const int r = group_rows[g][i], c = group_cols[g][j];
      matching.pairs.emplace_back(r, c);
      row_matched[r] = col_matched[c] = true;
    }
  }
  std::sort(matching.pairs.begin(), matching.pairs.end());
  for (int r = 0; r < rows; ++r) {
    if (!row_matched[r]) matching.unmatched_rows.push_back(r);
  }
  for (int c = 0; c < cols; ++c) {
    if (!col_matched[c]) matching.unmatched_cols.push_back(c);
  }
  return matching;
}

Matching assign_most_pairs(const cv::Mat_<double>& cost) {
  double lowest = std::numeric_limits<double>::infinity();
  double highest = -lowest;
  for (int r = 0; r < cost.rows; ++r) {
    for (int c = 0; c < cost.cols; ++c) {
      if (!std::isfinite(cost(r, c))) continue;
      lowest = std::min(lowest, cost(r, c));
      highest = std::max(highest, cost(r, c));
    }
  }
  // Each pair earns a bonus larger than the whole range of costs any matching can add up, so
  // one more pair always wins; among equally many pairs the costs decide.
  const double range = std::isfinite(lowest) ? highest - lowest : 0.0;
  const double bonus = 1.0 + std::min(cost.rows, cost.cols) * range;
  cv::Mat_<double> shifted(cost.rows, cost.cols);
  for (int r = 0; r < cost.rows; ++r) {
    for (int c = 0; c < cost.cols; ++c) {
      const double v = cost(r, c);
      shifted(r, c) = std::isfinite(v) ? (v - lowest) - bonus : 0.0;
    }
  }
  return keep_negative_pairs(shifted);
}

}  // namespace fp::track
