#include "serve/serve_support.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <thread>

namespace fp::test {

namespace fs = std::filesystem;
using nlohmann::json;

ServeProcess::ServeProcess(const fs::path& data, const std::vector<std::string>& extra)
    : log_(data.string() + ".serve.log") {
  std::vector<std::string> argv{FRAMEPIPE_BINARY, "serve",        "--data",
                                data.string(),    "--media-root", media_path("").string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  if (std::find(extra.begin(), extra.end(), "--listen") == extra.end()) {
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  }
  SpawnOptions options;
  options.output = log_;
  auto child = ChildProcess::spawn(argv, options);
  if (!child.ok()) throw std::runtime_error(child.error().message());
  child_ = std::move(child).value();
  const std::regex listening("listening on http://[^:]+:([0-9]+)/");
  for (int i = 0; i < 200 && port_ == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::smatch match;
    const std::string text = read_file(log_);
    if (std::regex_search(text, match, listening)) port_ = std::stoi(match[1]);
    ExitStatus ended;
    if (child_->poll(ended)) throw std::runtime_error("framepipe serve exited: " + text);
  }
  if (port_ == 0) throw std::runtime_error("framepipe serve did not start: " + read_file(log_));
}

ServeProcess::~ServeProcess() { stop(SIGKILL); }

int ServeProcess::stop(int signal) {
  if (!child_) return -1;
  child_->signal(signal);
  const int code = child_->wait().shell_code();
  child_.reset();
  return code;
}

httplib::Client ServeProcess::client(const std::string& token) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(30, 0);
  if (!token.empty()) client.set_bearer_token_auth(token.c_str());
  return client;
}

json body_of(const httplib::Result& result) {
  if (!result) return nullptr;
  const json parsed = json::parse(result->body, nullptr, false);
  return parsed.is_discarded() ? json(nullptr) : parsed;
}

json submit_job(httplib::Client& client, const json& request) {
  const auto result = client.Post("/api/jobs", request.dump(), "application/json");
  EXPECT_TRUE(result) << "no answer";
  if (!result) return nullptr;
  EXPECT_EQ(result->status, 201) << result->body;
  return body_of(result);
}

bool job_ended(const json& job) {
  const std::string state = job.value("state", "");
  return state != "queued" && state != "running";
}

json wait_for_job(httplib::Client& client, int64_t id, const std::function<bool(const json&)>& done,
                  std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json job;
  while (std::chrono::steady_clock::now() < deadline) {
    job = body_of(client.Get("/api/jobs/" + std::to_string(id)));
    if (job.is_object() && done(job)) return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "job " << id << " did not get there in time: " << job;
  return job;
}

std::vector<int> processes_with(const std::string& text) {
  std::vector<int> pids;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    const std::string cmdline((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (cmdline.find(text) != std::string::npos) pids.push_back(std::stoi(name));
  }
  return pids;
}

}  // namespace fp::test
