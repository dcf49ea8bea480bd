// Streams over real sockets on 127.0.0.1: an ffmpeg HTTP server, and hand-made servers that
// never answer or stop answering half-way.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "media/source.hpp"
#include "test_support.hpp"

namespace fp::media {
namespace {

using fp::test::media_path;
using fp::test::TempDir;

// Answers one HTTP request with `body`, then keeps the connection open without sending more.
class StallingServer {
 public:
  explicit StallingServer(std::string body)
      : socket_(true), thread_([this, body] { serve(body); }) {}
  ~StallingServer() {
    done_ = true;
    shutdown(socket_.fd(), SHUT_RDWR);  // wakes accept() if no client ever came
    thread_.join();
  }
  int port() const { return socket_.port(); }

 private:
  void serve(const std::string& body) {
    const int client = accept(socket_.fd(), nullptr, nullptr);
    if (client < 0) return;
    char request[4096];
    if (recv(client, request, sizeof(request), 0) > 0) {
      const std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\n\r\n" + body;
      send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
    }
    while (!done_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::close(client);
  }

  test::LocalSocket socket_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// vtest re-encoded as MPEG-TS at `path` (its AVI packets carry no timestamps, which MPEG-TS
// needs); returns the file's bytes, empty if ffmpeg failed.
std::string vtest_as_mpegts(const std::string& path) {
  const auto made = fp::test::run_program(
      {"ffmpeg", "-hide_banner", "-loglevel", "error", "-i", media_path("video/vtest_480x360.avi"),
       "-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts", path});
  EXPECT_EQ(made.exit_code, 0) << made.output;
  return made.exit_code == 0 ? fp::test::read_file(path) : std::string();
}

std::string url(int port) { return "http://127.0.0.1:" + std::to_string(port) + "/v.ts"; }

TEST(StreamSource, ReadsAllFramesFromAnFfmpegHttpServer) {
  test::LocalSocket probe(false);
  const int port = probe.port();
  probe.close();
  // vtest.avi's H.264 packets carry no pts, which MPEG-TS requires, so the server re-encodes
  // instead of copying (-c copy fails with "first pts and dts value must be set").
  test::BackgroundProcess server({"ffmpeg", "-hide_banner", "-loglevel", "error", "-i",
                                  media_path("video/vtest_480x360.avi"), "-map", "0:v", "-c:v",
                                  "libx264", "-preset", "ultrafast", "-f", "mpegts", "-listen", "1",
                                  url(port)});
  SourceOptions options;
  options.io_timeout = 5;
  std::unique_ptr<Source> source;
  std::string last_error;
  const auto started = SteadyClock::now();
  while (!source && seconds_since(started) < 10) {  // the server needs a moment to listen
    auto opened = open_source(url(port), options);
    if (opened.ok()) {
      source = std::move(opened).value();
    } else {
      last_error = opened.error().message();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ASSERT_TRUE(source) << last_error;
  EXPECT_EQ(source->info().kind, "stream");
  EXPECT_EQ(source->info().width, 480);
  EXPECT_NEAR(source->info().fps, 10, 1e-9);

  int64_t count = 0, first_index = -1, previous_index = -1;
  double previous_pts = -1;
  for (;;) {
    auto next = source->next();
    ASSERT_TRUE(next.ok()) << next.error().message();
    if (!next.value()) break;
    const Frame& frame = *next.value();
    if (first_index < 0) first_index = frame.index;
    if (previous_index >= 0) {
      ASSERT_EQ(frame.index, previous_index + 1);
      ASSERT_GT(frame.pts, previous_pts);
    }
    ASSERT_FALSE(frame.skipped()) << "frame " << frame.index << ": " << frame.skip_reason;
    previous_index = frame.index;
    previous_pts = frame.pts;
    ++count;
  }
  EXPECT_GE(count, 780);
  EXPECT_LE(count, 795);
  EXPECT_EQ(first_index, 0);
}

TEST(StreamSource, ClosedPortFailsWithAnErrorNamingTheUrl) {
  test::LocalSocket probe(false);
  const std::string uri = url(probe.port());
  probe.close();
  SourceOptions options;
  options.io_timeout = 2;
  auto source = open_source(uri, options);
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().message().find(uri), std::string::npos) << source.error().message();
}

TEST(StreamSource, SilentServerTimesOutInsteadOfHanging) {
  test::LocalSocket server(true);  // accepts connections (kernel backlog) but never answers
  SourceOptions options;
  options.io_timeout = 1;
  // Without the deadline this open would block for as long as the socket stays open.
  auto source = open_source(url(server.port()), options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().message(), "stream " + url(server.port()) + ": no data for 1 s");
}

TEST(StreamSource, ServerStallingMidStreamEndsTheSourceAsTruncated) {
  TempDir dir;
  const std::string ts = dir / "v.ts";
  const std::string bytes = vtest_as_mpegts(ts);
  ASSERT_FALSE(bytes.empty());

  StallingServer server(bytes.substr(0, bytes.size() / 2));
  SourceOptions options;
  options.io_timeout = 1;
  auto source = open_source(url(server.port()), options);
  ASSERT_TRUE(source.ok()) << source.error().message();
  int64_t count = 0;
  for (;;) {
    auto next = (*source)->next();
    ASSERT_TRUE(next.ok()) << next.error().message();
    if (!next.value()) break;
    ++count;
  }
  EXPECT_GT(count, 300);
  EXPECT_LT(count, 500);
  const SourceReport report = (*source)->report();
  EXPECT_TRUE(report.truncated);
  EXPECT_EQ(report.last_error, "stream " + url(server.port()) + ": no data for 1 s");
}

// Sets `flag` `delay` seconds after construction (or once `when` returns true, then waits `delay`),
// and remembers when.
class DelayedCancel {
 public:
  template <class Ready>
  DelayedCancel(std::atomic<bool>& flag, double delay, Ready when)
      : thread_([this, &flag, delay, when] {
          while (!stop_ && !when()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
          std::this_thread::sleep_for(std::chrono::duration<double>(delay));
          set_at_ = SteadyClock::now();
          flag = true;
        }) {}
  ~DelayedCancel() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Seconds since the flag was set (call after something waited for it).
  double seconds_since_set() {
    if (thread_.joinable()) thread_.join();
    return seconds_since(set_at_);
  }

 private:
  std::atomic<bool> stop_{false};
  SteadyClock::time_point set_at_;
  std::thread thread_;
};

TEST(StreamSource, CancelStopsABlockedOpenAtOnce) {
  test::LocalSocket server(true);  // accepts connections (kernel backlog) but never answers
  std::atomic<bool> cancel{false};
  SourceOptions options;
  options.io_timeout = 30;
  options.cancel = &cancel;
  const auto started = SteadyClock::now();
  DelayedCancel canceller(cancel, 0.3, [] { return true; });
  auto source = open_source(url(server.port()), options);
  const double waited = seconds_since(started);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().message(), "stream '" + url(server.port()) + "': opening was cancelled");
  EXPECT_GE(waited, 0.25);
  EXPECT_LT(waited, 1.3) << "open waited for io_timeout instead of the cancel flag";
}

TEST(StreamSource, CancelEndsABlockedReadAsEndOfInput) {
  TempDir dir;
  const std::string ts = dir / "v.ts";
  const std::string bytes = vtest_as_mpegts(ts);
  ASSERT_FALSE(bytes.empty());

  StallingServer server(bytes.substr(0, bytes.size() / 2));  // about 400 frames, then silence
  std::atomic<bool> cancel{false};
  SourceOptions options;
  options.io_timeout = 30;
  options.cancel = &cancel;
  auto source = open_source(url(server.port()), options);
  ASSERT_TRUE(source.ok()) << source.error().message();
  // By 300 frames plus 0.3 s the reader has taken all that was sent and is blocked waiting.
  std::atomic<int64_t> count{0};
  DelayedCancel canceller(cancel, 0.3, [&count] { return count >= 300; });
  for (;;) {
    auto next = (*source)->next();
    ASSERT_TRUE(next.ok()) << next.error().message();
    if (!next.value()) break;
    ++count;
  }
  EXPECT_LT(canceller.seconds_since_set(), 1.0) << "next() waited for io_timeout";
  EXPECT_GT(count, 300);
  EXPECT_LT(count, 500);
  auto after = (*source)->next();
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after.value().has_value());
  const SourceReport report = (*source)->report();
  EXPECT_FALSE(report.truncated);
  EXPECT_TRUE(report.last_error.empty()) << report.last_error;
}

}  // namespace
}  // namespace fp::media
