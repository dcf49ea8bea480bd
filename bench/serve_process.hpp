// What serve_bench needs around `framepipe serve`: the server started on a free loopback port, the
// answers' JSON, the event stream, and the CPU time the kernel accounts to a process.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/child_process.hpp"

namespace fp::bench {

class ServeProcess {
 public:
  // Starts `framepipe serve --listen 127.0.0.1:0 --data DATA --media-root MEDIA EXTRA...` with its
  // output in DATA.log and waits until it says on which port it listens; dies when it does not.
  // The server dies with this process (and its jobs with it).
  ServeProcess(const std::string& framepipe, const std::filesystem::path& data,
               const std::string& media_root, const std::vector<std::string>& extra);
  int port() const { return port_; }
  pid_t pid() const { return child_->pid(); }
  const std::filesystem::path& log() const { return log_; }
  // A client of its own (the tests' settings: 30 s to connect, 60 s to read).
  httplib::Client client() const;
  // Sends SIGTERM and waits; the exit code.
  int stop();

 private:
  std::filesystem::path log_;
  std::optional<ChildProcess> child_;
  int port_ = 0;
};

// The JSON body of an answer (null when there is none or it is not JSON).
nlohmann::json body_of(const httplib::Result& result);

// GET /api/jobs/{id} every 50 ms until the job has ended or `timeout_seconds` pass; the last job
// seen (null when none).
nlohmann::json wait_until_ended(httplib::Client& client, int64_t id, double timeout_seconds);
bool job_ended(const nlohmann::json& job);

// GET /api/jobs/{id}/events, calling `on_event(name, job)` for each event until it returns false
// or the stream ends; false when the request failed.
bool follow_events(httplib::Client& client, int64_t id,
                   const std::function<bool(const std::string&, const nlohmann::json&)>& on_event);

// CPU seconds of a live process from /proc/PID/stat: its own (utime + stime, all threads) and
// those of its children it has reaped (cutime + cstime). nullopt once it is gone.
struct ProcessCpu {
  double own = 0;
  double children = 0;
};
std::optional<ProcessCpu> process_cpu(pid_t pid);

// The pids of the processes whose command line holds `text`.
std::vector<pid_t> processes_with(const std::string& text);

}  // namespace fp::bench
