// framepipe serve against a real server on a loopback port (issue 13): a job's whole life, cancel,
// the synchronous mode with a client that leaves, a job killed, the server killed and restarted,
// the CPU budget, and every refused request.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "serve/serve_support.hpp"

namespace fp::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kVideo = "video/vtest_480x360.avi";  // 795 frames

json people(int stride, int cpus = 1) {
  return {{"pipeline", "people"},
          {"inputs", {kVideo}},
          {"options", {{"stride", stride}, {"cpus", cpus}}}};
}

bool state_is(const json& job, const char* state) { return job["state"] == state; }

// The pids of `data`'s running jobs.
std::vector<pid_t> job_processes(const fs::path& data) {
  return processes_with((data / "jobs").string() + "/");
}

// The cores a process may run on, from /proc/PID/status ("0-1", "1").
std::string allowed_cores(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Cpus_allowed_list:", 0) == 0) return line.substr(line.find_last_of('\t') + 1);
  }
  return "";
}

TEST(Serve, AJobRunsWithProgressEventsAndItsOutputsMatchADirectRun) {
  TempDir dir;
  ServeProcess server(dir / "data", {"--cpus", "2"});
  auto client = server.client();
  const json job = submit_job(client, people(4));
  ASSERT_TRUE(job.is_object());
  EXPECT_EQ(job["state"], "queued");
  EXPECT_EQ(job["inputs"], json::array({kVideo}));

  // The event stream: progress while it runs, then one `end` with the finished job.
  std::vector<std::string> events;
  json last;
  auto stream = server.client();
  stream.Get("/api/jobs/" + job["id"].dump() + "/events", [&](const char* data, size_t size) {
    std::string text(data, size);
    for (size_t at = 0; (at = text.find("event: ", at)) != std::string::npos;) {
      const size_t end = text.find('\n', at);
      events.push_back(text.substr(at + 7, end - at - 7));
      const size_t payload = text.find("data: ", end);
      last = json::parse(text.substr(payload + 6, text.find('\n', payload) - payload - 6));
      at = end;
    }
    return true;
  });
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.front(), "progress");
  EXPECT_EQ(events.back(), "end");
  EXPECT_EQ(std::count(events.begin(), events.end(), "end"), 1);
  EXPECT_EQ(last["state"], "completed") << last;
  EXPECT_EQ(last["progress"]["percent"], 100.0);
  EXPECT_EQ(last["exit_code"], 0);
  EXPECT_GT(last["summary"]["fps"].get<double>(), 0);
  EXPECT_FALSE(last["summary"]["stages"].empty());
  const std::set<std::string> files = last["files"].get<std::set<std::string>>();
  EXPECT_EQ(files, (std::set<std::string>{"detections.jsonl", "run.json"}));

  // The same run done directly gives the same detections.
  const auto direct = run_framepipe(
      {"run", (source_dir() / "examples/people.yaml").string(), media_path(kVideo).string(),
       "--out", (dir / "direct").string(), "--stride", "4", "--cpus", "1", "--no-progress"});
  ASSERT_EQ(direct.exit_code, 0) << direct.output;
  const auto download = client.Get("/api/jobs/" + job["id"].dump() + "/files/detections.jsonl");
  ASSERT_TRUE(download);
  EXPECT_EQ(download->status, 200);
  EXPECT_EQ(download->body, read_file(dir / "direct" / "detections.jsonl"));

  // An ended job's files are what it wrote, listed once when it ended (a list of many ended jobs
  // reads no folder): a file put in its folder later is not one of them.
  write_file(dir / "data" / "jobs" / job["id"].dump() / "out" / "later.txt", "x");
  const json listed = body_of(client.Get("/api/jobs?state=completed"));
  ASSERT_EQ(listed["jobs"].size(), 1u);
  EXPECT_EQ(listed["jobs"][0]["id"], job["id"]);
  EXPECT_EQ(listed["jobs"][0]["files"].get<std::set<std::string>>(), files);
  EXPECT_TRUE(body_of(client.Get("/api/jobs?state=running"))["jobs"].empty());
  const std::string metrics = client.Get("/metrics")->body;
  EXPECT_NE(metrics.find("framepipe_jobs{state=\"completed\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("framepipe_cores_budget 2"), std::string::npos);
  EXPECT_NE(metrics.find("framepipe_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.find("route=\"/api/jobs/{id}/events\""), std::string::npos);
}

TEST(Serve, CancelStopsARunningJobAndLeavesItsOutputsPartial) {
  TempDir dir;
  ServeProcess server(dir / "data", {"--cpus", "1"});
  auto client = server.client();
  const json running =
      submit_job(client, {{"pipeline", "faces"}, {"inputs", {"video/short_hamilton_clip.mp4"}}});
  const json queued = submit_job(client, people(1));
  const std::string id = running["id"].dump();
  wait_for_job(client, running["id"], [](const json& j) {
    return state_is(j, "running") && j["progress"]["frames"].get<int>() > 0;
  });
  const auto cancel = client.Post("/api/jobs/" + id + "/cancel", "", "application/json");
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->status, 200) << cancel->body;
  const json ended = wait_for_job(client, running["id"], job_ended);
  EXPECT_EQ(ended["state"], "cancelled") << ended;
  for (const std::string file : ended["files"]) {
    if (file != "run.json") EXPECT_NE(file.find(".partial"), std::string::npos) << file;
  }
  const auto again = client.Post("/api/jobs/" + id + "/cancel", "", "application/json");
  EXPECT_EQ(again->status, 409);
  // A queued job is cancelled at once, and never starts.
  const auto dequeued =
      client.Post("/api/jobs/" + queued["id"].dump() + "/cancel", "", "application/json");
  if (body_of(dequeued)["started"].is_null()) {
    EXPECT_EQ(body_of(dequeued)["state"], "cancelled");
  }
}

