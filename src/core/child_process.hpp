// ChildProcess: a program started with fork/exec, for the job service (one `framepipe run` per
// job), the tests and the benchmarks. The one place the repository forks.
//
// spawn() reports a program that cannot be executed as an Error (through a close-on-exec pipe),
// not as a child that exits 127. Between fork and exec the child makes only async-signal-safe
// calls: everything it needs is built before fork().
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace fp {

struct SpawnOptions {
  // stdout and stderr of the child go to this file (created, or appended to when `append`), or
  // to `output_fd` when that is set (e.g. a pipe's write end); else to /dev/null.
  std::filesystem::path output;
  bool append = false;
  int output_fd = -1;
  std::vector<std::pair<std::string, std::string>> env;  // set in the child, over this process's
  std::vector<int> cores;  // the child is pinned to these CPU cores; empty: it inherits the mask
  bool own_process_group = false;  // the child leads a new process group (signal() reaches all)
  bool die_with_parent = false;    // SIGKILL when this process dies (PR_SET_PDEATHSIG)
};

struct ExitStatus {
  int code = -1;       // the exit code when it exited
  int signal = 0;      // the signal that ended it, 0 when it exited
  double cpu_seconds = 0;  // user + system, all its threads
  double max_rss_mb = 0;
  // The shell's view: the exit code, or 128 + the signal.
  int shell_code() const { return signal != 0 ? 128 + signal : code; }
};

class ChildProcess {
 public:
  static Result<ChildProcess> spawn(const std::vector<std::string>& argv,
                                    const SpawnOptions& options = {});
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // A child still running is killed (SIGKILL) and reaped.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Sends `signal` to the child (to its process group when it leads one); false once it is reaped.
  bool signal(int signal) const;
  // Reaps the child if it has ended; true then, with `status` set. Never blocks.
  bool poll(ExitStatus& status);
  // Blocks until the child ends.
  ExitStatus wait();

 private:
  ChildProcess(pid_t pid, bool group) : pid_(pid), group_(group) {}
  pid_t pid_ = -1;  // -1 once reaped
  bool group_ = false;
};

// Runs `argv` to its end with stdout and stderr captured together.
struct CapturedRun {
  ExitStatus status;
  std::string output;
};
Result<CapturedRun> run_captured(const std::vector<std::string>& argv,
                                 const std::vector<std::pair<std::string, std::string>>& env = {});

}  // namespace fp
