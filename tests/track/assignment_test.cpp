#include "track/assignment.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <string>

namespace fp::track {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr int kTrials = 300;

// What an optimal matching is judged by: its number of pairs and their total cost.
struct Objective {
  int pairs = 0;
  double cost = 0;
};

// Calls `visit` with every partial matching (one-to-one, any size) that uses only entries for
// which `allowed(cost)` holds.
void for_each_matching(const cv::Mat_<double>& cost, const std::function<bool(double)>& allowed,
                       const std::function<void(const Objective&)>& visit) {
  std::vector<bool> col_used(cost.cols, false);
  std::function<void(int, Objective)> extend = [&](int row, Objective so_far) {
    if (row == cost.rows) {
      visit(so_far);
      return;
    }
    extend(row + 1, so_far);  // this row stays unmatched
    for (int c = 0; c < cost.cols; ++c) {
      if (col_used[c] || !allowed(cost(row, c))) continue;
      col_used[c] = true;
      extend(row + 1, Objective{so_far.pairs + 1, so_far.cost + cost(row, c)});
      col_used[c] = false;
    }
  };
  extend(0, Objective{});
}

// Costs in [0, 1), or small integers so that ties are common; `missing` of the entries (a
// fraction) are +inf or NaN.
cv::Mat_<double> random_costs(std::mt19937& rng, double missing) {
  std::uniform_int_distribution<int> size(1, 5);
  cv::Mat_<double> cost(size(rng), size(rng));
  const bool integers = std::bernoulli_distribution(0.3)(rng);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int r = 0; r < cost.rows; ++r) {
    for (int c = 0; c < cost.cols; ++c) {
      const double u = uniform(rng);
      if (u < missing) {
        cost(r, c) = u < missing / 2 ? kInf : kNan;
      } else {
        cost(r, c) = integers ? std::floor(uniform(rng) * 4) : uniform(rng);
      }
    }
  }
  return cost;
}

// Checks that a Matching is one-to-one, uses only allowed entries and lists every other row and
// column as unmatched; returns its objective.
Objective check_matching(const cv::Mat_<double>& cost, const Matching& matching,
                         const std::function<bool(double)>& allowed) {
  std::set<int> rows, cols;
  Objective objective;
  for (const auto& [r, c] : matching.pairs) {
    EXPECT_TRUE(rows.insert(r).second) << "row " << r << " matched twice";
    EXPECT_TRUE(cols.insert(c).second) << "column " << c << " matched twice";
    EXPECT_TRUE(allowed(cost(r, c))) << "pair (" << r << ", " << c << ") is not allowed";
    ++objective.pairs;
    objective.cost += cost(r, c);
  }
  for (int r : matching.unmatched_rows) EXPECT_TRUE(rows.insert(r).second);
  for (int c : matching.unmatched_cols) EXPECT_TRUE(cols.insert(c).second);
  EXPECT_EQ(static_cast<int>(rows.size()), cost.rows);
  EXPECT_EQ(static_cast<int>(cols.size()), cost.cols);
  return objective;
}

bool finite(double cost) { return std::isfinite(cost); }

// The matrix, one row a line, for failure messages.
std::string describe(const cv::Mat_<double>& cost) {
  std::ostringstream text;
  for (int r = 0; r < cost.rows; ++r) {
    for (int c = 0; c < cost.cols; ++c) text << (c ? " " : "") << cost(r, c);
    text << "\n";
  }
  return text.str();
}

TEST(Assignment, MinCostAssignmentMatchesBruteForceBothShapes) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < kTrials; ++trial) {
    const cv::Mat_<double> cost = random_costs(rng, 0.0);
    const int size = std::min(cost.rows, cost.cols);
    double best = kInf;
    for_each_matching(cost, finite, [&](const Objective& o) {
      if (o.pairs == size) best = std::min(best, o.cost);
    });

    const std::vector<int> col_of_row = min_cost_assignment(cost);
    ASSERT_EQ(static_cast<int>(col_of_row.size()), cost.rows);
    std::set<int> cols;
    double total = 0;
    for (int r = 0; r < cost.rows; ++r) {
      if (col_of_row[r] < 0) continue;
      ASSERT_LT(col_of_row[r], cost.cols);
      EXPECT_TRUE(cols.insert(col_of_row[r]).second);
      total += cost(r, col_of_row[r]);
    }
    EXPECT_EQ(static_cast<int>(cols.size()), size) << cost.rows << "x" << cost.cols;
    EXPECT_NEAR(total, best, 1e-9) << "trial " << trial << "\n" << describe(cost);
  }
}

