#include "child_process.hpp"

#include "bench_support.hpp"
#include "core/child_process.hpp"
#include "core/clock.hpp"

namespace fp::bench {

ChildRun run_child(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  SpawnOptions options;
  options.output = log;
  const auto start = SteadyClock::now();
  auto child = ChildProcess::spawn(argv, options);
  if (!child.ok()) die(child.error().message());
  const ExitStatus status = child->wait();
  ChildRun run;
  run.wall_seconds = seconds_since(start);
  run.exit_code = status.shell_code();
  run.cpu_seconds = status.cpu_seconds;
  run.max_rss_mb = status.max_rss_mb;
  return run;
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
  return line;
}

}  // namespace fp::bench
