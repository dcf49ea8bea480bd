// serve_bench: `framepipe serve` under load, the cost of running a job through it, and its CPU
// budget, measured from a second process.
//
//   serve_bench [--sections 1,2,3] [--repeats 3] [--stride 1] [--gets 200] [--posts 50]
//               [--budget-stride 2] [--framepipe PATH] [--media-root DIR] [--video REL]
//
// It starts `framepipe serve --listen 127.0.0.1:0 --data TMP/... --media-root DIR` itself, a fresh
// server per section, and reads the port from the line the server prints.
//   1. Load, server with --queue 16 --cpus 2: --gets GET /api/jobs and --posts POST /api/jobs
//      (photos on images/lena.jpg), each from its own thread and client, released together. Every
//      answer must be 200 (GET), 201 or 429 (POST, queue full), none may fail to connect, /healthz
//      must answer 200 after, and every accepted job must complete. Latency p50/p99/max per kind.
//   2. Overhead, people.yaml on the video with --cpus 1: a direct `framepipe run` (time to the
//      first --progress-json with frames > 0, polled every 10 ms; wall time to its exit) against
//      the same job on a server with --cpus 1 (POST to the first SSE progress event with
//      frames > 0; POST to the `end` event). Alternated, the direct run first on odd repeats;
//      medians and served / direct ratios.
//   3. Budget, server with --cpus 2: four 1-core people jobs (--budget-stride) submitted at once.
//      The jobs' CPU time (the server's cutime + cstime: the children it reaped) / the wall time
//      from the first POST until every job ended, target <= 2.05; also the jobs' CPU sampled from
//      /proc every 50 ms, the most jobs seen at once and the server's own CPU time.
// It exits with 1 when a check fails. Everything is written under a temporary folder removed at
// the end.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <latch>
#include <map>
#include <set>
#include <thread>

#include "bench_support.hpp"
#include "core/child_process.hpp"
#include "core/clock.hpp"
#include "goal_table.hpp"
#include "serve_process.hpp"