// Sends `body` as POST /api/jobs on a connection of its own, reads for `seconds`, and closes it:
// what it had received by then.
std::string post_and_leave(int port, const std::string& body, int seconds) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return "";
  const std::string request =
      "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  if (send(fd, request.data(), request.size(), 0) < 0) return "";
  std::string received;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    pollfd ready{fd, POLLIN, 0};
    if (poll(&ready, 1, 50) <= 0) continue;
    char buffer[4096];
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return received;
}

TEST(Serve, AWaitingClientThatLeavesCancelsItsJob) {
  TempDir dir;
  ServeProcess server(dir / "data", {"--cpus", "1"});
  json request = people(1);
  request["wait"] = true;
  const std::string received = post_and_leave(server.port(), request.dump(), 2);
  EXPECT_EQ(received.rfind("HTTP/1.1 201", 0), 0u) << received;
  EXPECT_EQ(received.find("\"state\""), std::string::npos) << "answered before the job ended";
  const auto left = std::chrono::steady_clock::now();
  auto client = server.client();
  const json ended = wait_for_job(client, 1, job_ended, std::chrono::seconds(10));
  EXPECT_EQ(ended["state"], "cancelled") << ended;
  while (!job_processes(dir / "data").empty() &&
         std::chrono::steady_clock::now() - left < std::chrono::seconds(2)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(job_processes(dir / "data").empty()) << "a job process outlived its client by 2 s";

  // A client that stays gets the ended job.
  request = {{"pipeline", "photos"}, {"inputs", {"images/lena.jpg"}}, {"wait", true}};
  const auto answered = client.Post("/api/jobs", request.dump(), "application/json");
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 201);
  EXPECT_EQ(body_of(answered)["state"], "completed") << answered->body;
}

TEST(Serve, AKilledJobFailsWithItsSignalAndTheServerGoesOn) {
  TempDir dir;
  ServeProcess server(dir / "data", {"--cpus", "1"});
  auto client = server.client();
  const json job = submit_job(client, people(1));
  wait_for_job(client, job["id"], [](const json& j) {
    return state_is(j, "running") && j["progress"]["frames"].get<int>() > 0;
  });
  const std::vector<int> pids = job_processes(dir / "data");
  ASSERT_EQ(pids.size(), 1u);
  ::kill(pids[0], SIGKILL);
  const json ended = wait_for_job(client, job["id"], job_ended);
  EXPECT_EQ(ended["state"], "failed");
  EXPECT_NE(ended["error"].get<std::string>().find("killed by signal 9"), std::string::npos)
      << ended;
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  const json next = submit_job(client, people(8));
  EXPECT_EQ(wait_for_job(client, next["id"], job_ended)["state"], "completed");
}

