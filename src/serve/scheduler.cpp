#include "serve/scheduler.hpp"

#include <signal.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>

#include "serve/job_request.hpp"

namespace fp::serve {

namespace fs = std::filesystem;

namespace {

constexpr int kLogTailLines = 12;

// The last lines of a job's log, for its error.
std::string log_tail(const fs::path& log) {
  std::ifstream in(log);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > kLogTailLines) lines.pop_front();
  }
  std::string tail;
  for (const std::string& line : lines) tail += "\n" + line;
  return tail;
}

std::optional<nlohmann::json> read_json(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  nlohmann::json parsed = nlohmann::json::parse(in, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

double number_or(const nlohmann::json& j, const char* key, double fallback = 0) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
}

// What the API shows of a run.json: totals and each stage's steady-state p50/p90.
nlohmann::ordered_json summary_of(const nlohmann::json& run) {
  nlohmann::ordered_json summary{{"status", run.value("status", "")},
                                 {"frames", static_cast<int64_t>(number_or(run, "frames"))},
                                 {"fps", number_or(run, "fps")},
                                 {"processing_seconds", number_or(run, "processing_seconds")},
                                 {"cpu_cores_used", number_or(run, "cpu_cores_used")},
                                 {"peak_rss_mb", number_or(run, "peak_rss_mb")}};
  nlohmann::ordered_json stages = nlohmann::ordered_json::array();
  if (run.contains("stage_timings") && run["stage_timings"].is_array()) {
    for (const nlohmann::json& stage : run["stage_timings"]) {
      if (!stage.contains("steady") || !stage["steady"].is_object()) continue;
      stages.push_back({{"stage", stage.value("stage", "")},
                        {"p50_ms", number_or(stage["steady"], "p50_ms")},
                        {"p90_ms", number_or(stage["steady"], "p90_ms")}});
    }
  }
  summary["stages"] = std::move(stages);
  return summary;
}

std::vector<std::string> run_arguments(const Job& job, const fs::path& dir) {
  std::vector<std::string> args{"run", job.pipeline_file};
  args.insert(args.end(), job.input_paths.begin(), job.input_paths.end());
  args.insert(args.end(),
              {"--out", (dir / "out").string(), "--cpus", std::to_string(job.options.cpus),
               "--progress-json", (dir / "progress.json").string(), "--no-progress"});
  const JobOptions& o = job.options;
  const auto number = [](double v) {
    std::ostringstream text;
    text << v;
    return text.str();
  };
  if (o.profile) args.insert(args.end(), {"--profile", *o.profile});
  if (o.stride) args.insert(args.end(), {"--stride", std::to_string(*o.stride)});
  if (o.fps) args.insert(args.end(), {"--fps", number(*o.fps)});
  if (o.start) args.insert(args.end(), {"--start", number(*o.start)});
  if (o.end) args.insert(args.end(), {"--end", number(*o.end)});
  if (!job.gallery_path.empty()) args.insert(args.end(), {"--gallery", job.gallery_path});
  return args;
}

}  // namespace

Result<std::unique_ptr<Scheduler>> Scheduler::start(SchedulerOptions options) {
  std::error_code error;
  fs::create_directories(options.data / "jobs", error);
  if (error)
    return Error("cannot create " + (options.data / "jobs").string() + ": " + error.message());
  FP_ASSIGN_OR_RETURN(auto store, JobStore::open(options.data / "jobs.db"));
  FP_ASSIGN_OR_RETURN(std::vector<Job> stored, store->load_all());
  std::unique_ptr<Scheduler> scheduler(new Scheduler(std::move(options), std::move(store)));
  {
    std::lock_guard lock(scheduler->mutex_);
    for (Job& job : stored) {
      scheduler->next_id_ = std::max(scheduler->next_id_, job.id + 1);
      if (job.state == JobState::kRunning) {
        job.state = JobState::kInterrupted;
        job.finished = utc_now();
        job.error = "the server stopped while the job ran; its outputs are under .partial names";
        FP_RETURN_IF_ERROR(scheduler->store_->update(job));
      } else if (job.state == JobState::kQueued &&
                 job.options.cpus > static_cast<int>(scheduler->options_.cores.size())) {
        job.state = JobState::kFailed;  // at the head of the queue it would hold up every job
        job.finished = utc_now();
        job.error = "the job asks for " + std::to_string(job.options.cpus) +
                    " cores, more than the restarted server's budget of " +
                    std::to_string(scheduler->options_.cores.size());
        FP_RETURN_IF_ERROR(scheduler->store_->update(job));
      } else if (job.state == JobState::kQueued) {
        scheduler->queue_.push_back(job.id);
      }
      if (job.state != JobState::kQueued) job.files = output_files(scheduler->output_dir(job.id));
      scheduler->versions_[job.id] = 1;
      scheduler->jobs_.emplace(job.id, std::move(job));
    }
  }
  scheduler->watcher_ = std::thread([s = scheduler.get()] { s->watch(); });
  return scheduler;
}

