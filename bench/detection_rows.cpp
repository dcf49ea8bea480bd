#include "detection_rows.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bench_support.hpp"

namespace fp::bench {

namespace {

// Long rows (many boxes) are cut so that a difference stays readable in a terminal.
std::string shortened(const std::string& row) {
  constexpr size_t kMaxChars = 240;
  return row.size() <= kMaxChars ? row : row.substr(0, kMaxChars) + "...";
}

}  // namespace

std::map<int, std::vector<std::string>> read_rows_by_stream(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) die("cannot read " + path.string());
  std::map<int, std::vector<std::string>> rows;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    nlohmann::ordered_json row = nlohmann::ordered_json::parse(line, nullptr, false);
    if (!row.is_object() || !row.contains("stream")) {
      die(path.string() + ":" + std::to_string(number) + " is not a detection row");
    }
    const int stream = row["stream"].get<int>();
    row.erase("stream");
    rows[stream].push_back(row.dump());
  }
  return rows;
}

RowComparison compare_rows(const std::vector<std::string>& expected,
                           const std::vector<std::string>& actual, const std::string& expected_name,
                           const std::string& actual_name) {
  const size_t common = std::min(expected.size(), actual.size());
  for (size_t i = 0; i < common; ++i) {
    if (expected[i] == actual[i]) continue;
    return {false, "row " + std::to_string(i + 1) + ":\n      " + expected_name + ": " +
                       shortened(expected[i]) + "\n      " + actual_name + ": " +
                       shortened(actual[i])};
  }
  if (expected.size() == actual.size()) return {};
  const bool actual_short = actual.size() < expected.size();
  return {false, expected_name + " has " + std::to_string(expected.size()) + " rows, " +
                     actual_name + " " + std::to_string(actual.size()) + "; the first unmatched (" +
                     (actual_short ? expected_name : actual_name) +
                     "): " + shortened(actual_short ? expected[common] : actual[common])};
}

}  // namespace fp::bench
