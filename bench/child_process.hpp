// Running a program as a child process and measuring it from outside: wall time from start to
// exit, and the CPU time and peak memory the kernel accounted to it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace fp::bench {

struct ChildRun {
  int exit_code = -1;  // 128 + signal number when a signal ended it
  double wall_seconds = 0;
  double cpu_seconds = 0;  // user + system, all its threads
  double max_rss_mb = 0;
};

// Runs argv[0] (looked up in PATH when it has no '/') with stdout and stderr sent to `log`, and
// waits for it. The child inherits this process's CPU affinity.
ChildRun run_child(const std::vector<std::string>& argv, const std::filesystem::path& log);

// "prog a b" for messages.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace fp::bench
