#include "serve/serve_child.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <regex>
#include <thread>

namespace fp::test {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

Result<ServeChild> ServeChild::start(const Options& o) {
  const fs::path log = o.data.string() + ".serve.log";
  std::vector<std::string> argv{o.framepipe,     "serve",        "--data",
                                o.data.string(), "--media-root", o.media_root};
  argv.insert(argv.end(), o.extra.begin(), o.extra.end());
  if (std::find(o.extra.begin(), o.extra.end(), "--listen") == o.extra.end()) {
    argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  }
  SpawnOptions options;
  options.output = log;
  options.die_with_parent = o.die_with_parent;
  FP_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::spawn(argv, options));
  const std::regex listening("listening on http://[^:]+:([0-9]+)/");
  for (int i = 0; i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    const std::string text = read_text(log);
    std::smatch match;
    if (std::regex_search(text, match, listening)) {
      return ServeChild(std::move(child), std::stoi(match[1]), log);
    }
    ExitStatus ended;
    if (child.poll(ended)) {
      return Error("framepipe serve exited with " + std::to_string(ended.shell_code()) + ": " +
                   text);
    }
  }
  child.signal(SIGKILL);
  child.wait();
  return Error("framepipe serve did not say where it listens in 10 s: " + read_text(log));
}

httplib::Client ServeChild::client(const std::string& token) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(30, 0);
  client.set_read_timeout(60, 0);
  if (!token.empty()) client.set_bearer_token_auth(token.c_str());
  return client;
}

int ServeChild::stop(int signal) {
  if (!child_) return -1;
  child_->signal(signal);
  const int code = child_->wait().shell_code();
  child_.reset();
  return code;
}

json body_of(const httplib::Result& result) {
  if (!result) return nullptr;
  json parsed = json::parse(result->body, nullptr, false);
  return parsed.is_discarded() ? json(nullptr) : parsed;
}

bool job_ended(const json& job) {
  const std::string state = job.is_object() ? job.value("state", "") : "";
  return !state.empty() && state != "queued" && state != "running";
}

std::vector<pid_t> processes_with(const std::string& text) {
  std::vector<pid_t> pids;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (read_text(entry.path() / "cmdline").find(text) != std::string::npos) {
      pids.push_back(std::stoi(name));
    }
  }
  return pids;
}

}  // namespace fp::test
