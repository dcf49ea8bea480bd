// Batcher: dynamic batching for one model, shared by every stage, frame and stream that uses it.
//
// A model call is a request: submit() queues one input (a 1xCxHxW blob) with a Completion, the
// callback that receives its outputs. A batch is formed when `max_batch` requests are queued or the
// oldest has waited `max_delay`, whichever comes first, and runs on the first free instance (each
// instance has its own thread and its own loaded model). The batch's outputs are split back per
// request. No thread waits per request: the caller's thread is free once submit() returns, unless
// it chooses a blocking form (run(), run_all()).
//
// Guarantees:
// - Each request's Completion is called exactly once, never under the batcher's lock: on the
//   instance thread that ran its batch (outputs or the batch's Error), on the thread that called
//   cancel() or shutdown(), or inside submit() when the batcher is shut down. Completions of
//   different batches run concurrently on different instance threads.
// - The queue is bounded (`queue_capacity`): submit() blocks its caller while the queue is full,
//   until a batch takes requests off it, a request is cancelled, or shutdown().
// - A cancelled request never runs; cancel() says whether it was still queued.
// - A batch that fails fails only its own requests, with the error; the next batch runs.
// - shutdown() (also run by the destructor) fails the requests still queued and those of blocked
//   submit() calls with a message saying so, lets running batches finish, and joins the threads.
//   It returns once no submit() is blocked. No request is left without its Completion.
// - report() gives the batch-size histogram, queue wait and run time, the queue's capacity and
//   high-water mark and how many submit() calls had to wait, counted per model. The counts live in
//   a telemetry::MetricsRegistry (framepipe_model_*), where they can be read while the run goes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "telemetry/metrics.hpp"

namespace fp::infer {

// One item's outputs, in the order of the model's output names.
using Outputs = std::vector<cv::Mat>;

// A model instance a batcher runs batches on; called by one thread at a time.
class BatchExecutor {
 public:
  virtual ~BatchExecutor() = default;
  // Runs `items` (1xCxHxW blobs of one shape) as one batch: one Outputs per item, in order.
  virtual Result<std::vector<Outputs>> run_batch(const std::vector<cv::Mat>& items) = 0;
};

// How a request went through the batcher; all zero for a request that never ran.
struct RequestTimings {
  double queue_ms = 0;  // from submit() until its batch was formed
  double run_ms = 0;    // the run of its batch
  int batch_size = 0;
};

// Receives a request's outputs, or the Error of its batch, of a cancel or of a shutdown. It must
// not throw, should be short (it delays the instance's next batch), and must not block on this
// batcher: no run(), run_all() or shutdown(), and no submit() that could find the queue full.
using Completion = std::function<void(Result<Outputs>, RequestTimings)>;

struct BatcherOptions {
  std::string name;  // the model, for messages and the report
  int max_batch = 1;
  std::chrono::microseconds max_delay{2000};
  // Requests queued at most; submit() waits beyond. 0: 4 x instances x max_batch, enough for every
  // instance to have its next batches queued while it runs. Never less than max_batch.
  int queue_capacity = 0;
  // Where its counts and timings live, and their labels (empty: {model: name}); null: a registry
  // of its own.
  telemetry::MetricsRegistry* metrics = nullptr;
  telemetry::Labels labels = {};
};

class Batcher;

// The handle of one queued model call.
class InferenceRequest {
 public:
  // Removes the request if it is still queued (it will never run; its Completion receives an Error
  // on this thread) and returns true; false when its batch has already started or it is done.
  bool cancel();

 private:
  friend class Batcher;
  enum class State { kQueued, kRunning, kDone };
  Batcher* batcher_ = nullptr;
  cv::Mat input_;
  Completion done_;
  SteadyClock::time_point queued_at_;
  State state_ = State::kQueued;  // guarded by the batcher's mutex
  RequestTimings timings_;
};

class Batcher {
 public:
  // Starts one thread per instance. `instances` must not be empty.
  Batcher(std::vector<std::unique_ptr<BatchExecutor>> instances, BatcherOptions options);
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Queues one input; `done` is called once it completes (see Completion). Blocks while the queue
  // is full. After shutdown(), `done` receives an Error before submit() returns.
  std::shared_ptr<InferenceRequest> submit(cv::Mat input, Completion done);
  // submit() and block until done; `timings` receives the request's timings when not null.
  Result<Outputs> run(cv::Mat input, RequestTimings* timings = nullptr);
  // Submits every input at once, so they can share batches, and blocks until all are done.
  std::vector<Result<Outputs>> run_all(std::vector<cv::Mat> inputs);
  // The same without blocking: `done` gets every result, in the order of `inputs`, on the thread
  // of the last completion (at once, on the caller's, when `inputs` is empty).
  using AllDone = std::function<void(std::vector<Result<Outputs>>)>;
  void submit_all(std::vector<cv::Mat> inputs, AllDone done);
  void shutdown();

  const BatcherOptions& options() const { return options_; }
  int instances() const { return static_cast<int>(threads_.size()); }
  nlohmann::ordered_json report() const;

 private:
  using Batch = std::vector<std::shared_ptr<InferenceRequest>>;
  friend class InferenceRequest;
  bool cancel(InferenceRequest& request);
  // An instance thread: forms batches and runs them until shutdown.
  void serve(BatchExecutor& instance);
  // Takes the next batch off the queue, waiting for it to fill; empty at shutdown.
  Batch next_batch(std::unique_lock<std::mutex>& lock);
  // Counts the batch's outcome and calls its completions; called without the lock.
  void finish(const Batch& batch, Result<std::vector<Outputs>> outputs, double run_ms);

  // Its metrics in the registry; counted under mutex_, where the queue's state changes.
  struct Metrics {
    telemetry::Counter *requests, *items, *cancelled, *failed, *failed_batches, *blocked_submits;
    std::vector<telemetry::Counter*> batches;  // by batch size - 1
    telemetry::Gauge *queue_depth, *queue_high_water;
    telemetry::Latency *queue_wait, *run_time;
  };
  Metrics register_metrics(telemetry::MetricsRegistry& registry) const;

  BatcherOptions options_;
  std::unique_ptr<telemetry::MetricsRegistry> own_metrics_;  // without options_.metrics
  Metrics metrics_;
  std::vector<std::unique_ptr<BatchExecutor>> instances_;
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::condition_variable queued_;  // a request was queued, or shutdown
  std::condition_variable space_;   // the queue has room, or a blocked submit() left, or shutdown
  // The queue and its state, guarded by mutex_.
  std::deque<std::shared_ptr<InferenceRequest>> queue_;
  bool stopping_ = false;
  int blocked_now_ = 0;  // submit() calls waiting for room
};

}  // namespace fp::infer
