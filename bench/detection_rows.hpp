// Reading detections.jsonl files back to check that two runs found exactly the same things.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace fp::bench {

// The rows of a detections.jsonl grouped by their "stream", in file order, each as compact JSON
// text without its "stream" key: boxes, labels and scores exactly as printed.
std::map<int, std::vector<std::string>> read_rows_by_stream(const std::filesystem::path& path);

struct RowComparison {
  bool identical = true;
  std::string first_difference;  // empty when identical
};

// Row-by-row comparison; `expected_name` and `actual_name` name the two runs in the message.
RowComparison compare_rows(const std::vector<std::string>& expected,
                           const std::vector<std::string>& actual, const std::string& expected_name,
                           const std::string& actual_name);

}  // namespace fp::bench
