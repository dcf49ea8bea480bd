// The targets a whole-run benchmark judges, and the raw figures it records, one value per repeat;
// printed as the table that ends each benchmark's output.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace fp::bench {

// One target of an issue: a figure per repeat, judged on its median (yes/no checks: on every
// repeat).
struct Metric {
  int number = 0;  // the case, where the benchmark numbers them
  std::string what;
  bool yes_no = false;  // values are 1 (yes) or 0 (no)
  bool at_most = false;
  double target = 0;
  std::vector<double> values;

  double summary() const;
  bool met() const;
};

// How print() lays the table out; numbers are printed "%.<precision>f", or "%.<precision>g" when
// `general`.
struct GoalTableLayout {
  bool case_column = false;  // a "case" column with Metric::number
  int what_width = 50;
  int goal_width = 9;
  int value_width = 9;
  bool general = true;
  int goal_precision = 3;
  int value_precision = 3;
};

class GoalTable {
 public:
  // The metric of `number` and `what`, added with `target` the first time.
  Metric& metric(int number, const std::string& what, double target, bool at_most = false);
  // A yes/no metric.
  Metric& check(int number, const std::string& what);
  void record(const std::string& figure, double value) { figures_[figure].push_back(value); }

  const std::vector<Metric>& metrics() const { return metrics_; }
  const std::map<std::string, std::vector<double>>& figures() const { return figures_; }
  // The values of `figure` so far (added empty when there are none yet).
  const std::vector<double>& figure(const std::string& name) { return figures_[name]; }

  // The metrics, one row each with a column per repeat, then the median of every figure.
  void print(const GoalTableLayout& layout, int repeats) const;

 private:
  std::vector<Metric> metrics_;
  std::map<std::string, std::vector<double>> figures_;  // raw figures per repeat, for the record
};

}  // namespace fp::bench
