#include "bench_support.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace fp::bench {

std::filesystem::path shared_dir() {
  return std::filesystem::path(FRAMEPIPE_SHARED_DIR).lexically_normal();
}

std::string vtest_path() { return (shared_dir() / "media/video/vtest_480x360.avi").string(); }

std::string people_pipeline_path() {
  return std::string(FRAMEPIPE_SOURCE_DIR) + "/examples/people.yaml";
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n == 0 ? 0 : (n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2);
}

void die(const std::string& message) {
  // glibc's short name of argv[0]: each benchmark's messages carry its own name.
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, message.c_str());
  std::exit(1);
}

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) die("cannot create a temporary folder in /tmp");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

double load_average() {
  double load = 0;
  return getloadavg(&load, 1) == 1 ? load : 0;
}

nlohmann::ordered_json read_json_object(const std::filesystem::path& path) {
  std::ifstream in(path);
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(in, nullptr, false);
  if (!j.is_object()) die("no readable JSON object in " + path.string());
  return j;
}

ChildRun run_child_or_die(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  const ChildRun run = run_child(argv, log);
  if (run.exit_code != 0) {
    std::ifstream in(log);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    die(command_line(argv) + "\nexited with " + std::to_string(run.exit_code) +
        "; its output ends:\n" + text.substr(text.size() > 2000 ? text.size() - 2000 : 0));
  }
  return run;
}

FramepipeRun run_framepipe(const std::string& framepipe, const std::string& pipeline,
                           const std::vector<std::string>& inputs, const std::filesystem::path& out,
                           const std::vector<std::string>& options) {
  std::vector<std::string> argv{framepipe, "run", pipeline};
  argv.insert(argv.end(), inputs.begin(), inputs.end());
  argv.insert(argv.end(), {"--out", out.string()});
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back("--no-progress");
  FramepipeRun run;
  run.child = run_child_or_die(argv, out.string() + ".log");
  run.report = read_json_object(out / "run.json");
  run.out = out;
  return run;
}

}  // namespace fp::bench
