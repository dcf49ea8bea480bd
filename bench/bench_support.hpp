// What the whole-run benchmarks share: where the media and the example pipeline are, medians,
// failing with a message, a scratch folder, and running framepipe as a child process.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "child_process.hpp"
#include "core/result.hpp"

namespace fp::bench {

// ../shared beside the source tree (media and models; see DESIGN.md).
std::filesystem::path shared_dir();
// The 795-frame 480x360 test video that the throughput targets are stated on.
std::string vtest_path();
// examples/people.yaml in the source tree.
std::string people_pipeline_path();

double median(std::vector<double> values);

// Prints "<program>: message" to stderr and exits with status 1: a benchmark has no caller to hand
// an error to.
[[noreturn]] void die(const std::string& message);

template <class T>
T value_or_die(Result<T> result) {
  if (!result.ok()) die(result.error().message());
  return std::move(result).value();
}

// A folder under /tmp named "<prefix>-XXXXXX", removed when the object goes away. Make it a
// function-local static where die() may end the process: std::exit runs static destructors (not
// automatic ones), so the folder is removed then too.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The 1-minute load average (0 when unknown). Other work on the machine slows every side of a
// comparison, so the reports say how busy it was.
double load_average();

// The JSON object in `path`; dies when there is none.
nlohmann::ordered_json read_json_object(const std::filesystem::path& path);

// run_child(), dying with the command line and the end of `log` unless it exits with 0.
ChildRun run_child_or_die(const std::vector<std::string>& argv, const std::filesystem::path& log);

// One `framepipe run`: its run.json and the child's own accounting.
struct FramepipeRun {
  nlohmann::ordered_json report;  // run.json
  ChildRun child;
  std::filesystem::path out;  // the --out folder

  double fps() const { return report.at("fps").get<double>(); }
};

// Runs `framepipe run PIPELINE INPUTS... --out OUT OPTIONS... --no-progress` with its output in
// OUT.log, dies unless it exits with 0, and reads OUT/run.json.
FramepipeRun run_framepipe(const std::string& framepipe, const std::string& pipeline,
                           const std::vector<std::string>& inputs, const std::filesystem::path& out,
                           const std::vector<std::string>& options);

}  // namespace fp::bench
