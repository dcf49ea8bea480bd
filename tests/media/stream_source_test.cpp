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
  const auto made = fp::test::run_program(
      {"ffmpeg", "-hide_banner", "-loglevel", "error", "-i", media_path("video/vtest_480x360.avi"),
       "-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-f", "mpegts", ts});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string bytes = fp::test::read_file(ts);

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

}  // namespace
}  // namespace fp::media
