// Helpers shared by the tests: where the shared models/media are, temporary folders, running the
// CLI.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/child_process.hpp"

namespace fp::test {

// ../shared beside the repository (models/ and media/).
std::filesystem::path shared_dir();
std::filesystem::path media_path(const std::string& relative);  // under shared/media
std::filesystem::path models_dir();                             // shared/models
// The repository root (examples/, models/registry.yaml).
std::filesystem::path source_dir();

// A fresh, empty folder under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs the built `framepipe` binary with `args` (no shell), capturing its output.
CommandResult run_framepipe(const std::vector<std::string>& args);
// Runs any program with `args` (no shell), capturing its output.
CommandResult run_program(const std::vector<std::string>& argv);

// Sets (or, with std::nullopt, unsets) an environment variable and restores it when it goes away.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::optional<std::string>& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// A program running in the background (e.g. `ffmpeg -listen 1` serving a stream), killed and
// reaped when the object goes away.
class BackgroundProcess {
 public:
  explicit BackgroundProcess(const std::vector<std::string>& argv);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  // Sends `signal`, waits for the exit and returns the exit code (128 + signal if killed by it).
  int stop(int signal);

 private:
  std::optional<ChildProcess> child_;
};

// A TCP socket bound to a free port on 127.0.0.1; listening (accepting into the kernel backlog,
// never answering) or not, as the test needs.
class LocalSocket {
 public:
  explicit LocalSocket(bool listen_now);
  ~LocalSocket() { close(); }
  LocalSocket(const LocalSocket&) = delete;
  LocalSocket& operator=(const LocalSocket&) = delete;
  void close();
  int fd() const { return fd_; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_tcp_port();

// Runs the built `framepipe` binary with extra environment variables set for that run only.
CommandResult run_framepipe_with_env(const std::vector<std::string>& args,
                                     const std::vector<std::pair<std::string, std::string>>& env);

// Copies the first `fraction` of a file's bytes, as a download cut off part way would leave it.
void write_prefix(const std::filesystem::path& from, const std::filesystem::path& to,
                  double fraction);

// Copies a file with `count` pseudo-random bytes (from `seed`) written over it at `fraction` of
// its length, as a damaged disk or transfer would leave it.
void write_with_garbage(const std::filesystem::path& from, const std::filesystem::path& to,
                        double fraction, size_t count, unsigned seed = 10);

// Runs `body` as an unprivileged user (nobody) when the tests run as root, so permission bits
// apply, and returns what it returned; runs it directly otherwise.
std::string run_unprivileged(const std::function<std::string()>& body);

// Serves one file over HTTP on 127.0.0.1 (any path, with Content-Length, no ranges) at about
// `bytes_per_second`, to every connection, until destroyed: a finite file that downloads slowly.
class SlowHttpFileServer {
 public:
  SlowHttpFileServer(const std::filesystem::path& file, size_t bytes_per_second);
  ~SlowHttpFileServer();
  SlowHttpFileServer(const SlowHttpFileServer&) = delete;
  SlowHttpFileServer& operator=(const SlowHttpFileServer&) = delete;
  std::string url() const;

 private:
  void serve();
  std::string content_;
  size_t bytes_per_second_;
  LocalSocket socket_{true};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string read_file(const std::filesystem::path& path);
// Waits (at most 30 s) until the file holds at least `bytes` bytes, e.g. rows a run has written.
void wait_for_file_size(const std::filesystem::path& path, size_t bytes);
void write_file(const std::filesystem::path& path, const std::string& content);
// Every line of a JSONL file, parsed; a line that is not JSON fails the test.
std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path);
// The names of the entries of `dir` (not recursive).
std::set<std::string> files_in(const std::filesystem::path& dir);
// Each (pipeline YAML after `name: p`, expected text) case run as p.yaml over lena.jpg must exit
// 2 with the text in its output (the config errors of a stage).
void expect_config_errors(const std::vector<std::pair<std::string, std::string>>& cases);
// The rows of a detections.jsonl by stream, each without its "stream" field (so a stream of a run
// over several inputs compares with a run of that input alone).
std::map<int, std::vector<nlohmann::json>> rows_by_stream(const std::filesystem::path& jsonl);

}  // namespace fp::test