Scheduler::Scheduler(SchedulerOptions options, std::unique_ptr<JobStore> store)
    : options_(std::move(options)),
      store_(std::move(store)),
      core_busy_(options_.cores.size(), false) {}

Scheduler::~Scheduler() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void Scheduler::interrupt_running() {
  for (auto& [id, running] : running_) running.child.signal(SIGINT);
  const auto deadline = std::chrono::steady_clock::now() + options_.cancel_grace;
  for (auto& [id, running] : running_) {
    ExitStatus status;
    while (!running.child.poll(status) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Job& job = jobs_.at(id);
    refresh_progress(job);
    job.state = JobState::kInterrupted;
    job.finished = utc_now();
    job.error = "the server stopped while the job ran; its outputs are under .partial names";
    (void)store_->update(job);  // nobody is left to tell; a restart repeats it
  }
  running_.clear();  // kills and reaps any child still there
}

fs::path Scheduler::job_dir(int64_t id) const {
  return options_.data / "jobs" / std::to_string(id);
}

fs::path Scheduler::output_dir(int64_t id) const { return job_dir(id) / "out"; }

void Scheduler::changed(Job& job, bool durable) {
  if (durable) {
    const Status stored = store_->update(job);
    if (!stored.ok() && job.error.empty()) job.error = stored.error().message();
  }
  ++versions_[job.id];
  changed_.notify_all();
}

ApiResult<Job> Scheduler::submit(Job job) {
  std::lock_guard lock(mutex_);
  if (job.options.cpus > static_cast<int>(options_.cores.size())) {
    return ApiError{400,
                    "'cpus' is " + std::to_string(job.options.cpus) + ", more than the " +
                        std::to_string(options_.cores.size()) + " cores of the server's budget",
                    "options.cpus"};
  }
  if (queue_.size() >= options_.queue_capacity) {
    return ApiError{
        429,
        "the queue is full (" + std::to_string(queue_.size()) + " jobs waiting): try again later",
        ""};
  }
  job.id = next_id_;
  job.state = JobState::kQueued;
  job.created = utc_now();
  const Status stored = store_->insert(job);
  if (!stored.ok()) return ApiError{500, stored.error().message(), ""};
  ++next_id_;
  queue_.push_back(job.id);
  versions_[job.id] = 1;
  jobs_[job.id] = job;
  changed_.notify_all();
  return job;
}

ApiResult<Job> Scheduler::cancel(int64_t id) {
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) return ApiError{404, "no job " + std::to_string(id), ""};
  Job& job = it->second;
  if (has_ended(job.state)) {
    return ApiError{409, "job " + std::to_string(id) + " has ended (" + state_name(job.state) + ")",
                    ""};
  }
  job.cancel_requested = true;
  if (job.state == JobState::kQueued) {
    queue_.erase(std::find(queue_.begin(), queue_.end(), id));
    job.state = JobState::kCancelled;
    job.finished = utc_now();
    job.files.emplace();  // it never ran: nothing was written
  } else {
    Running& running = running_.at(id);
    ExitStatus status;
    if (running.child.poll(status)) {  // it ended before the cancel: as it ended
      job.cancel_requested = false;
      running_.erase(id);
      finish(job, status);
      return job;
    }
    running.child.signal(SIGINT);  // framepipe stops at the next frame, outputs left .partial
    running.interrupted_at = std::chrono::steady_clock::now();
  }
  changed(job);
  return job;
}

