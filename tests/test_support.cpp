#include "test_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace fp::test {

namespace fs = std::filesystem;

fs::path shared_dir() { return fs::path(FRAMEPIPE_SHARED_DIR); }
fs::path media_path(const std::string& relative) { return shared_dir() / "media" / relative; }
fs::path models_dir() { return shared_dir() / "models"; }
fs::path source_dir() { return fs::path(FRAMEPIPE_SOURCE_DIR); }

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("framepipe-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

namespace {

CommandResult run_program_with_env(const std::vector<std::string>& argv,
                                   const std::vector<std::pair<std::string, std::string>>& env) {
  auto run = run_captured(argv, env);
  if (!run.ok()) return CommandResult{127, run.error().message()};
  return CommandResult{run->status.shell_code(), std::move(run->output)};
}

}  // namespace

CommandResult run_program(const std::vector<std::string>& argv) {
  return run_program_with_env(argv, {});
}

CommandResult run_framepipe_with_env(const std::vector<std::string>& args,
                                     const std::vector<std::pair<std::string, std::string>>& env) {
  std::vector<std::string> argv{FRAMEPIPE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program_with_env(argv, env);
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv) {
  auto child = ChildProcess::spawn(argv);
  if (!child.ok()) throw std::runtime_error(child.error().message());
  child_ = std::move(child).value();
}

ScopedEnv::ScopedEnv(std::string name, const std::optional<std::string>& value)
    : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) old_ = old;
  if (value) {
    setenv(name_.c_str(), value->c_str(), 1);
  } else {
    unsetenv(name_.c_str());
  }
}

ScopedEnv::~ScopedEnv() {
  if (old_) {
    setenv(name_.c_str(), old_->c_str(), 1);
  } else {
    unsetenv(name_.c_str());
  }
}

int BackgroundProcess::stop(int signal) {
  if (!child_) return -1;
  child_->signal(signal);
  const int code = child_->wait().shell_code();
  child_.reset();
  return code;
}

BackgroundProcess::~BackgroundProcess() { stop(SIGKILL); }

LocalSocket::LocalSocket(bool listen_now) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  if (listen_now) listen(fd_, 4);
}

void LocalSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

int free_tcp_port() { return LocalSocket(false).port(); }

CommandResult run_framepipe(const std::vector<std::string>& args) {
  return run_framepipe_with_env(args, {});
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void wait_for_file_size(const fs::path& path, size_t bytes) {
  for (int i = 0; i < 300 && read_file(path).size() < bytes; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::vector<nlohmann::json> read_jsonl(const fs::path& path) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    nlohmann::json row = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(row.is_discarded()) << path << ": " << line;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::map<int, std::vector<nlohmann::json>> rows_by_stream(const fs::path& jsonl) {
  std::map<int, std::vector<nlohmann::json>> streams;
  for (nlohmann::json row : read_jsonl(jsonl)) {
    const int stream = row["stream"];
    row.erase("stream");
    streams[stream].push_back(std::move(row));
  }
  return streams;
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

void write_prefix(const fs::path& from, const fs::path& to, double fraction) {
  const std::string bytes = read_file(from);
  write_file(to,
             bytes.substr(0, static_cast<size_t>(static_cast<double>(bytes.size()) * fraction)));
}

void write_with_garbage(const fs::path& from, const fs::path& to, double fraction, size_t count,
                        unsigned seed) {
  std::string bytes = read_file(from);
  std::mt19937 random(seed);
  const auto offset = static_cast<size_t>(static_cast<double>(bytes.size()) * fraction);
  for (size_t i = offset; i < offset + count && i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(random() & 0xFF);
  }
  write_file(to, bytes);
}

std::string run_unprivileged(const std::function<std::string()>& body) {
  if (geteuid() != 0) return body();
  int channel[2];
  if (pipe(channel) != 0) return "pipe failed";
  const pid_t pid = fork();
  if (pid == 0) {
    ::close(channel[0]);
    constexpr uid_t kNobody = 65534;
    std::string text =
        setgid(kNobody) == 0 && setuid(kNobody) == 0 ? body() : std::string("setuid failed");
    const ssize_t written = ::write(channel[1], text.data(), text.size());
    _exit(written == static_cast<ssize_t>(text.size()) ? 0 : 1);
  }
  ::close(channel[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t got; (got = ::read(channel[0], buffer, sizeof(buffer))) > 0;)
    text.append(buffer, got);
  ::close(channel[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return text;
}

SlowHttpFileServer::SlowHttpFileServer(const fs::path& file, size_t bytes_per_second)
    : content_(read_file(file)), bytes_per_second_(bytes_per_second) {
  thread_ = std::thread([this] { serve(); });
}

SlowHttpFileServer::~SlowHttpFileServer() {
  stop_ = true;  // serve() polls it at least every 100 ms
  thread_.join();
}

std::string SlowHttpFileServer::url() const {
  return "http://127.0.0.1:" + std::to_string(socket_.port()) + "/file";
}

void SlowHttpFileServer::serve() {
  const int listener = socket_.fd();
  while (!stop_) {
    pollfd ready{listener, POLLIN, 0};
    if (poll(&ready, 1, 100) <= 0) continue;
    const int client = accept(listener, nullptr, nullptr);
    if (client < 0) continue;
    char request[4096];
    (void)::recv(client, request, sizeof(request), 0);  // any request gets the whole file
    const std::string header =
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        "Content-Length: " +
        std::to_string(content_.size()) + "\r\nConnection: close\r\n\r\n";
    bool ok = ::send(client, header.data(), header.size(), MSG_NOSIGNAL) > 0;
    const size_t chunk = std::max<size_t>(1, bytes_per_second_ / 20);
    for (size_t at = 0; ok && !stop_ && at < content_.size(); at += chunk) {
      const size_t size = std::min(chunk, content_.size() - at);
      ok = ::send(client, content_.data() + at, size, MSG_NOSIGNAL) == static_cast<ssize_t>(size);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::close(client);
  }
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
  return names;
}

void expect_config_errors(const std::vector<std::pair<std::string, std::string>>& cases) {
  for (const auto& [yaml, expected] : cases) {
    TempDir dir;
    write_file(dir / "p.yaml", "name: p\n" + yaml);
    const auto r =
        run_framepipe({"run", (dir / "p.yaml").string(), media_path("images/lena.jpg").string(),
                       "--out", (dir / "out").string(), "--no-progress"});
    EXPECT_EQ(r.exit_code, 2) << yaml << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << yaml << r.output;
  }
}

}  // namespace fp::test
