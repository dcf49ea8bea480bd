#include "infer/batcher.hpp"

#include <algorithm>
#include <utility>

namespace fp::infer {

namespace {

double ms_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Gathers the completions of `count` requests for a caller that blocks until all have arrived.
class Gathered {
 public:
  explicit Gathered(size_t count) : results_(count, Error("")), timings_(count), left_(count) {}

  Completion slot(size_t i) {
    return [this, i](Result<Outputs> result, RequestTimings timings) {
      std::lock_guard lock(mutex_);
      results_[i] = std::move(result);
      timings_[i] = timings;
      // Notified under the lock: once the waiter can see left_ == 0 this object may be gone.
      if (--left_ == 0) all_done_.notify_all();
    };
  }
  void wait() {
    std::unique_lock lock(mutex_);
    all_done_.wait(lock, [&] { return left_ == 0; });
  }
  std::vector<Result<Outputs>>& results() { return results_; }
  const RequestTimings& timings(size_t i) const { return timings_[i]; }

 private:
  std::mutex mutex_;
  std::condition_variable all_done_;
  std::vector<Result<Outputs>> results_;
  std::vector<RequestTimings> timings_;
  size_t left_;
};

}  // namespace

bool InferenceRequest::cancel() { return batcher_->cancel(*this); }

Batcher::Batcher(std::vector<std::unique_ptr<BatchExecutor>> instances, BatcherOptions options)
    : options_(std::move(options)), instances_(std::move(instances)) {
  options_.max_batch = std::max(1, options_.max_batch);
  if (options_.queue_capacity <= 0) {
    options_.queue_capacity = 4 * static_cast<int>(instances_.size()) * options_.max_batch;
  }
  options_.queue_capacity = std::max(options_.queue_capacity, options_.max_batch);
  if (options_.labels.empty()) options_.labels = {{"model", options_.name}};
  if (options_.metrics == nullptr) {
    own_metrics_ = std::make_unique<telemetry::MetricsRegistry>();
    options_.metrics = own_metrics_.get();
  }
  metrics_ = register_metrics(*options_.metrics);
  for (auto& instance : instances_) {
    threads_.emplace_back([this, executor = instance.get()] { serve(*executor); });
  }
}

Batcher::~Batcher() { shutdown(); }

Batcher::Metrics Batcher::register_metrics(telemetry::MetricsRegistry& registry) const {
  const telemetry::Labels& labels = options_.labels;
  auto counter = [&](const std::string& name, const std::string& help) {
    return &registry.counter("framepipe_model_" + name + "_total", labels, help);
  };
  Metrics m{counter("requests", "Requests submitted to the model"),
            counter("items", "Requests that ran in a batch"),
            counter("cancelled", "Requests cancelled while queued"),
            counter("failed_requests", "Requests that failed or were shut down unrun"),
            counter("failed_batches", "Batches that failed"),
            counter("blocked_submits", "Submits that waited for room in the model's queue"),
            {},
            &registry.gauge("framepipe_model_queue_depth", labels, "Requests queued now"),
            &registry.gauge("framepipe_model_queue_high_water", labels, "Most requests queued"),
            &registry.latency("framepipe_model_queue_wait", labels,
                              "Time from submit until the request's batch was formed"),
            &registry.latency("framepipe_model_batch_run", labels, "Time a batch ran")};
  for (int size = 1; size <= options_.max_batch; ++size) {
    telemetry::Labels sized = labels;
    sized.emplace_back("batch_size", std::to_string(size));
    m.batches.push_back(
        &registry.counter("framepipe_model_batches_total", sized, "Batches run, by size"));
  }
  registry.gauge("framepipe_model_queue_capacity", labels, "Requests the model's queue holds")
      .set(options_.queue_capacity);
  return m;
}

std::shared_ptr<InferenceRequest> Batcher::submit(cv::Mat input, Completion done) {
  auto request = std::make_shared<InferenceRequest>();
  request->batcher_ = this;
  std::unique_lock lock(mutex_);
  const auto capacity = static_cast<size_t>(options_.queue_capacity);
  if (!stopping_ && queue_.size() >= capacity) {
    metrics_.blocked_submits->add();
    ++blocked_now_;
    space_.wait(lock, [&] { return stopping_ || queue_.size() < capacity; });
    --blocked_now_;
    if (stopping_) space_.notify_all();  // shutdown() waits until no submit() is blocked
  }
  if (stopping_) {
    request->state_ = InferenceRequest::State::kDone;
    lock.unlock();
    done(Error("model '" + options_.name + "' is shut down; the request was not run"), {});
    return request;
  }
  request->input_ = std::move(input);
  request->done_ = std::move(done);
  request->queued_at_ = SteadyClock::now();  // max_delay counts from here, not from the wait
  metrics_.requests->add();
  queue_.push_back(request);
  metrics_.queue_depth->set(static_cast<int64_t>(queue_.size()));
  metrics_.queue_high_water->raise_to(static_cast<int64_t>(queue_.size()));
  queued_.notify_all();
  return request;
}

Result<Outputs> Batcher::run(cv::Mat input, RequestTimings* timings) {
  Gathered gathered(1);
  submit(std::move(input), gathered.slot(0));
  gathered.wait();
  if (timings != nullptr) *timings = gathered.timings(0);
  return std::move(gathered.results()[0]);
}

std::vector<Result<Outputs>> Batcher::run_all(std::vector<cv::Mat> inputs) {
  Gathered gathered(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) submit(std::move(inputs[i]), gathered.slot(i));
  gathered.wait();
  return std::move(gathered.results());
}

void Batcher::submit_all(std::vector<cv::Mat> inputs, AllDone done) {
  if (inputs.empty()) {
    done({});
    return;
  }
  // What the calls share until the last one completes.
  struct Shared {
    std::mutex mutex;
    std::vector<Result<Outputs>> results;
    size_t left;
    AllDone done;
  };
  auto shared = std::make_shared<Shared>();
  shared->results.assign(inputs.size(), Error(""));
  shared->left = inputs.size();
  shared->done = std::move(done);
  for (size_t i = 0; i < inputs.size(); ++i) {
    submit(std::move(inputs[i]), [shared, i](Result<Outputs> result, RequestTimings) {
      std::unique_lock lock(shared->mutex);
      shared->results[i] = std::move(result);
      if (--shared->left > 0) return;
      lock.unlock();
      shared->done(std::move(shared->results));
    });
  }
}

bool Batcher::cancel(InferenceRequest& request) {
  {
    std::lock_guard lock(mutex_);
    if (request.state_ != InferenceRequest::State::kQueued) return false;
    const auto it = std::find_if(queue_.begin(), queue_.end(),
                                 [&](const auto& queued) { return queued.get() == &request; });
    if (it != queue_.end()) queue_.erase(it);
    metrics_.queue_depth->set(static_cast<int64_t>(queue_.size()));
    request.state_ = InferenceRequest::State::kDone;
    metrics_.cancelled->add();
    space_.notify_all();
  }
  // Done: nothing else touches the request any more.
  request.input_.release();
  std::exchange(request.done_, {})(
      Error("the request to model '" + options_.name + "' was cancelled"), {});
  return true;
}

void Batcher::shutdown() {
  std::deque<std::shared_ptr<InferenceRequest>> queued;
  {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    queued.swap(queue_);
    for (auto& request : queued) request->state_ = InferenceRequest::State::kDone;
    metrics_.queue_depth->set(0);
    metrics_.failed->add(static_cast<int64_t>(queued.size()));
    queued_.notify_all();
    space_.notify_all();
    space_.wait(lock, [&] { return blocked_now_ == 0; });
  }
  const Error error("model '" + options_.name + "' was shut down before the request ran");
  for (auto& request : queued) {
    request->input_.release();
    std::exchange(request->done_, {})(error, {});
  }
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

Batcher::Batch Batcher::next_batch(std::unique_lock<std::mutex>& lock) {
  const auto max_batch = static_cast<size_t>(options_.max_batch);
  while (!stopping_) {
    if (queue_.empty()) {
      queued_.wait(lock);
      continue;
    }
    const auto deadline = queue_.front()->queued_at_ + options_.max_delay;
    if (queue_.size() < max_batch && SteadyClock::now() < deadline) {
      queued_.wait_until(lock, deadline);
      continue;  // re-checked: requests may have arrived, been cancelled or taken by another
    }
    const size_t n = std::min(queue_.size(), max_batch);
    Batch batch(queue_.begin(), queue_.begin() + n);
    queue_.erase(queue_.begin(), queue_.begin() + n);
    metrics_.queue_depth->set(static_cast<int64_t>(queue_.size()));
    space_.notify_all();
    const auto now = SteadyClock::now();
    for (auto& request : batch) {
      request->state_ = InferenceRequest::State::kRunning;
      request->timings_.queue_ms = ms_between(request->queued_at_, now);
      metrics_.queue_wait->record(request->timings_.queue_ms);
    }
    metrics_.batches[n - 1]->add();
    metrics_.items->add(static_cast<int64_t>(n));
    return batch;
  }
  return {};
}

void Batcher::serve(BatchExecutor& instance) {
  while (true) {
    Batch batch;
    {
      std::unique_lock lock(mutex_);
      batch = next_batch(lock);
    }
    if (batch.empty()) return;
    std::vector<cv::Mat> inputs;
    inputs.reserve(batch.size());
    for (const auto& request : batch) inputs.push_back(std::move(request->input_));
    const auto start = SteadyClock::now();
    Result<std::vector<Outputs>> outputs = Error("");
    try {
      outputs = instance.run_batch(inputs);
    } catch (const std::exception& e) {
      outputs = Error(std::string("internal error: ") + e.what());
    }
    const double run_ms = ms_between(start, SteadyClock::now());
    inputs.clear();
    if (outputs.ok() && outputs->size() != batch.size()) {
      outputs = Error("the model returned " + std::to_string(outputs->size()) +
                      " results for a batch of " + std::to_string(batch.size()));
    }
    finish(batch, std::move(outputs), run_ms);
  }
}

void Batcher::finish(const Batch& batch, Result<std::vector<Outputs>> outputs, double run_ms) {
  {
    std::lock_guard lock(mutex_);
    metrics_.run_time->record(run_ms);
    if (!outputs.ok()) {
      metrics_.failed_batches->add();
      metrics_.failed->add(static_cast<int64_t>(batch.size()));
    }
    for (const auto& request : batch) request->state_ = InferenceRequest::State::kDone;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    InferenceRequest& request = *batch[i];
    RequestTimings timings = request.timings_;
    timings.run_ms = run_ms;
    timings.batch_size = static_cast<int>(batch.size());
    Completion done = std::exchange(request.done_, {});
    if (outputs.ok()) {
      done(std::move((*outputs)[i]), timings);
    } else {
      done(outputs.error().with_context("model '" + options_.name + "', batch of " +
                                        std::to_string(batch.size())),
           timings);
    }
  }
}

nlohmann::ordered_json Batcher::report() const {
  nlohmann::ordered_json sizes = nlohmann::ordered_json::object();
  int64_t batches = 0;
  for (size_t i = 0; i < metrics_.batches.size(); ++i) {
    const int64_t count = metrics_.batches[i]->value();
    if (count > 0) sizes[std::to_string(i + 1)] = count;
    batches += count;
  }
  return {{"model", options_.name},
          {"instances", threads_.size()},
          {"max_batch", options_.max_batch},
          {"max_delay_us", options_.max_delay.count()},
          {"queue_capacity", options_.queue_capacity},
          {"queue_high_water", metrics_.queue_high_water->value()},
          {"blocked_submits", metrics_.blocked_submits->value()},
          {"requests", metrics_.requests->value()},
          {"batches", batches},
          {"batch_sizes", sizes},
          {"cancelled", metrics_.cancelled->value()},
          {"failed_requests", metrics_.failed->value()},
          {"failed_batches", metrics_.failed_batches->value()},
          {"queue_wait", telemetry::to_json(metrics_.queue_wait->snapshot().steady)},
          {"run", telemetry::to_json(metrics_.run_time->snapshot().steady)}};
}

}  // namespace fp::infer
