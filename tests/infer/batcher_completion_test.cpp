// Batcher completions: each request's callback is called exactly once, on the thread the header
// promises, in every path (outputs, failed batch, cancel, shutdown), and instance threads call
// back concurrently.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "infer/batcher.hpp"
#include "infer/batcher_fakes.hpp"

namespace fp::infer {
namespace {

using fakes::Completed;
using fakes::Fixture;
using fakes::item;
using fakes::value_of;

TEST(BatcherCompletion, OutputsAndBatchErrorsArriveOnceOnTheInstanceThread) {
  Fixture f(2, std::chrono::seconds(30));
  auto good = f.submit(1), also_good = f.submit(2);  // one batch
  auto failing = f.submit(-1), in_failing_batch = f.submit(4);
  ASSERT_TRUE(good->wait().ok());
  EXPECT_EQ(value_of(*also_good->wait()), 4.0f);
  EXPECT_FALSE(failing->wait().ok());
  EXPECT_FALSE(in_failing_batch->wait().ok());
  f.batcher->shutdown();  // joins the instance: no completion can still be on its way
  for (const auto& c : {good, also_good, failing, in_failing_batch}) {
    EXPECT_EQ(c->calls(), 1);
    EXPECT_NE(c->thread(), std::this_thread::get_id());
    EXPECT_EQ(c->timings().batch_size, 2);  // a failed batch still ran: its timings are real
    EXPECT_FALSE(c->request->cancel());     // done: cancel changes nothing
  }
  EXPECT_EQ(good->thread(), failing->thread());  // the one instance thread
}

TEST(BatcherCompletion, CancelCompletesOnceOnTheCancellingThread) {
  Fixture f(1, std::chrono::microseconds(0));
  auto running = f.submit_and_hold(1);
  auto cancelled = f.submit(2);
  ASSERT_TRUE(cancelled->request->cancel());
  EXPECT_EQ(cancelled->calls(), 1);  // called inside cancel()
  EXPECT_EQ(cancelled->thread(), std::this_thread::get_id());
  EXPECT_EQ(cancelled->timings().batch_size, 0);  // it never ran
  EXPECT_FALSE(cancelled->request->cancel());
  f.fakes[0]->release();
  f.batcher->shutdown();
  EXPECT_EQ(cancelled->calls(), 1);
  EXPECT_EQ(running->calls(), 1);
  EXPECT_TRUE(running->wait().ok());
}

TEST(BatcherCompletion, ShutdownCompletesQueuedRequestsOnceOnTheShuttingDownThread) {
  Fixture f(1, std::chrono::microseconds(0));
  auto running = f.submit_and_hold(1);
  auto queued = f.submit(2), queued_too = f.submit(3);
  std::thread::id stopper_id;
  std::thread stopper([&] {
    stopper_id = std::this_thread::get_id();
    f.batcher->shutdown();
  });
  EXPECT_FALSE(queued->wait().ok());  // failed while the running batch is still held
  EXPECT_FALSE(queued_too->wait().ok());
  f.fakes[0]->release();
  stopper.join();
  EXPECT_EQ(queued->thread(), stopper_id);
  EXPECT_EQ(queued_too->thread(), stopper_id);
  EXPECT_EQ(queued->calls(), 1);
  EXPECT_EQ(queued_too->calls(), 1);
  EXPECT_EQ(running->calls(), 1);
  EXPECT_TRUE(running->wait().ok());
  EXPECT_EQ(f.batcher->report()["failed_requests"], 2);

  auto late = f.submit(4);  // after shutdown: completed inside submit(), on this thread
  EXPECT_EQ(late->calls(), 1);
  EXPECT_EQ(late->thread(), std::this_thread::get_id());
  auto outcome = late->wait();
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message().find("shut down"), std::string::npos);
}

TEST(BatcherCompletion, InstanceThreadsCallBackConcurrently) {
  Fixture f(1, std::chrono::microseconds(0), 2);
  // Each completion waits until both have started: that only ends if two threads run them at once.
  std::latch both_started(2), both_returned(2);
  std::atomic<int> met{0};
  std::vector<std::thread::id> threads(2);
  auto wait_for_the_other = [&](int i) {
    return [&, i](Result<Outputs> outputs, RequestTimings) {
      threads[i] = std::this_thread::get_id();
      both_started.count_down();
      for (int k = 0; k < 10000 && !both_started.try_wait(); ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      if (both_started.try_wait() && outputs.ok()) ++met;
      both_returned.count_down();
    };
  };
  f.batcher->submit(item(1), wait_for_the_other(0));
  f.batcher->submit(item(2), wait_for_the_other(1));
  both_returned.wait();
  f.batcher->shutdown();  // joins the instances before the latches go
  EXPECT_EQ(met.load(), 2);
  EXPECT_NE(threads[0], threads[1]);
}

}  // namespace
}  // namespace fp::infer
