// Batcher: dynamic batching for one model, shared by every stage, frame and stream that uses it.
//
// A model call is a request: submit() queues one input (a 1xCxHxW blob) and returns a handle. A
// batch is formed when `max_batch` requests are queued or the oldest has waited `max_delay`,
// whichever comes first, and runs on the first free instance (each instance has its own thread and
// its own loaded model). The batch's outputs are split back per request.
//
// Guarantees:
// - A cancelled request never runs; cancel() says whether it was still queued.
// - A batch that fails fails only its own requests, with the error; the next batch runs.
// - shutdown() (also run by the destructor) fails the requests still queued with a message saying
//   so, lets running batches finish, and joins the threads. No request is left waiting.
// - report() gives the batch-size histogram, queue wait and run time, counted per model.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "telemetry/latency_histogram.hpp"

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

struct BatcherOptions {
  std::string name;  // the model, for messages and the report
  int max_batch = 1;
  std::chrono::microseconds max_delay{2000};
};

class Batcher;

// The handle of one queued model call.
class InferenceRequest {
 public:
  // Blocks until the outputs are ready, or returns the Error of its batch, of a cancel or of a
  // shutdown. Call it once.
  Result<Outputs> wait() { return result_.get(); }
  // Removes the request if it is still queued (it will never run; wait() returns an Error) and
  // returns true; false when its batch has already started.
  bool cancel();
  // Set once wait() has returned with outputs: time queued, and the run time of its batch.
  double queue_ms() const { return queue_ms_; }
  double run_ms() const { return run_ms_; }
  int batch_size() const { return batch_size_; }

 private:
  friend class Batcher;
  enum class State { kQueued, kRunning, kDone };
  Batcher* batcher_ = nullptr;
  cv::Mat input_;
  SteadyClock::time_point queued_at_;
  State state_ = State::kQueued;  // guarded by the batcher's mutex
  std::promise<Result<Outputs>> promise_;
  std::future<Result<Outputs>> result_ = promise_.get_future();
  double queue_ms_ = 0, run_ms_ = 0;
  int batch_size_ = 0;
};

class Batcher {
 public:
  // Starts one thread per instance. `instances` must not be empty.
  Batcher(std::vector<std::unique_ptr<BatchExecutor>> instances, BatcherOptions options);
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // Queues one input. After shutdown() the handle's wait() returns an Error at once.
  std::shared_ptr<InferenceRequest> submit(cv::Mat input);
  // submit() and wait(); `queue_ms`/`run_ms` receive the request's timings when not null.
  Result<Outputs> run(cv::Mat input, double* queue_ms = nullptr, double* run_ms = nullptr);
  void shutdown();

  const BatcherOptions& options() const { return options_; }
  int instances() const { return static_cast<int>(threads_.size()); }
  nlohmann::ordered_json report() const;

 private:
  friend class InferenceRequest;
  bool cancel(InferenceRequest& request);
  // An instance thread: forms batches and runs them until shutdown.
  void serve(BatchExecutor& instance);
  // Takes the next batch off the queue, waiting for it to fill; empty at shutdown.
  std::vector<std::shared_ptr<InferenceRequest>> next_batch(std::unique_lock<std::mutex>& lock);
  void finish(const std::vector<std::shared_ptr<InferenceRequest>>& batch,
              Result<std::vector<Outputs>> outputs, double run_ms);

  BatcherOptions options_;
  std::vector<std::unique_ptr<BatchExecutor>> instances_;
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<std::shared_ptr<InferenceRequest>> queue_;
  bool stopping_ = false;
  // Counters, guarded by mutex_.
  std::map<int, int64_t> batch_sizes_;
  int64_t requests_ = 0, cancelled_ = 0, failed_ = 0, failed_batches_ = 0;
  telemetry::LatencyHistogram queue_wait_, run_time_;
};

}  // namespace fp::infer
