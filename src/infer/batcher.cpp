#include "infer/batcher.hpp"

#include <algorithm>

#include "telemetry/stage_timings.hpp"

namespace fp::infer {

namespace {

double ms_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace

bool InferenceRequest::cancel() { return batcher_->cancel(*this); }

Batcher::Batcher(std::vector<std::unique_ptr<BatchExecutor>> instances, BatcherOptions options)
    : options_(std::move(options)), instances_(std::move(instances)) {
  options_.max_batch = std::max(1, options_.max_batch);
  for (auto& instance : instances_) {
    threads_.emplace_back([this, executor = instance.get()] { serve(*executor); });
  }
}

Batcher::~Batcher() { shutdown(); }

std::shared_ptr<InferenceRequest> Batcher::submit(cv::Mat input) {
  auto request = std::make_shared<InferenceRequest>();
  request->batcher_ = this;
  request->input_ = std::move(input);
  request->queued_at_ = SteadyClock::now();
  std::lock_guard lock(mutex_);
  if (stopping_) {
    request->state_ = InferenceRequest::State::kDone;
    request->promise_.set_value(
        Error("model '" + options_.name + "' is shut down; the request was not run"));
    return request;
  }
  ++requests_;
  queue_.push_back(request);
  queued_.notify_all();
  return request;
}

Result<Outputs> Batcher::run(cv::Mat input, double* queue_ms, double* run_ms) {
  const std::shared_ptr<InferenceRequest> request = submit(std::move(input));
  Result<Outputs> outputs = request->wait();
  if (queue_ms != nullptr) *queue_ms = request->queue_ms();
  if (run_ms != nullptr) *run_ms = request->run_ms();
  return outputs;
}

bool Batcher::cancel(InferenceRequest& request) {
  std::lock_guard lock(mutex_);
  if (request.state_ != InferenceRequest::State::kQueued) return false;
  const auto it = std::find_if(queue_.begin(), queue_.end(),
                               [&](const auto& queued) { return queued.get() == &request; });
  if (it != queue_.end()) queue_.erase(it);
  request.state_ = InferenceRequest::State::kDone;
  ++cancelled_;
  request.promise_.set_value(Error("the request to model '" + options_.name + "' was cancelled"));
  return true;
}

void Batcher::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& request : queue_) {
      request->state_ = InferenceRequest::State::kDone;
      ++failed_;
      request->promise_.set_value(
          Error("model '" + options_.name + "' was shut down before the request ran"));
    }
    queue_.clear();
    queued_.notify_all();
  }
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

std::vector<std::shared_ptr<InferenceRequest>> Batcher::next_batch(
    std::unique_lock<std::mutex>& lock) {
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
    std::vector<std::shared_ptr<InferenceRequest>> batch(queue_.begin(), queue_.begin() + n);
    queue_.erase(queue_.begin(), queue_.begin() + n);
    const auto now = SteadyClock::now();
    for (auto& request : batch) {
      request->state_ = InferenceRequest::State::kRunning;
      request->queue_ms_ = ms_between(request->queued_at_, now);
      queue_wait_.add(request->queue_ms_);
    }
    ++batch_sizes_[static_cast<int>(n)];
    return batch;
  }
  return {};
}

void Batcher::serve(BatchExecutor& instance) {
  std::unique_lock lock(mutex_);
  while (true) {
    const std::vector<std::shared_ptr<InferenceRequest>> batch = next_batch(lock);
    if (batch.empty()) return;
    lock.unlock();
    std::vector<cv::Mat> inputs;
    inputs.reserve(batch.size());
    for (const auto& request : batch) inputs.push_back(request->input_);
    const auto start = SteadyClock::now();
    Result<std::vector<Outputs>> outputs = Error("");
    try {
      outputs = instance.run_batch(inputs);
    } catch (const std::exception& e) {
      outputs = Error(std::string("internal error: ") + e.what());
    }
    const double run_ms = ms_between(start, SteadyClock::now());
    if (outputs.ok() && outputs->size() != batch.size()) {
      outputs = Error("the model returned " + std::to_string(outputs->size()) +
                      " results for a batch of " + std::to_string(batch.size()));
    }
    lock.lock();
    finish(batch, std::move(outputs), run_ms);
  }
}

void Batcher::finish(const std::vector<std::shared_ptr<InferenceRequest>>& batch,
                     Result<std::vector<Outputs>> outputs, double run_ms) {
  run_time_.add(run_ms);
  if (!outputs.ok()) {
    ++failed_batches_;
    failed_ += static_cast<int64_t>(batch.size());
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    InferenceRequest& request = *batch[i];
    request.state_ = InferenceRequest::State::kDone;
    request.run_ms_ = run_ms;
    request.batch_size_ = static_cast<int>(batch.size());
    request.input_.release();
    if (outputs.ok()) {
      request.promise_.set_value(std::move((*outputs)[i]));
    } else {
      request.promise_.set_value(outputs.error().with_context(
          "model '" + options_.name + "', batch of " + std::to_string(batch.size())));
    }
  }
}

nlohmann::ordered_json Batcher::report() const {
  std::lock_guard lock(mutex_);
  nlohmann::ordered_json sizes = nlohmann::ordered_json::object();
  int64_t batches = 0;
  for (const auto& [size, count] : batch_sizes_) {
    sizes[std::to_string(size)] = count;
    batches += count;
  }
  return {{"model", options_.name},
          {"instances", threads_.size()},
          {"max_batch", options_.max_batch},
          {"max_delay_us", options_.max_delay.count()},
          {"requests", requests_},
          {"batches", batches},
          {"batch_sizes", sizes},
          {"cancelled", cancelled_},
          {"failed_requests", failed_},
          {"failed_batches", failed_batches_},
          {"queue_wait", telemetry::to_json(queue_wait_.summary())},
          {"run", telemetry::to_json(run_time_.summary())}};
}

}  // namespace fp::infer
