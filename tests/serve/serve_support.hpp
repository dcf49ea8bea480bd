// A `framepipe serve` started for a test on a free loopback port, and small HTTP helpers.
#pragma once

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/child_process.hpp"
#include "test_support.hpp"

namespace fp::test {

class ServeProcess {
 public:
  // Starts the server with `data` as --data, the shared media as a media root and `extra` flags
  // (listening on 127.0.0.1 and a free port unless they give --listen); waits until it says on
  // which port it listens.
  ServeProcess(const std::filesystem::path& data, const std::vector<std::string>& extra);
  ~ServeProcess();
  int port() const { return port_; }
  httplib::Client client(const std::string& token = "") const;
  // Signals the server and waits for it; its exit code.
  int stop(int signal);
  const std::filesystem::path& log() const { return log_; }

 private:
  std::filesystem::path log_;
  std::optional<ChildProcess> child_;
  int port_ = 0;
};

// The JSON body of a response (null when there is none or it is not JSON).
nlohmann::json body_of(const httplib::Result& result);
// POST /api/jobs with `request`; the created job (fails the test otherwise).
nlohmann::json submit_job(httplib::Client& client, const nlohmann::json& request);
// GET /api/jobs/{id} until `done` holds for it or `timeout` passes; the last job seen.
nlohmann::json wait_for_job(httplib::Client& client, int64_t id,
                            const std::function<bool(const nlohmann::json&)>& done,
                            std::chrono::seconds timeout = std::chrono::seconds(120));
bool job_ended(const nlohmann::json& job);
// The pids of the processes whose command line holds `text` (the jobs of a data folder).
std::vector<int> processes_with(const std::string& text);

}  // namespace fp::test