TEST(Assignment, AssignWithLimitMatchesBruteForce) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < kTrials; ++trial) {
    const cv::Mat_<double> cost = random_costs(rng, 0.25);
    const double limit = std::uniform_real_distribution<double>(0.2, 3.0)(rng);
    const auto allowed = [limit](double v) { return std::isfinite(v) && v < limit; };
    // The objective is the sum of (cost - limit), so fewer pairs may be better.
    double best = 0;
    for_each_matching(cost, allowed,
                      [&](const Objective& o) { best = std::min(best, o.cost - o.pairs * limit); });

    const Objective got = check_matching(cost, assign_with_limit(cost, limit), allowed);
    EXPECT_NEAR(got.cost - got.pairs * limit, best, 1e-9)
        << "trial " << trial << " limit " << limit << "\n"
        << describe(cost);
  }
}

TEST(Assignment, AssignMostPairsMatchesBruteForce) {
  std::mt19937 rng(13);
  for (int trial = 0; trial < kTrials; ++trial) {
    const cv::Mat_<double> cost = random_costs(rng, 0.4);
    Objective best;
    for_each_matching(cost, finite, [&](const Objective& o) {
      if (o.pairs > best.pairs || (o.pairs == best.pairs && o.cost < best.cost)) best = o;
    });

    const Objective got = check_matching(cost, assign_most_pairs(cost), finite);
    EXPECT_EQ(got.pairs, best.pairs) << "trial " << trial << "\n" << describe(cost);
    EXPECT_NEAR(got.cost, best.cost, 1e-9) << "trial " << trial << "\n" << describe(cost);
  }
}

// The case that separates "most pairs" from "least cost": the cheap pair (0, 0) blocks two
// dearer pairs.
TEST(Assignment, AssignMostPairsPrefersMorePairsOverLowerCost) {
  cv::Mat_<double> cost(2, 2);
  cost << 0.0, 0.4, 0.4, kInf;
  const Matching matching = assign_most_pairs(cost);
  ASSERT_EQ(matching.pairs.size(), 2u);
  EXPECT_EQ(matching.pairs[0], std::make_pair(0, 1));
  EXPECT_EQ(matching.pairs[1], std::make_pair(1, 0));
}

TEST(Assignment, AllNonFiniteMatchesNothing) {
  cv::Mat_<double> cost(2, 3, kInf);
  cost(1, 2) = kNan;
  const Matching most = assign_most_pairs(cost);
  EXPECT_TRUE(most.pairs.empty());
  EXPECT_EQ(most.unmatched_rows.size(), 2u);
  EXPECT_EQ(most.unmatched_cols.size(), 3u);
  EXPECT_TRUE(assign_with_limit(cost, 1.0).pairs.empty());
}

TEST(Assignment, EmptyMatrices) {
  EXPECT_TRUE(min_cost_assignment(cv::Mat_<double>(0, 3)).empty());
  EXPECT_EQ(min_cost_assignment(cv::Mat_<double>(3, 0)), std::vector<int>(3, -1));
  EXPECT_TRUE(min_cost_assignment(cv::Mat_<double>()).empty());

  const Matching no_cols = assign_most_pairs(cv::Mat_<double>(2, 0));
  EXPECT_TRUE(no_cols.pairs.empty());
  EXPECT_EQ(no_cols.unmatched_rows, (std::vector<int>{0, 1}));
  EXPECT_TRUE(no_cols.unmatched_cols.empty());

  const Matching no_rows = assign_with_limit(cv::Mat_<double>(0, 3), 1.0);
  EXPECT_TRUE(no_rows.pairs.empty());
  EXPECT_TRUE(no_rows.unmatched_rows.empty());
  EXPECT_EQ(no_rows.unmatched_cols, (std::vector<int>{0, 1, 2}));

  EXPECT_TRUE(assign_most_pairs(cv::Mat_<double>()).pairs.empty());
}

}  // namespace
}  // namespace fp::track
