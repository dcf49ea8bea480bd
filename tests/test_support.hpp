// Helpers shared by the tests: where the shared models/media are, temporary folders, running the
// CLI.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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
  int pid_ = -1;
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

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);
// Every line of a JSONL file, parsed; a line that is not JSON fails the test.
std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path);
// The rows of a detections.jsonl by stream, each without its "stream" field (so a stream of a run
// over several inputs compares with a run of that input alone).
std::map<int, std::vector<nlohmann::json>> rows_by_stream(const std::filesystem::path& jsonl);

}  // namespace fp::test