std::optional<Job> Scheduler::get(int64_t id) const {
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

std::vector<Job> Scheduler::list(std::optional<JobState> state) const {
  std::lock_guard lock(mutex_);
  std::vector<Job> jobs;
  for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {
    if (!state || it->second.state == *state) jobs.push_back(it->second);
  }
  return jobs;
}

std::optional<std::pair<Job, uint64_t>> Scheduler::wait_change(
    int64_t id, uint64_t version, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  changed_.wait_for(lock, timeout, [&] { return stopping_ || versions_.at(id) != version; });
  return std::make_pair(it->second, versions_.at(id));
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard lock(mutex_);
  SchedulerStats stats;
  for (int i = 0; i < 6; ++i) stats.jobs_by_state[static_cast<JobState>(i)] = 0;
  for (const auto& [id, job] : jobs_) {
    ++stats.jobs_by_state[job.state];
    stats.frames_processed += job.progress.frames;
    if (job.state == JobState::kRunning) stats.running_fps.emplace_back(id, job.progress.fps);
  }
  stats.cores_in_use = static_cast<int>(std::count(core_busy_.begin(), core_busy_.end(), true));
  stats.cores_budget = static_cast<int>(options_.cores.size());
  stats.queued = queue_.size();
  return stats;
}

void Scheduler::watch() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    for (auto it = running_.begin(); it != running_.end();) {
      Job& job = jobs_.at(it->first);
      ExitStatus status;
      if (it->second.child.poll(status)) {
        it = running_.erase(it);
        finish(job, status);
        continue;
      }
      refresh_progress(job);
      const auto since = it->second.interrupted_at;
      if (since != std::chrono::steady_clock::time_point{} &&
          std::chrono::steady_clock::now() - since > options_.cancel_grace) {
        it->second.child.signal(SIGKILL);
      }
      ++it;
    }
    start_fitting();
    changed_.wait_for(lock, options_.tick);
  }
  // On this thread, which started the children: they get SIGKILL from the kernel when it ends
  // (PR_SET_PDEATHSIG follows the forking thread), so they are interrupted before that.
  interrupt_running();
}

void Scheduler::start_fitting() {
  while (!queue_.empty()) {
    Job& job = jobs_.at(queue_.front());
    std::vector<int> free;
    for (size_t i = 0; i < core_busy_.size(); ++i) {
      if (!core_busy_[i]) free.push_back(static_cast<int>(i));
    }
    if (static_cast<int>(free.size()) < job.options.cpus) return;  // FIFO: the head waits
    queue_.pop_front();
    free.resize(static_cast<size_t>(job.options.cpus));
    launch(job, free);
  }
}

void Scheduler::launch(Job& job, std::vector<int> slots) {
  const fs::path dir = job_dir(job.id);
  std::error_code ignored;
  fs::create_directories(dir, ignored);
  fs::remove(dir / "progress.json", ignored);
  SpawnOptions spawn;
  spawn.output = dir / "log.txt";
  spawn.append = true;
  spawn.own_process_group = true;
  spawn.die_with_parent = true;
  for (int slot : slots) spawn.cores.push_back(options_.cores[static_cast<size_t>(slot)]);
  std::vector<std::string> argv{options_.framepipe.string()};
  for (std::string& a : run_arguments(job, dir)) argv.push_back(std::move(a));
  auto child = ChildProcess::spawn(argv, spawn);
  job.started = utc_now();
  if (!child.ok()) {
    job.state = JobState::kFailed;
    job.finished = job.started;
    job.error = child.error().message();
    changed(job);
    return;
  }
  for (int slot : slots) core_busy_[static_cast<size_t>(slot)] = true;
  job.state = JobState::kRunning;
  job.cores = spawn.cores;
  running_.emplace(job.id, Running{std::move(child).value(), {}});
  changed(job);
}

void Scheduler::refresh_progress(Job& job) {
  const auto progress = read_json(job_dir(job.id) / "progress.json");
  if (!progress) return;
  Progress now{static_cast<int64_t>(number_or(*progress, "frames")),
               static_cast<int64_t>(number_or(*progress, "expected_frames")),
               number_or(*progress, "fps"), number_or(*progress, "eta_s"),
               number_or(*progress, "percent")};
  if (now.frames == job.progress.frames && now.percent == job.progress.percent) return;
  job.progress = now;
  changed(job, false);  // stored with the job's next state; a restart shows the last stored
}

void Scheduler::finish(Job& job, const ExitStatus& status) {
  for (int core : job.cores) {
    const auto at = std::find(options_.cores.begin(), options_.cores.end(), core);
    core_busy_[static_cast<size_t>(at - options_.cores.begin())] = false;
  }
  refresh_progress(job);
  if (const auto run = read_json(output_dir(job.id) / "run.json")) job.summary = summary_of(*run);
  if (status.signal == 0) job.exit_code = status.code;
  const fs::path log = job_dir(job.id) / "log.txt";
  if (job.cancel_requested) {
    job.state = JobState::kCancelled;
  } else if (status.signal != 0) {
    job.state = JobState::kFailed;
    job.error = "killed by signal " + std::to_string(status.signal) + " (" +
                strsignal(status.signal) + ")" + log_tail(log);
  } else if (status.code == 0 || status.code == 3) {  // 3: done, some input was damaged
    job.state = JobState::kCompleted;
  } else {
    job.state = JobState::kFailed;
    job.error = "exited with code " + std::to_string(status.code) + log_tail(log);
  }
  job.finished = utc_now();
  job.files = output_files(output_dir(job.id));
  changed(job);
}

}  // namespace fp::serve
