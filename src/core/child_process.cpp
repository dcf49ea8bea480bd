#include "core/child_process.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace fp {

namespace {

double seconds_of(const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; }

ExitStatus exit_status(int status, const rusage& usage) {
  ExitStatus out;
  if (WIFSIGNALED(status)) {
    out.signal = WTERMSIG(status);
  } else {
    out.code = WEXITSTATUS(status);
  }
  out.cpu_seconds = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
  out.max_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
  return out;
}

// In the child, after fork(): async-signal-safe calls only. Writes errno to `report` and exits
// when a step fails.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, int output_fd,
                             const cpu_set_t* cores, bool group, pid_t parent, bool die_with_parent,
                             int report) {
  const auto fail = [report]() {
    const int error = errno;
    [[maybe_unused]] const ssize_t n = write(report, &error, sizeof(error));
    _exit(127);
  };
  if (die_with_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail();
    if (getppid() != parent) _exit(137);  // the parent died before the request took effect
  }
  if (group && setpgid(0, 0) != 0) fail();
  if (cores != nullptr && sched_setaffinity(0, sizeof(cpu_set_t), cores) != 0) fail();
  if (dup2(output_fd, STDOUT_FILENO) < 0 || dup2(output_fd, STDERR_FILENO) < 0) fail();
  // Signals the parent ignores or blocks would stay so in the child: back to the defaults.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  execvpe(argv[0], argv, envp);
  fail();
}

}  // namespace

Result<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv,
                                         const SpawnOptions& options) {
  if (argv.empty()) return Error("no program to run");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // This process's environment with the options' variables set over it.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const bool replaced = std::any_of(options.env.begin(), options.env.end(), [&](const auto& v) {
      return entry.size() > v.first.size() && entry.substr(0, v.first.size()) == v.first &&
             entry[v.first.size()] == '=';
    });
    if (!replaced) env_strings.emplace_back(entry);
  }
  for (const auto& [name, value] : options.env) env_strings.push_back(name + "=" + value);
  std::vector<char*> env;
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  cpu_set_t cores;
  CPU_ZERO(&cores);
  for (int c : options.cores) CPU_SET(c, &cores);

  int output_fd = options.output_fd;
  bool close_output = false;
  if (output_fd < 0) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (options.append ? O_APPEND : O_TRUNC);
    const std::string path = options.output.empty() ? "/dev/null" : options.output.string();
    output_fd = ::open(path.c_str(), flags, 0644);
    if (output_fd < 0) return Error("cannot write " + path + ": " + std::strerror(errno));
    close_output = true;
  }
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) {
    if (close_output) ::close(output_fd);
    return Error(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    ::close(report[0]);
    exec_child(args.data(), env.data(), output_fd, options.cores.empty() ? nullptr : &cores,
               options.own_process_group, parent, options.die_with_parent, report[1]);
  }
  const int fork_error = errno;
  ::close(report[1]);
  if (close_output) ::close(output_fd);
  if (pid < 0) {
    ::close(report[0]);
    return Error(std::string("cannot start a process: ") + std::strerror(fork_error));
  }
  int child_error = 0;
  ssize_t got;
  do {
    got = ::read(report[0], &child_error, sizeof(child_error));
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  ChildProcess child(pid, options.own_process_group);
  if (got == static_cast<ssize_t>(sizeof(child_error))) {  // exec (or a step before it) failed
    child.wait();
    return Error("cannot run '" + argv[0] + "': " + std::strerror(child_error));
  }
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), group_(other.group_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) {
      signal(SIGKILL);
      wait();
    }
    pid_ = std::exchange(other.pid_, -1);
    group_ = other.group_;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    signal(SIGKILL);
    wait();
  }
}

bool ChildProcess::signal(int signal) const {
  if (pid_ <= 0) return false;
  return ::kill(group_ ? -pid_ : pid_, signal) == 0;
}

bool ChildProcess::poll(ExitStatus& status) {
  if (pid_ <= 0) return false;
  int raw = 0;
  rusage usage{};
  pid_t done;
  do {
    done = wait4(pid_, &raw, WNOHANG, &usage);
  } while (done < 0 && errno == EINTR);
  if (done != pid_) return false;
  pid_ = -1;
  status = exit_status(raw, usage);
  return true;
}

ExitStatus ChildProcess::wait() {
  if (pid_ <= 0) return {};
  int raw = 0;
  rusage usage{};
  while (wait4(pid_, &raw, 0, &usage) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return exit_status(raw, usage);
}

Result<CapturedRun> run_captured(const std::vector<std::string>& argv,
                                 const std::vector<std::pair<std::string, std::string>>& env) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error(std::string("pipe: ") + std::strerror(errno));
  SpawnOptions options;
  options.output_fd = fds[1];
  options.env = env;
  auto child = ChildProcess::spawn(argv, options);
  ::close(fds[1]);
  if (!child.ok()) {
    ::close(fds[0]);
    return child.error();
  }
  CapturedRun run;
  std::array<char, 4096> buffer;
  ssize_t n;
  while ((n = ::read(fds[0], buffer.data(), buffer.size())) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    run.output.append(buffer.data(), static_cast<size_t>(n));
  }
  ::close(fds[0]);
  run.status = child->wait();
  return run;
}

}  // namespace fp