namespace {

namespace fs = std::filesystem;
using fp::SteadyClock;
using fp::bench::body_of;
using fp::bench::die;
using fp::bench::median;
using fp::bench::ServeProcess;
using nlohmann::json;

struct Options {
  std::string framepipe = FRAMEPIPE_BINARY;
  std::string media_root = (fp::bench::shared_dir() / "media").string();
  std::string video = "video/vtest_480x360.avi";  // relative to the media root
  std::set<int> sections{1, 2, 3};
  int repeats = 3;
  int stride = 1;
  int gets = 200;
  int posts = 50;
  int budget_jobs = 4;
  int budget_stride = 2;
};

constexpr double kJobTimeout = 600;  // seconds a job may take before the bench gives up on it

// The value below which `share` of `values` lie (nearest rank); 0 when there are none.
double percentile(std::vector<double> values, double share) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(share * static_cast<double>(values.size()) + 0.999999);
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

json people_job(const Options& options, int stride) {
  return {{"pipeline", "people"},
          {"inputs", {options.video}},
          {"options", {{"cpus", 1}, {"stride", stride}}}};
}

// POST /api/jobs; the job's id, or -1 (with the answer printed) when it was not accepted.
int64_t submit(httplib::Client& client, const json& request) {
  const auto result = client.Post("/api/jobs", request.dump(), "application/json");
  if (result && result->status == 201) return body_of(result).value("id", int64_t{-1});
  std::printf("  POST /api/jobs answered %s\n",
              result ? (std::to_string(result->status) + " " + result->body).c_str()
                     : httplib::to_string(result.error()).c_str());
  return -1;
}

// ----------------------------------------------------------------------------------------- 1. load

struct Answer {
  int status = 0;  // 0: no answer (error says why)
  std::string error;
  double seconds = 0;
  int64_t job = -1;
};

void load_section(const Options& options, const fs::path& temp, fp::bench::GoalTable& table) {
  ServeProcess server(options.framepipe, temp / "load", options.media_root,
                      {"--queue", "16", "--cpus", "2"});
  std::printf(
      "\n1. load: %d GET /api/jobs + %d POST /api/jobs (photos on images/lena.jpg), one "
      "thread and client each, released together; server --queue 16 --cpus 2\n",
      options.gets, options.posts);
  const int total = options.gets + options.posts;
  const std::string post_body =
      json{{"pipeline", "photos"}, {"inputs", {"images/lena.jpg"}}}.dump();
  std::vector<Answer> answers(total);
  std::latch ready(total + 1);
  std::vector<std::thread> threads;
  for (int i = 0; i < total; ++i) {
    threads.emplace_back([&, i] {
      httplib::Client client = server.client();
      ready.arrive_and_wait();
      const auto start = SteadyClock::now();
      const auto result = i < options.gets
                              ? client.Get("/api/jobs")
                              : client.Post("/api/jobs", post_body, "application/json");
      Answer& answer = answers[i];
      answer.seconds = fp::seconds_since(start);
      if (!result) {
        answer.error = httplib::to_string(result.error());
        return;
      }
      answer.status = result->status;
      if (answer.status == 201) answer.job = body_of(result).value("id", int64_t{-1});
    });
  }
  ready.arrive_and_wait();
  for (std::thread& t : threads) t.join();

  bool all_expected = true;
  std::vector<int64_t> accepted;
  std::printf("  %-5s %-34s %9s %9s %9s\n", "kind", "answers", "p50 ms", "p99 ms", "max ms");
  for (const bool get : {true, false}) {
    std::map<std::string, int> counts;
    std::vector<double> ms;
    for (int i = get ? 0 : options.gets; i < (get ? options.gets : total); ++i) {
      const Answer& a = answers[i];
      counts[a.status ? std::to_string(a.status) : "failed (" + a.error + ")"]++;
      ms.push_back(a.seconds * 1000);
      const bool expected = get ? a.status == 200 : (a.status == 201 || a.status == 429);
      all_expected = all_expected && expected;
      if (a.job >= 0) accepted.push_back(a.job);
    }
    std::string counted;
    for (const auto& [status, n] : counts) {
      counted += (counted.empty() ? "" : ", ") + status + ": " + std::to_string(n);
    }
    std::printf("  %-5s %-34s %9.1f %9.1f %9.1f\n", get ? "GET" : "POST", counted.c_str(),
                percentile(ms, 0.5), percentile(ms, 0.99), percentile(ms, 1.0));
  }
  table.check(1, "every answer 200 / 201 / 429, no failed connection")
      .values.push_back(all_expected);

  auto client = server.client();
  const auto health = client.Get("/healthz");
  std::printf("  /healthz after: %s\n", health ? std::to_string(health->status).c_str()
                                               : httplib::to_string(health.error()).c_str());
  table.check(1, "/healthz answers 200 after").values.push_back(health && health->status == 200);

  const auto start = SteadyClock::now();
  std::map<std::string, int> states;
  for (const int64_t id : accepted) {
    states[fp::bench::wait_until_ended(client, id, kJobTimeout).value("state", "no answer")]++;
  }
  std::string counted;
  for (const auto& [state, n] : states) {
    counted += (counted.empty() ? "" : ", ") + state + ": " + std::to_string(n);
  }
  std::printf("  accepted jobs: %zu, ended in %.1f s after the load: %s\n", accepted.size(),
              fp::seconds_since(start), counted.c_str());
  table.check(1, "every accepted job completed")
      .values.push_back(!accepted.empty() && states["completed"] == int(accepted.size()));
}

// ------------------------------------------------------------------------------------- 2. overhead

struct Timing {
  double first_progress = -1;  // seconds from start to the first progress with frames > 0
  double wall = 0;             // seconds from start to the end
  double first_result = -1;    // run.json's time_to_first_result_seconds
  bool ok = false;
};

double first_result_of(const json& report) {
  const json& value =
      report.is_object() ? report.value("time_to_first_result_seconds", json()) : json();
  return value.is_number() ? value.get<double>() : -1;
}

Timing direct_run(const Options& options, const fs::path& out) {
  const fs::path progress = out.string() + ".progress.json";
  std::vector<std::string> argv{options.framepipe,
                                "run",
                                fp::bench::people_pipeline_path(),
                                (fs::path(options.media_root) / options.video).string(),
                                "--out",
                                out.string(),
                                "--cpus",
                                "1",
                                "--stride",
                                std::to_string(options.stride),
                                "--progress-json",
                                progress.string(),
                                "--no-progress"};
  fp::SpawnOptions spawn;
  spawn.output = out.string() + ".log";
  spawn.die_with_parent = true;
  Timing timing;
  const auto start = SteadyClock::now();
  auto child = fp::bench::value_or_die(fp::ChildProcess::spawn(argv, spawn));
  fp::ExitStatus status;
  while (!child.poll(status)) {
    if (timing.first_progress < 0 && fs::exists(progress)) {
      std::ifstream in(progress);
      const json p = json::parse(in, nullptr, false);
      if (p.is_object() && p.value("frames", 0) > 0)
        timing.first_progress = fp::seconds_since(start);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  timing.wall = fp::seconds_since(start);
  if (status.shell_code() != 0) die(fp::bench::command_line(argv) + " failed; see its log");
  timing.first_result = first_result_of(fp::bench::read_json_object(out / "run.json"));
  timing.ok = true;
  return timing;
}

Timing served_run(const Options& options, const ServeProcess& server) {
  auto client = server.client();
  Timing timing;
  const auto start = SteadyClock::now();
  const int64_t id = submit(client, people_job(options, options.stride));
  if (id < 0) return timing;
  auto stream = server.client();
  fp::bench::follow_events(stream, id, [&](const std::string& event, const json& job) {
    if (timing.first_progress < 0 && job.is_object() && job["progress"].value("frames", 0) > 0) {
      timing.first_progress = fp::seconds_since(start);
    }
    if (event != "end") return true;
    timing.wall = fp::seconds_since(start);
    timing.ok = job.value("state", "") == "completed";
    return false;
  });
  const auto report = client.Get("/api/jobs/" + std::to_string(id) + "/files/run.json");
  timing.first_result = first_result_of(body_of(report));
  return timing;
}

void overhead_section(const Options& options, const fs::path& temp, fp::bench::GoalTable& table) {
  ServeProcess server(options.framepipe, temp / "overhead", options.media_root, {"--cpus", "1"});
  std::printf(
      "\n2. overhead: people.yaml on %s, --cpus 1, stride %d, direct run against the "
      "same job on a server with --cpus 1 (seconds)\n",
      options.video.c_str(), options.stride);
  std::printf("  %-7s %-7s %16s %14s %10s\n", "repeat", "side", "first progress", "first result",
              "wall");
  bool all_ok = true;
  for (int r = 1; r <= options.repeats; ++r) {
    Timing direct, served;
    for (const bool direct_turn : r % 2 ? std::vector{true, false} : std::vector{false, true}) {
      if (direct_turn) {
        direct = direct_run(options, temp / ("direct" + std::to_string(r)));
      } else {
        served = served_run(options, server);
      }
    }
    all_ok = all_ok && served.ok && served.first_progress > 0 && direct.first_progress > 0;
    for (const auto& [side, t] : {std::pair{"direct", direct}, std::pair{"served", served}}) {
      std::printf("  %-7d %-7s %16.2f %14.2f %10.2f\n", r, side, t.first_progress, t.first_result,
                  t.wall);
      table.record(std::string(side) + "_first_progress_s", t.first_progress);
      table.record(std::string(side) + "_wall_s", t.wall);
    }
    table.record("served/direct_first_progress", served.first_progress / direct.first_progress);
    table.record("served/direct_wall", served.wall / direct.wall);
  }
  const auto& figure = [&](const char* name) { return median(table.figure(name)); };
  std::printf(
      "  medians: first progress %.2f s served / %.2f s direct = %.3f; wall %.2f s / "
      "%.2f s = %.3f\n",
      figure("served_first_progress_s"), figure("direct_first_progress_s"),
      figure("served/direct_first_progress"), figure("served_wall_s"), figure("direct_wall_s"),
      figure("served/direct_wall"));
  table.check(2, "every served job completed with progress").values.push_back(all_ok);
}

// --------------------------------------------------------------------------------------- 3. budget

void budget_section(const Options& options, const fs::path& temp, fp::bench::GoalTable& table) {
  const fs::path data = temp / "budget";
  ServeProcess server(options.framepipe, data, options.media_root, {"--cpus", "2"});
  std::printf(
      "\n3. budget: %d people jobs of 1 core (stride %d) submitted at once to a server "
      "with --cpus 2\n",
      options.budget_jobs, options.budget_stride);
  // The jobs' CPU time seen from outside: the last utime + stime read per job process.
  std::atomic<bool> sampling{true};
  std::map<pid_t, double> sampled;
  size_t most_at_once = 0;
  std::thread sampler([&] {
    while (sampling) {
      const auto pids = fp::bench::processes_with((data / "jobs").string() + "/");
      most_at_once = std::max(most_at_once, pids.size());
      for (const pid_t pid : pids) {
        if (const auto cpu = fp::bench::process_cpu(pid)) sampled[pid] = cpu->own;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  auto client = server.client();
  const auto start = SteadyClock::now();
  std::vector<int64_t> ids;
  for (int i = 0; i < options.budget_jobs; ++i) {
    ids.push_back(submit(client, people_job(options, options.budget_stride)));
  }
  int completed = 0;
  for (const int64_t id : ids) {
    if (id < 0) continue;
    const json job = fp::bench::wait_until_ended(client, id, kJobTimeout);
    completed += job.value("state", "") == "completed";
  }
  const double wall = fp::seconds_since(start);
  sampling = false;
  sampler.join();
  const auto cpu = fp::bench::process_cpu(server.pid());
  if (!cpu) die("cannot read /proc/" + std::to_string(server.pid()) + "/stat");
  double sampled_sum = 0;
  for (const auto& [pid, seconds] : sampled) sampled_sum += seconds;
  std::printf(
      "  wall %.2f s (first POST to every job ended); jobs completed %d/%d; most job "
      "processes at once %zu\n",
      wall, completed, options.budget_jobs, most_at_once);
  std::printf(
      "  jobs' CPU: %.2f s reaped by the server (cutime + cstime) = %.3f cores; %.2f s "
      "sampled from /proc over %zu processes = %.3f cores\n",
      cpu->children, cpu->children / wall, sampled_sum, sampled.size(), sampled_sum / wall);
  std::printf("  the server's own CPU (utime + stime): %.2f s = %.3f cores\n", cpu->own,
              cpu->own / wall);
  table.metric(3, "jobs' CPU / wall (reaped by the server)", 2.05, true)
      .values.push_back(cpu->children / wall);
  table.check(3, "every budget job completed").values.push_back(completed == options.budget_jobs);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::vector<int> sections(options.sections.begin(), options.sections.end());
  CLI::App app("framepipe serve under load, its overhead per job and its CPU budget");
  app.add_option("--framepipe", options.framepipe, "framepipe binary to run")
      ->capture_default_str();
  app.add_option("--media-root", options.media_root, "The server's --media-root")
      ->capture_default_str();
  app.add_option("--video", options.video, "Video of sections 2 and 3, relative to the media root")
      ->capture_default_str();
  app.add_option("--sections", sections, "Sections to run, e.g. 1,3")
      ->delimiter(',')
      ->check(CLI::Range(1, 3));
  app.add_option("--repeats", options.repeats, "Repeats of section 2; medians are reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--stride", options.stride, "Stride of section 2's runs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--gets", options.gets, "Concurrent GET /api/jobs of section 1")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--posts", options.posts, "Concurrent POST /api/jobs of section 1")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--budget-stride", options.budget_stride, "Stride of section 3's jobs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  options.sections = std::set<int>(sections.begin(), sections.end());

  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows even when piped to a file
  std::printf("serve_bench: %s; load average %.2f on %ld cores\n", options.framepipe.c_str(),
              fp::bench::load_average(), sysconf(_SC_NPROCESSORS_ONLN));
  // static: removed also when die() ends the process (std::exit runs static destructors).
  static fp::bench::TempDir temp("serve_bench");
  fp::bench::GoalTable table;
  if (options.sections.count(1)) load_section(options, temp.path(), table);
  if (options.sections.count(2)) overhead_section(options, temp.path(), table);
  if (options.sections.count(3)) budget_section(options, temp.path(), table);
  table.print({.case_column = true, .what_width = 52}, 0);
  const bool met = std::all_of(table.metrics().begin(), table.metrics().end(),
                               [](const fp::bench::Metric& m) { return m.met(); });
  std::printf("serve_bench: %s\n", met ? "every check met" : "a check FAILED");
  return met ? 0 : 1;
}
