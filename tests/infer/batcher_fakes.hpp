// What the Batcher tests share: items that carry one float, a fake model instance that can be held
// mid-batch, and a record of each request's completion.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "infer/batcher.hpp"

namespace fp::infer::fakes {

inline cv::Mat item(float value) {
  const int shape[] = {1, 1, 1, 1};
  return cv::Mat(4, shape, CV_32F, cv::Scalar(value));
}

inline float value_of(const Outputs& outputs) { return outputs.at(0).at<float>(0); }

// Returns 2 x each item's value. A batch holding a negative value fails; while held (the gate is
// closed) a batch waits for release(). Records every batch it ran.
class FakeExecutor : public BatchExecutor {
 public:
  Result<std::vector<Outputs>> run_batch(const std::vector<cv::Mat>& items) override {
    {
      std::unique_lock lock(mutex_);
      batches_.emplace_back();
      for (const cv::Mat& m : items) batches_.back().push_back(m.ptr<float>()[0]);
      started_.notify_all();
      released_.wait(lock, [&] { return !hold_; });
    }
    std::vector<Outputs> out;
    for (const cv::Mat& m : items) {
      if (m.ptr<float>()[0] < 0) return Error("negative input");
      out.push_back({item(2 * m.ptr<float>()[0])});
    }
    return out;
  }
  void hold() {
    std::lock_guard lock(mutex_);
    hold_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    hold_ = false;
    released_.notify_all();
  }
  void wait_for_batches(size_t n) {
    std::unique_lock lock(mutex_);
    started_.wait(lock, [&] { return batches_.size() >= n; });
  }
  std::vector<std::vector<float>> batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable started_, released_;
  bool hold_ = false;
  std::vector<std::vector<float>> batches_;
};

// One request as a test sees it: its handle and every call of its Completion.
class Completed {
 public:
  std::shared_ptr<InferenceRequest> request;

  // Waits for the first call and returns what it received.
  Result<Outputs> wait() {
    std::unique_lock lock(mutex_);
    called_.wait(lock, [&] { return result_.has_value(); });
    return *result_;
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  RequestTimings timings() {
    std::lock_guard lock(mutex_);
    return timings_;
  }
  std::thread::id thread() {
    std::lock_guard lock(mutex_);
    return thread_;
  }

 private:
  friend std::shared_ptr<Completed> submit(Batcher& batcher, float value);
  void record(Result<Outputs> result, RequestTimings timings) {
    std::lock_guard lock(mutex_);
    ++calls_;
    result_ = std::move(result);
    timings_ = timings;
    thread_ = std::this_thread::get_id();
    called_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable called_;
  int calls_ = 0;
  std::optional<Result<Outputs>> result_;
  RequestTimings timings_;
  std::thread::id thread_;
};

// Submits item(value) with a Completion that records into the returned object.
inline std::shared_ptr<Completed> submit(Batcher& batcher, float value) {
  auto completed = std::make_shared<Completed>();
  completed->request =
      batcher.submit(item(value), [completed](Result<Outputs> result, RequestTimings timings) {
        completed->record(std::move(result), timings);
      });
  return completed;
}

// A batcher over `instances` FakeExecutors.
struct Fixture {
  explicit Fixture(int max_batch, std::chrono::microseconds delay, int instances = 1,
                   int queue_capacity = 0) {
    std::vector<std::unique_ptr<BatchExecutor>> executors;
    for (int i = 0; i < instances; ++i) {
      auto fake = std::make_unique<FakeExecutor>();
      fakes.push_back(fake.get());
      executors.push_back(std::move(fake));
    }
    batcher = std::make_unique<Batcher>(std::move(executors),
                                        BatcherOptions{"fake", max_batch, delay, queue_capacity});
  }
  std::shared_ptr<Completed> submit(float value) { return fakes::submit(*batcher, value); }
  // Submits `value` and returns once instance 0 runs it; it stays there until release().
  std::shared_ptr<Completed> submit_and_hold(float value) {
    fakes[0]->hold();
    auto completed = submit(value);
    fakes[0]->wait_for_batches(1);
    return completed;
  }
  std::vector<FakeExecutor*> fakes;
  std::unique_ptr<Batcher> batcher;
};

}  // namespace fp::infer::fakes