TEST(Serve, ARestartedServerShowsEveryJobInterruptedOrQueuedAgain) {
  TempDir dir;
  int64_t running_id = 0, queued_id = 0, done_id = 0;
  {
    ServeProcess server(dir / "data", {"--cpus", "1"});
    auto client = server.client();
    done_id = submit_job(client, {{"pipeline", "photos"}, {"inputs", {"images/lena.jpg"}}})["id"];
    wait_for_job(client, done_id, job_ended);
    running_id = submit_job(client, people(1))["id"];
    queued_id = submit_job(client, people(8))["id"];
    wait_for_job(client, running_id, [](const json& j) {
      return state_is(j, "running") && j["progress"]["frames"].get<int>() > 0;
    });
    EXPECT_EQ(server.stop(SIGKILL), 128 + SIGKILL);
  }
  // The job's process died with the server.
  for (int i = 0; i < 100 && !job_processes(dir / "data").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(job_processes(dir / "data").empty());
  ServeProcess restarted(dir / "data", {"--cpus", "1"});
  auto client = restarted.client();
  EXPECT_EQ(body_of(client.Get("/api/jobs/" + std::to_string(done_id)))["state"], "completed");
  const json interrupted = body_of(client.Get("/api/jobs/" + std::to_string(running_id)));
  EXPECT_EQ(interrupted["state"], "interrupted") << interrupted;
  EXPECT_NE(std::string(interrupted["files"].dump()).find(".partial"), std::string::npos);
  EXPECT_EQ(wait_for_job(client, queued_id, job_ended)["state"], "completed");
  EXPECT_EQ(body_of(client.Get("/api/jobs"))["jobs"].size(), 3u);
}

// A server stopped by SIGTERM interrupts its running job gracefully (SIGINT: the run writes its
// report as interrupted) before it exits; the job is stored as interrupted.
TEST(Serve, AStoppedServerInterruptsItsJobsGracefully) {
  TempDir dir;
  int64_t id = 0;
  {
    ServeProcess server(dir / "data", {"--cpus", "1"});
    auto client = server.client();
    id = submit_job(client, people(1))["id"];
    wait_for_job(client, id, [](const json& j) {
      return state_is(j, "running") && j["progress"]["frames"].get<int>() > 0;
    });
    EXPECT_EQ(server.stop(SIGTERM), 0);
  }
  EXPECT_TRUE(job_processes(dir / "data").empty());
  const json report =
      json::parse(read_file(dir / "data" / "jobs" / std::to_string(id) / "out" / "run.json"));
  EXPECT_EQ(report["status"], "interrupted") << report["status"];
  ServeProcess restarted(dir / "data", {"--cpus", "1"});
  auto client = restarted.client();
  EXPECT_EQ(body_of(client.Get("/api/jobs/" + std::to_string(id)))["state"], "interrupted");
}

// Jobs hold disjoint cores, never more than the budget: two 1-core jobs on a 1-core server run one
// after the other; on 2 cores two run at once, each pinned to its own core.
TEST(Serve, RunningJobsNeverShareCoresOrExceedTheBudget) {
  for (const int budget : {1, 2}) {
    TempDir dir;
    ServeProcess server(dir / "data", {"--cpus", std::to_string(budget)});
    auto client = server.client();
    std::vector<int64_t> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(submit_job(client, people(4))["id"]);
    size_t most_running = 0;
    bool all_ended = false;
    while (!all_ended) {
      const json jobs = body_of(client.Get("/api/jobs"))["jobs"];
      std::multiset<int> held;
      size_t running = 0;
      all_ended = true;
      for (const json& job : jobs) {
        all_ended = all_ended && job_ended(job);
        if (!state_is(job, "running")) continue;
        ++running;
        for (int core : job["cores"]) held.insert(core);
      }
      EXPECT_LE(held.size(), static_cast<size_t>(budget));
      EXPECT_EQ(std::set<int>(held.begin(), held.end()).size(), held.size()) << jobs;
      std::set<std::string> masks;
      for (int pid : job_processes(dir / "data")) masks.insert(allowed_cores(pid));
      EXPECT_LE(masks.size(), static_cast<size_t>(budget));
      for (const std::string& mask : masks) EXPECT_EQ(mask.find_first_of(",-"), std::string::npos);
      most_running = std::max(most_running, running);
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    EXPECT_EQ(most_running, static_cast<size_t>(budget));
    for (int64_t id : ids) {
      EXPECT_EQ(body_of(client.Get("/api/jobs/" + std::to_string(id)))["state"], "completed");
    }
  }
}

// cpp-httplib as Debian builds it listens with a backlog of 5; the service raises it, so that a
// burst of clients is queued by the kernel, not reset.
TEST(Serve, ABurstOfClientsIsServedWithoutResets) {
  TempDir dir;
  ServeProcess server(dir / "data", {"--cpus", "1"});
  constexpr int kClients = 150;
  std::atomic<int> ok{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      auto client = server.client();
      client.set_connection_timeout(5, 0);
      while (!go) std::this_thread::yield();
      const auto result = client.Get("/api/jobs");
      if (result && result->status == 200) ++ok;
    });
  }
  go = true;
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients);
  // ss shows a listening socket's backlog in its Send-Q column.
  const auto listed = run_program({"ss", "-ltnH", "sport = :" + std::to_string(server.port())});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  std::istringstream columns(listed.output);
  std::string state;
  int receive_queue = 0, backlog = 0;
  columns >> state >> receive_queue >> backlog;
  EXPECT_EQ(state, "LISTEN") << listed.output;
  EXPECT_GE(backlog, 128) << listed.output;
}

