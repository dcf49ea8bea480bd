// ServeChild: `framepipe serve` in a child process on a free loopback port, and what the tests and
// serve_bench read from it: answers' JSON, whether a job has ended, the jobs' processes. No test
// framework here: tests/serve/serve_support.hpp adds the tests' checks, bench/serve_bench its
// measures.
#pragma once

#include <httplib.h>
#include <signal.h>
#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/child_process.hpp"
#include "core/result.hpp"

namespace fp::test {

class ServeChild {
 public:
  struct Options {
    std::string framepipe;  // the program
    std::filesystem::path data;
    std::string media_root;
    std::vector<std::string> extra;  // more flags; --listen 127.0.0.1:0 unless they give one
    bool die_with_parent = false;    // killed when the process that started it dies
  };
  // Starts `framepipe serve --data DATA --media-root ROOT EXTRA...`, its output in DATA.serve.log,
  // and waits until it says on which port it listens; an Error with its log when it does not.
  static Result<ServeChild> start(const Options& options);

  ServeChild(ServeChild&& other) noexcept
      : child_(std::exchange(other.child_, std::nullopt)),
        port_(other.port_),
        log_(std::move(other.log_)) {}
  ServeChild& operator=(ServeChild&&) = delete;
  ~ServeChild() { stop(SIGKILL); }

  int port() const { return port_; }
  pid_t pid() const { return child_ ? child_->pid() : -1; }
  const std::filesystem::path& log() const { return log_; }
  // A client of its own: 30 s to connect, 60 s to read, with a bearer token when one is given.
  httplib::Client client(const std::string& token = "") const;
  // Signals the server and waits for it; its exit code as a shell gives it (-1 once stopped).
  int stop(int signal);

 private:
  ServeChild(ChildProcess child, int port, std::filesystem::path log)
      : child_(std::move(child)), port_(port), log_(std::move(log)) {}
  std::optional<ChildProcess> child_;
  int port_ = 0;
  std::filesystem::path log_;
};

// The JSON body of an answer (null when there is none or it is not JSON).
nlohmann::json body_of(const httplib::Result& result);
// Whether a job object is in an end state (not queued, not running, and a job at all).
bool job_ended(const nlohmann::json& job);
// The pids of the processes whose command line holds `text` (the jobs of a data folder).
std::vector<pid_t> processes_with(const std::string& text);

}  // namespace fp::test
