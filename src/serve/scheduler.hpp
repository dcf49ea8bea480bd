// Scheduler: runs the service's jobs, each as a `framepipe run` child process, within a budget of
// CPU cores (README "Job service").
//
// - A job asks for `cpus` cores. It starts only when that many of the budget's cores are free, in
//   the order jobs were accepted (FIFO: a large job at the head is not overtaken), pinned to
//   those cores (sched_setaffinity before exec) and told `--cpus N`, so the engine plans its
//   threads for them. The cores of running jobs never overlap and never exceed the budget.
// - Waiting jobs queue up to `queue_capacity`; beyond it submit() refuses (429).
// - One thread watches the children every `tick`: it reads each one's --progress-json file, reaps
//   those that ended (exit 0 or 3: completed; a cancel: cancelled; else failed with the exit code
//   or signal and the last lines of the job's log) and starts what fits.
// - Every change of a job's state is written to the JobStore before anyone can see it (progress
//   is stored with the next state). On start, jobs the
//   store has as running were cut off by the server's end: they become `interrupted` (their
//   outputs stay under .partial names); queued jobs queue again, in their order.
// - A child dies with the server (PR_SET_PDEATHSIG), so a killed server leaves no job running.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/child_process.hpp"
#include "serve/api_error.hpp"
#include "serve/job_store.hpp"

namespace fp::serve {

struct SchedulerOptions {
  std::filesystem::path framepipe;  // the program each job runs
  std::filesystem::path data;       // jobs.db and jobs/<id>/ (out/, log.txt, progress.json)
  std::vector<int> cores;           // the budget
  size_t queue_capacity = 16;
  std::chrono::milliseconds tick{100};
  std::chrono::milliseconds cancel_grace{10000};  // after SIGINT, SIGKILL
};

// What /metrics reports about the jobs.
struct SchedulerStats {
  std::map<JobState, int64_t> jobs_by_state;
  int cores_in_use = 0;
  int cores_budget = 0;
  size_t queued = 0;
  int64_t frames_processed = 0;                         // by every job so far
  std::vector<std::pair<int64_t, double>> running_fps;  // (job id, fps)
};

class Scheduler {
 public:
  static Result<std::unique_ptr<Scheduler>> start(SchedulerOptions options);
  // Stops watching: running children are interrupted (SIGINT, then SIGKILL after the grace) and
  // their jobs stored as interrupted. Queued jobs stay queued for the next start.
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Accepts `job` (its request checked and its paths resolved by the caller): stored, queued.
  ApiResult<Job> submit(Job job);
  // A queued job is cancelled at once; a running one is asked to stop (SIGINT) and becomes
  // cancelled when its process has ended. 404 unknown, 409 ended.
  ApiResult<Job> cancel(int64_t id);
  std::optional<Job> get(int64_t id) const;
  // Newest first; only jobs in `state` when given.
  std::vector<Job> list(std::optional<JobState> state) const;
  // Waits until job `id` changes after `version` (0: any), at most `timeout`; the job and its
  // version then, or nullopt for an unknown job.
  std::optional<std::pair<Job, uint64_t>> wait_change(int64_t id, uint64_t version,
                                                      std::chrono::milliseconds timeout) const;
  // DATA/jobs/<id>/out: the job's --out folder.
  std::filesystem::path output_dir(int64_t id) const;
  SchedulerStats stats() const;

 private:
  struct Running {
    ChildProcess child;
    std::chrono::steady_clock::time_point interrupted_at{};  // SIGINT sent; zero: not yet
  };
  explicit Scheduler(SchedulerOptions options, std::unique_ptr<JobStore> store);
  void watch();
  // Under mutex_, on the watcher thread: SIGINT to every running job, SIGKILL after the grace,
  // each stored as interrupted.
  void interrupt_running();
  // Under mutex_: a job's change published to waiters, and stored unless it is only progress
  // (written a few times a second; a sync each time would hold every request up).
  void changed(Job& job, bool durable = true);
  void start_fitting();
  void launch(Job& job, std::vector<int> cores);
  void refresh_progress(Job& job);
  void finish(Job& job, const ExitStatus& status);
  std::filesystem::path job_dir(int64_t id) const;

  const SchedulerOptions options_;
  std::unique_ptr<JobStore> store_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<int64_t, Job> jobs_;
  std::map<int64_t, uint64_t> versions_;
  std::deque<int64_t> queue_;
  std::map<int64_t, Running> running_;
  std::vector<bool> core_busy_;  // by index into options_.cores
  int64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread watcher_;
};

}  // namespace fp::serve