TEST(Serve, BadRequestsGetTheirStatusAndSayWhatIsWrong) {
  TempDir dir;
  fs::create_directories(dir / "media");
  fs::create_symlink("/etc/passwd", dir / "media" / "passwd.mp4");
  ServeProcess server(dir / "data",
                      {"--cpus", "1", "--queue", "1", "--media-root", (dir / "media").string()});
  auto client = server.client();
  struct Case {
    std::string body;
    int status;
    std::string field;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"{\"pipeline\": \"people\", ", 400, "", "not valid JSON"},
      {"[1, 2]", 400, "", "must be a JSON object"},
      {R"({"pipeline": "people", "inputs": ["video/vtest_480x360.avi"], "optoins": {}})", 400,
       "optoins", "unknown field"},
      {R"({"pipeline": "people", "inputs": ["video/vtest_480x360.avi"], "options": {"strid": 2}})",
       400, "options.strid", "unknown option"},
      {R"({"pipeline": "people", "inputs": ["video/vtest_480x360.avi"], "options": {"stride": 0}})",
       400, "options.stride", "must be from 1"},
      {R"({"pipeline": "people", "inputs": ["video/vtest_480x360.avi"], "options": {"profile": "x"}})",
       400, "options.profile", "low_power"},
      {R"({"pipeline": "people", "inputs": ["video/vtest_480x360.avi"], "options": {"cpus": 4}})",
       400, "options.cpus", "more than the 1 cores"},
      {R"({"pipeline": "people", "inputs": []})", 400, "inputs", "must list"},
      {R"({"pipeline": "nope", "inputs": ["video/vtest_480x360.avi"]})", 422, "pipeline",
       "unknown pipeline"},
      {R"({"pipeline": "people", "inputs": ["../../etc/passwd"]})", 422, "inputs[0]",
       "outside the media roots"},
      {R"({"pipeline": "people", "inputs": ["/etc/passwd"]})", 422, "inputs[0]",
       "outside the media roots"},
      {R"({"pipeline": "people", "inputs": ["passwd.mp4"]})", 422, "inputs[0]",
       "outside the media roots"},
      {R"({"pipeline": "people", "inputs": ["video/none.mp4"]})", 422, "inputs[0]", "not found"},
      {R"({"pipeline": "people", "inputs": ["rtsp://127.0.0.1/cam"]})", 422, "inputs[0]",
       "--allow-streams"},
      {R"({"pipeline": "people", "inputs": ["video/vtest_480x360.avi"], "wait": 1})", 400, "wait",
       "true or false"},
  };
  for (const Case& c : cases) {
    const auto result = client.Post("/api/jobs", c.body, "application/json");
    ASSERT_TRUE(result) << c.body;
    EXPECT_EQ(result->status, c.status) << c.body << "\n" << result->body;
    const json error = body_of(result);
    EXPECT_EQ(error["field"], c.field.empty() ? json(nullptr) : json(c.field)) << c.body;
    EXPECT_NE(error["error"].get<std::string>().find(c.says), std::string::npos) << c.body << "\n"
                                                                                 << error;
  }
  EXPECT_TRUE(body_of(client.Get("/api/jobs"))["jobs"].empty()) << "a refused job was kept";

  const auto huge = client.Post("/api/jobs", std::string(200 * 1024, ' '), "application/json");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  EXPECT_EQ(client.Get("/api/jobs/99")->status, 404);
  EXPECT_EQ(body_of(client.Get("/api/jobs/99"))["error"], "no job 99");
  EXPECT_EQ(client.Post("/api/jobs/99/cancel", "", "application/json")->status, 404);
  EXPECT_EQ(client.Get("/api/jobs?state=done")->status, 400);
  EXPECT_EQ(client.Get("/api/nothing")->status, 404);

  // The queue holds one job: one runs, one waits, the next is refused.
  const json first = submit_job(client, people(1));
  wait_for_job(client, first["id"], [](const json& j) { return state_is(j, "running"); });
  submit_job(client, people(1));
  const auto full = client.Post("/api/jobs", people(1).dump(), "application/json");
  EXPECT_EQ(full->status, 429);
  // Downloads stay inside the job's output folder.
  const std::string files = "/api/jobs/" + first["id"].dump() + "/files/";
  for (const std::string path :
       {"../log.txt", "..%2Flog.txt", "../../jobs.db", "%2Fetc%2Fpasswd", "nothing.txt"}) {
    const auto result = client.Get(files + path);
    EXPECT_EQ(result->status, 404) << path << ": " << result->body;
  }
  client.Post(files.substr(0, files.size() - 6) + "cancel", "", "application/json");
}

