// What serve_bench needs around `framepipe serve`: the server (started as the tests start it),
// waiting for a job, its event stream, and the CPU time the kernel accounts to a process.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "serve/serve_child.hpp"

namespace fp::bench {

// The server for serve_bench (tests/serve/serve_child.hpp): `framepipe serve` with `data` as --data
// and `extra` flags; the bench dies when it does not start, and the server dies with the bench.
class ServeProcess : public test::ServeChild {
 public:
  ServeProcess(const std::string& framepipe, const std::filesystem::path& data,
               const std::string& media_root, const std::vector<std::string>& extra);
};

using test::body_of;
using test::job_ended;
using test::processes_with;

// GET /api/jobs/{id} every 50 ms until the job has ended or `timeout_seconds` pass; the last job
// seen (null when none).
nlohmann::json wait_until_ended(httplib::Client& client, int64_t id, double timeout_seconds);

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

}  // namespace fp::bench
