// Batcher semantics: max_batch, max_delay, cancellation, error isolation, shutdown, concurrency.
#include "infer/batcher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "infer/batcher_fakes.hpp"

namespace fp::infer {
namespace {

using fakes::Completed;
using fakes::Fixture;
using fakes::item;
using fakes::value_of;

TEST(Batcher, FullBatchRunsWithoutWaitingForTheDelay) {
  Fixture f(4, std::chrono::seconds(30));
  std::vector<std::shared_ptr<Completed>> requests;
  for (int i = 1; i <= 4; ++i) requests.push_back(f.submit(i));
  for (int i = 1; i <= 4; ++i) {
    auto outputs = requests[i - 1]->wait();
    ASSERT_TRUE(outputs.ok()) << outputs.error().message();
    EXPECT_EQ(value_of(*outputs), 2.0f * i);
    EXPECT_EQ(requests[i - 1]->timings().batch_size, 4);
  }
  EXPECT_EQ(f.fakes[0]->batches(), (std::vector<std::vector<float>>{{1, 2, 3, 4}}));
  EXPECT_EQ(f.batcher->report()["batch_sizes"]["4"], 1);
}

TEST(Batcher, LoneRequestRunsOnceItsDelayHasPassed) {
  Fixture f(8, std::chrono::milliseconds(30));
  RequestTimings timings;
  auto outputs = f.batcher->run(item(5), &timings);
  ASSERT_TRUE(outputs.ok());
  EXPECT_EQ(value_of(*outputs), 10.0f);
  EXPECT_EQ(timings.batch_size, 1);
  EXPECT_GE(timings.queue_ms, 29.0);  // it waited for others up to max_delay, not less
}

TEST(Batcher, BatchesNeverExceedMaxBatch) {
  Fixture f(3, std::chrono::milliseconds(5));
  std::vector<std::shared_ptr<Completed>> requests;
  requests.push_back(f.submit_and_hold(0));  // runs alone and holds the instance
  for (int i = 1; i <= 7; ++i) requests.push_back(f.submit(i));
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
  auto cancelled = f.submit(2);
  auto kept = f.submit(3);
  EXPECT_TRUE(cancelled->request->cancel());
  EXPECT_FALSE(running->request->cancel());  // already running: it cannot be taken back
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
  auto good_in_bad_batch = f.submit(1);
  auto bad = f.submit(-1);
  auto a = f.submit(3);
  auto b = f.submit(4);
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
  auto queued = f.submit(2);
  std::thread stopper([&] { f.batcher->shutdown(); });
  auto outcome = queued->wait();  // fails at once, while the running batch is still held
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message().find("shut down"), std::string::npos);
  f.fakes[0]->release();
  stopper.join();
  EXPECT_TRUE(running->wait().ok());
  auto late = f.batcher->run(item(3));
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message().find("shut down"), std::string::npos);
  EXPECT_EQ(f.fakes[0]->batches().size(), 1u);
}

TEST(Batcher, RunAllGivesEachInputItsOwnOutputsInOrder) {
  Fixture f(4, std::chrono::seconds(30));
  std::vector<cv::Mat> inputs;
  for (float v : {1, 2, 3, 4, 5, -6, 7, 8}) inputs.push_back(item(v));
  const auto outputs = f.batcher->run_all(std::move(inputs));
  ASSERT_EQ(outputs.size(), 8u);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(outputs[i].ok());
    EXPECT_EQ(value_of(*outputs[i]), 2.0f * (i + 1));
  }
  for (int i = 4; i < 8; ++i) EXPECT_FALSE(outputs[i].ok());  // the second batch held -6
  EXPECT_TRUE(f.batcher->run_all({}).empty());
}

// submit_all: the same results as run_all, handed over once, in input order, without blocking.
TEST(Batcher, SubmitAllHandsOverEveryResultOnceInInputOrder) {
  Fixture f(4, std::chrono::seconds(30));
  std::vector<cv::Mat> inputs;
  for (float v : {1, 2, 3, 4, 5, -6, 7, 8}) inputs.push_back(item(v));
  std::promise<std::vector<Result<infer::Outputs>>> handed;
  std::atomic<int> calls{0};
  f.batcher->submit_all(std::move(inputs), [&](std::vector<Result<infer::Outputs>> outputs) {
    if (calls++ == 0) handed.set_value(std::move(outputs));
  });
  const auto outputs = handed.get_future().get();
  ASSERT_EQ(outputs.size(), 8u);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(outputs[i].ok());
    EXPECT_EQ(value_of(*outputs[i]), 2.0f * (i + 1));
  }
  for (int i = 4; i < 8; ++i) EXPECT_FALSE(outputs[i].ok());  // the second batch held -6
  bool empty_done = false;
  f.batcher->submit_all(
      {}, [&](std::vector<Result<infer::Outputs>> none) { empty_done = none.empty(); });
  EXPECT_TRUE(empty_done);  // at once, on this thread
  EXPECT_EQ(calls.load(), 1);
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
