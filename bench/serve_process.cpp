#include "serve_process.hpp"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "bench_support.hpp"
#include "core/clock.hpp"

namespace fp::bench {

namespace fs = std::filesystem;
using nlohmann::json;

ServeProcess::ServeProcess(const std::string& framepipe, const fs::path& data,
                           const std::string& media_root, const std::vector<std::string>& extra)
    : test::ServeChild(value_or_die(test::ServeChild::start(
          {framepipe, data, media_root, extra, /*die_with_parent=*/true}))) {}

json wait_until_ended(httplib::Client& client, int64_t id, double timeout_seconds) {
  const auto start = SteadyClock::now();
  json job;
  while (seconds_since(start) < timeout_seconds) {
    job = body_of(client.Get("/api/jobs/" + std::to_string(id)));
    if (job_ended(job)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return job;
}

bool follow_events(httplib::Client& client, int64_t id,
                   const std::function<bool(const std::string&, const json&)>& on_event) {
  std::string pending;
  const auto result =
      client.Get("/api/jobs/" + std::to_string(id) + "/events", [&](const char* data, size_t size) {
        pending.append(data, size);
        // Events are "event: NAME\ndata: JSON\n\n"; a chunk may end inside one.
        for (size_t end; (end = pending.find("\n\n")) != std::string::npos;) {
          const std::string event = pending.substr(0, end);
          pending.erase(0, end + 2);
          const size_t name = event.find("event: ");
          const size_t payload = event.find("\ndata: ");
          if (name == std::string::npos || payload == std::string::npos) continue;
          const std::string event_name = event.substr(name + 7, payload - name - 7);
          const json job = json::parse(event.substr(payload + 7), nullptr, false);
          if (!on_event(event_name, job)) return false;
        }
        return true;
      });
  // Stopping the stream from on_event ends the request with Error::Canceled.
  return result || result.error() == httplib::Error::Canceled;
}

std::optional<ProcessCpu> process_cpu(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  // Fields after the command name (in parentheses, which may hold spaces): state is field 3;
  // utime, stime, cutime, cstime are fields 14-17.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
  if (f.size() < 15) return std::nullopt;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  return ProcessCpu{(std::stod(f[11]) + std::stod(f[12])) / tick,
                    (std::stod(f[13]) + std::stod(f[14])) / tick};
}

}  // namespace fp::bench
