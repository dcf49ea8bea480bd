#include "goal_table.hpp"

#include <algorithm>
#include <cstdio>

#include "bench_support.hpp"

namespace fp::bench {

namespace {

std::string format_number(double value, bool general, int precision) {
  char text[64];
  std::snprintf(text, sizeof(text), general ? "%.*g" : "%.*f", precision, value);
  return text;
}

}  // namespace

double Metric::summary() const {
  if (!yes_no) return median(values);
  return std::all_of(values.begin(), values.end(), [](double v) { return v == 1; }) ? 1 : 0;
}

bool Metric::met() const {
  if (values.empty()) return false;
  return yes_no ? summary() == 1 : (at_most ? summary() <= target : summary() >= target);
}

Metric& GoalTable::metric(int number, const std::string& what, double target, bool at_most) {
  for (Metric& m : metrics_) {
    if (m.number == number && m.what == what) return m;
  }
  metrics_.push_back({number, what, false, at_most, target, {}});
  return metrics_.back();
}

Metric& GoalTable::check(int number, const std::string& what) {
  Metric& m = metric(number, what, 1);
  m.yes_no = true;
  return m;
}

void GoalTable::print(const GoalTableLayout& layout, int repeats) const {
  const int value_width = layout.value_width;
  std::printf("\n");
  if (layout.case_column) std::printf("%-4s ", "case");
  std::printf("%-*s %-*s", layout.what_width, "what", layout.goal_width, "goal");
  for (int r = 1; r <= repeats; ++r) {
    char repeat[16];
    std::snprintf(repeat, sizeof(repeat), "r%d", r);
    std::printf(" %*s", value_width, repeat);
  }
  std::printf(" %*s  %s\n", value_width, "median", "met");
  for (const Metric& m : metrics_) {
    std::string goal = "yes";
    if (!m.yes_no) {
      goal = m.at_most ? "<= " : ">= ";
      goal += format_number(m.target, layout.general, layout.goal_precision);
    }
    if (layout.case_column) std::printf("%-4d ", m.number);
    std::printf("%-*s %-*s", layout.what_width, m.what.c_str(), layout.goal_width, goal.c_str());
    for (int r = 0; r < repeats; ++r) {
      std::string cell;
      if (r < static_cast<int>(m.values.size())) {
        cell = m.yes_no ? (m.values[r] == 1 ? "yes" : "no")
                        : format_number(m.values[r], layout.general, layout.value_precision);
      }
      std::printf(" %*s", value_width, cell.c_str());
    }
    const std::string summary =
        m.yes_no ? (m.summary() == 1 ? "yes" : "no")
                 : format_number(m.summary(), layout.general, layout.value_precision);
    std::printf(" %*s  %s\n", value_width, summary.c_str(), m.met() ? "yes" : "NO");
  }
  std::printf("\nmedians:");
  for (const auto& [figure, values] : figures_)
    std::printf(" %s %.2f", figure.c_str(), median(values));
  std::printf("\n");
}

}  // namespace fp::bench