TEST(Serve, ATokenGuardsTheApiAndIsRequiredOffLoopback) {
  TempDir dir;
  const auto refused =
      run_framepipe({"serve", "--listen", "0.0.0.0:0", "--data", (dir / "d1").string(),
                     "--media-root", media_path("").string()});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.output.find("is not a loopback address: give --token"), std::string::npos)
      << refused.output;

  // Listening on every address with a token; this test reaches it on 127.0.0.1.
  std::vector<std::string> args{"--cpus", "1", "--token", "s3cret", "--listen", "0.0.0.0:0"};
  ServeProcess server(dir / "d2", args);
  auto anonymous = server.client();
  auto wrong = server.client("s3cres");
  auto right = server.client("s3cret");
  EXPECT_EQ(anonymous.Get("/api/jobs")->status, 401);
  EXPECT_EQ(body_of(anonymous.Get("/api/jobs"))["error"],
            "missing or wrong token: send 'Authorization: Bearer TOKEN'");
  EXPECT_EQ(wrong.Get("/api/jobs")->status, 401);
  EXPECT_EQ(anonymous.Post("/api/jobs", people(8).dump(), "application/json")->status, 401);
  EXPECT_EQ(anonymous.Get("/metrics")->status, 401);
  EXPECT_EQ(right.Get("/api/jobs")->status, 200);
  EXPECT_EQ(anonymous.Get("/api/jobs?access_token=s3cret")->status, 200);
  EXPECT_EQ(
      anonymous.Post("/api/jobs?access_token=s3cret", people(8).dump(), "application/json")->status,
      401);  // the query token is for GET (the browser's EventSource) only
  EXPECT_EQ(anonymous.Get("/healthz")->status, 200);
  EXPECT_EQ(anonymous.Get("/")->status, 200);
}

}  // namespace
}  // namespace fp::test
