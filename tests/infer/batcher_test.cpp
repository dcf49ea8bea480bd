// Batcher semantics: max_batch, max_delay, cancellation, error isolation, shutdown, concurrency.
#include "infer/batcher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

namespace fp::infer {
namespace {

cv::Mat item(float value) {
  const int shape[] = {1, 1, 1, 1};
  return cv::Mat(4, shape, CV_32F, cv::Scalar(value));
}

float value_of(const Outputs& outputs) { return outputs.at(0).at<float>(0); }

// Returns 2 x each item's value. A batch holding a negative value fails; while `hold` is set a
// batch waits for release(). Records every batch it ran.
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

struct Fixture {
  explicit Fixture(int max_batch, std::chrono::microseconds delay, int instances = 1) {
    std::vector<std::unique_ptr<BatchExecutor>> executors;
    for (int i = 0; i < instances; ++i) {
      auto fake = std::make_unique<FakeExecutor>();
      fakes.push_back(fake.get());
      executors.push_back(std::move(fake));
    }
    batcher =
        std::make_unique<Batcher>(std::move(executors), BatcherOptions{"fake", max_batch, delay});
  }
  // Submits `value` and returns once instance 0 runs it; it stays there until release().
  std::shared_ptr<InferenceRequest> submit_and_hold(float value) {
    fakes[0]->hold();
    auto request = batcher->submit(item(value));
    fakes[0]->wait_for_batches(1);
    return request;
  }
  std::vector<FakeExecutor*> fakes;
  std::unique_ptr<Batcher> batcher;
};

TEST(Batcher, FullBatchRunsWithoutWaitingForTheDelay) {
  Fixture f(4, std::chrono::seconds(30));
  std::vector<std::shared_ptr<InferenceRequest>> requests;
  for (int i = 1; i <= 4; ++i) requests.push_back(f.batcher->submit(item(i)));
  for (int i = 1; i <= 4; ++i) {
    auto outputs = requests[i - 1]->wait();
    ASSERT_TRUE(outputs.ok()) << outputs.error().message();
    EXPECT_EQ(value_of(*outputs), 2.0f * i);
    EXPECT_EQ(requests[i - 1]->batch_size(), 4);
  }
  EXPECT_EQ(f.fakes[0]->batches(), (std::vector<std::vector<float>>{{1, 2, 3, 4}}));
  EXPECT_EQ(f.batcher->report()["batch_sizes"]["4"], 1);
}

TEST(Batcher, LoneRequestRunsOnceItsDelayHasPassed) {
  Fixture f(8, std::chrono::milliseconds(30));
  auto request = f.batcher->submit(item(5));
  auto outputs = request->wait();
  ASSERT_TRUE(outputs.ok());
  EXPECT_EQ(value_of(*outputs), 10.0f);
  EXPECT_EQ(request->batch_size(), 1);
  EXPECT_GE(request->queue_ms(), 29.0);  // it waited for others up to max_delay, not less
}

TEST(Batcher, BatchesNeverExceedMaxBatch) {
  Fixture f(3, std::chrono::milliseconds(5));
  std::vector<std::shared_ptr<InferenceRequest>> requests;
  requests.push_back(f.submit_and_hold(0));  // runs alone and holds the instance
  for (int i = 1; i <= 7; ++i) requests.push_back(f.batcher->submit(item(i)));
  f.fakes[0]->release();
  for (auto& r : requests) ASSERT_TRUE(r->wait().ok());
  const auto batches = f.fakes[0]->batches();
  ASSERT_EQ(batches.size(), 4u);  // {0}, {1,2,3}, {4,5,6}, {7}
  EXPECT_EQ(batches[1], (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(batches[2], (std::vector<float>{4, 5, 6}));
  EXPECT_EQ(batches[3], (std::vector<float>{7}));
}

TEST(Batcher, CancelledRequestNeverRuns) {
  Fixture f(1, std::chrono::microseconds(0));
  auto running = f.submit_and_hold(1);
  auto cancelled = f.batcher->submit(item(2));
  auto kept = f.batcher->submit(item(3));
  EXPECT_TRUE(cancelled->cancel());
  EXPECT_FALSE(running->cancel());  // already running: it cannot be taken back
  f.fakes[0]->release();
  EXPECT_TRUE(running->wait().ok());
  EXPECT_TRUE(kept->wait().ok());
  auto outcome = cancelled->wait();
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message().find("cancelled"), std::string::npos);
  EXPECT_EQ(f.fakes[0]->batches(), (std::vector<std::vector<float>>{{1}, {3}}));
  EXPECT_EQ(f.batcher->report()["cancelled"], 1);
}

TEST(Batcher, FailedBatchFailsOnlyItsOwnRequests) {
  Fixture f(2, std::chrono::seconds(30));
  auto good_in_bad_batch = f.batcher->submit(item(1));
  auto bad = f.batcher->submit(item(-1));
  auto a = f.batcher->submit(item(3));
  auto b = f.batcher->submit(item(4));
  auto failed = good_in_bad_batch->wait();
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message().find("negative input"), std::string::npos);
  EXPECT_NE(failed.error().message().find("model 'fake', batch of 2"), std::string::npos);
  EXPECT_FALSE(bad->wait().ok());
  auto ok_a = a->wait();
  auto ok_b = b->wait();
  ASSERT_TRUE(ok_a.ok() && ok_b.ok());
  EXPECT_EQ(value_of(*ok_a), 6.0f);
  EXPECT_EQ(value_of(*ok_b), 8.0f);
  EXPECT_EQ(f.batcher->report()["failed_batches"], 1);
}

TEST(Batcher, ShutdownFailsQueuedRequestsAndFinishesTheRunningBatch) {
  Fixture f(1, std::chrono::microseconds(0));
  auto running = f.submit_and_hold(1);
  auto queued = f.batcher->submit(item(2));
  std::thread stopper([&] { f.batcher->shutdown(); });
  auto outcome = queued->wait();  // fails at once, while the running batch is still held
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message().find("shut down"), std::string::npos);
  f.fakes[0]->release();
  stopper.join();
  EXPECT_TRUE(running->wait().ok());
  auto late = f.batcher->submit(item(3))->wait();
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message().find("shut down"), std::string::npos);
  EXPECT_EQ(f.fakes[0]->batches().size(), 1u);
}

TEST(Batcher, ManyThreadsEachGetTheirOwnOutputs) {
  Fixture f(4, std::chrono::microseconds(500), 2);
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const float v = static_cast<float>(t * 1000 + i);
        auto outputs = f.batcher->run(item(v));
        if (!outputs.ok() || value_of(*outputs) != 2 * v) ++wrong;
      }
    });
  }
  for (auto& c : callers) c.join();
  EXPECT_EQ(wrong.load(), 0);
  const auto report = f.batcher->report();
  EXPECT_EQ(report["requests"], 400);
  int64_t items = 0;
  for (const auto& [size, count] : report["batch_sizes"].items()) {
    items += std::stoi(size) * count.get<int64_t>();
  }
  EXPECT_EQ(items, 400);
  EXPECT_GT(report["batches"].get<int64_t>(), 0);
  EXPECT_LE(report["batches"].get<int64_t>(), 400);
}

}  // namespace
}  // namespace fp::infer
