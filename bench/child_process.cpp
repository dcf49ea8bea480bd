#include "child_process.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bench_support.hpp"
#include "core/clock.hpp"

namespace fp::bench {

namespace {

double seconds_of(const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; }

}  // namespace

ChildRun run_child(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  // Everything the child needs is built before fork(): only async-signal-safe calls after it.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) die("cannot write " + log.string() + ": " + std::strerror(errno));

  const auto start = SteadyClock::now();
  const pid_t pid = fork();
  if (pid < 0) die(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execvp(args[0], args.data());
    constexpr char kMessage[] =
        "run_child: cannot execute the program (missing or not executable)\n";
    [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
    _exit(127);
  }
  ::close(log_fd);
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) die(std::string("wait4 failed: ") + std::strerror(errno));
  }
  ChildRun run;
  run.wall_seconds = seconds_since(start);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.cpu_seconds = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
  run.max_rss_mb = usage.ru_maxrss / 1024.0;  // Linux reports KiB
  return run;
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
  return line;
}

}  // namespace fp::bench
