// Disk faults for tests, each in a forked child so the test process itself is untouched: files
// that may not grow past a size (RLIMIT_FSIZE, as `ulimit -f` sets), and a disk that fills up (a
// small tmpfs mounted in a private mount namespace; needs root, as CI and the dev machines have).
// The child cannot report gtest failures: its body returns an exit code that the test checks.
#pragma once

#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

namespace fp::test {

// The exit code of run_on_small_disk when the child could not mount its small disk.
inline constexpr int kNoSmallDisk = 77;

// Runs `body` in a forked child; returns its exit code (128 + signal when a signal ended it).
inline int run_in_child(const std::function<int()>& body) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// `body` in a child whose files cannot grow past `bytes`: a write past it fails with EFBIG (the
// child ignores SIGXFSZ, as `framepipe run` does), as writes fail on a full disk.
inline int run_with_file_size_limit(rlim_t bytes, const std::function<int()>& body) {
  return run_in_child([&] {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{bytes, bytes};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 99;
    return body();
  });
}

// `body(dir)` in a child that sees an empty disk of `bytes` at `dir` (an existing, empty folder);
// the disk and what is on it vanish with the child. kNoSmallDisk when it cannot be mounted.
inline int run_on_small_disk(const std::filesystem::path& dir, size_t bytes,
                             const std::function<int(const std::filesystem::path&)>& body) {
  return run_in_child([&] {
    if (unshare(CLONE_NEWNS) != 0) return kNoSmallDisk;
    // Private, so that the mount never shows in the test's own namespace.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return kNoSmallDisk;
    const std::string options = "size=" + std::to_string(bytes);
    if (mount("framepipe-test", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      return kNoSmallDisk;
    }
    return body(dir);
  });
}

// Writes zeros to `path` until the disk is full; the bytes written.
inline size_t fill_disk(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return 0;
  static const char zeros[4096] = {};
  size_t written = 0;
  while (std::fwrite(zeros, 1, sizeof(zeros), file) == sizeof(zeros)) written += sizeof(zeros);
  std::fclose(file);
  return written;
}

}  // namespace fp::test
