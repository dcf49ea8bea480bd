// The Batcher's bounded queue: its capacity, backpressure on submit(), the release of a blocked
// submit() by shutdown(), and many requests through a small queue.
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

// Returns once a submit() is waiting for room (counted before it waits).
void wait_until_blocked(Batcher& batcher, int64_t blocked) {
  while (batcher.report()["blocked_submits"].get<int64_t>() < blocked) std::this_thread::yield();
}

TEST(BatcherQueue, CapacityDefaultsToFourBatchesPerInstanceAndHoldsAtLeastOneBatch) {
  EXPECT_EQ(Fixture(3, std::chrono::seconds(1), 2).batcher->report()["queue_capacity"], 24);
  EXPECT_EQ(Fixture(3, std::chrono::seconds(1), 1, 5).batcher->report()["queue_capacity"], 5);
  EXPECT_EQ(Fixture(8, std::chrono::seconds(1), 1, 2).batcher->report()["queue_capacity"], 8);
}

TEST(BatcherQueue, FullQueueBlocksSubmitUntilABatchDrainsIt) {
  Fixture f(1, std::chrono::microseconds(0), 1, 2);
  auto running = f.submit_and_hold(1);  // the instance is busy; the queue fills
  auto first = f.submit(2), second = f.submit(3);
  std::atomic<bool> returned{false};
  std::shared_ptr<Completed> blocked;
  std::thread producer([&] {
    blocked = f.submit(4);
    returned = true;
  });
  wait_until_blocked(*f.batcher, 1);
  EXPECT_FALSE(returned.load());  // the queue stays full while the instance is held
  EXPECT_EQ(f.batcher->report()["queue_high_water"], 2);
  f.fakes[0]->release();  // the instance takes {2}: room for one
  producer.join();
  EXPECT_TRUE(returned.load());
  for (auto& [c, value] : {std::pair{running, 1}, {first, 2}, {second, 3}, {blocked, 4}}) {
    auto outputs = c->wait();
    ASSERT_TRUE(outputs.ok()) << outputs.error().message();
    EXPECT_EQ(value_of(*outputs), 2.0f * value);
  }
  const auto report = f.batcher->report();
  EXPECT_EQ(report["queue_capacity"], 2);
  EXPECT_EQ(report["queue_high_water"], 2);
  EXPECT_EQ(report["blocked_submits"], 1);
  EXPECT_EQ(report["requests"], 4);
}

TEST(BatcherQueue, CancelMakesRoomForABlockedSubmit) {
  Fixture f(1, std::chrono::microseconds(0), 1, 1);
  auto running = f.submit_and_hold(1);
  auto queued = f.submit(2);
  std::shared_ptr<Completed> blocked;
  std::thread producer([&] { blocked = f.submit(3); });
  wait_until_blocked(*f.batcher, 1);
  EXPECT_TRUE(queued->request->cancel());
  producer.join();  // returns while the instance is still held
  f.fakes[0]->release();
  auto outputs = blocked->wait();
  ASSERT_TRUE(outputs.ok());
  EXPECT_EQ(value_of(*outputs), 6.0f);
}

TEST(BatcherQueue, ShutdownReleasesABlockedSubmitWithTheShutdownError) {
  Fixture f(1, std::chrono::microseconds(0), 1, 1);
  auto running = f.submit_and_hold(1);
  auto queued = f.submit(2);
  std::shared_ptr<Completed> blocked;
  std::thread producer([&] { blocked = f.submit(3); });
  wait_until_blocked(*f.batcher, 1);
  std::thread stopper([&] { f.batcher->shutdown(); });
  producer.join();  // released while the running batch is still held
  auto outcome = blocked->wait();
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message().find("shut down"), std::string::npos);
  EXPECT_FALSE(queued->wait().ok());
  f.fakes[0]->release();
  stopper.join();
  EXPECT_TRUE(running->wait().ok());
  for (const auto& c : {running, queued, blocked}) EXPECT_EQ(c->calls(), 1);
  EXPECT_EQ(f.fakes[0]->batches(), (std::vector<std::vector<float>>{{1}}));
}

TEST(BatcherQueue, ThousandsOfRequestsThroughASmallQueueEachGetTheirOwnOutputs) {
  constexpr int kProducers = 4, kPerProducer = 1500, kTotal = kProducers * kPerProducer;
  Fixture f(8, std::chrono::microseconds(200), 2, 16);
  std::vector<std::atomic<int>> calls(kTotal);
  std::atomic<int> wrong{0};
  std::latch all_done(kTotal);
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = p * kPerProducer; i < (p + 1) * kPerProducer; ++i) {
        f.batcher->submit(item(static_cast<float>(i)),
                          [&, i](Result<Outputs> outputs, RequestTimings) {
                            if (!outputs.ok() || value_of(*outputs) != 2.0f * static_cast<float>(i))
                              ++wrong;
                            ++calls[i];
                            all_done.count_down();
                          });
      }
    });
  }
  for (auto& p : producers) p.join();
  all_done.wait();
  f.batcher->shutdown();  // joins the instances before `calls` and the latch go
  EXPECT_EQ(wrong.load(), 0);
  int not_once = 0;
  for (const auto& c : calls) not_once += c.load() != 1;
  EXPECT_EQ(not_once, 0);
  const auto report = f.batcher->report();
  EXPECT_EQ(report["requests"], kTotal);
  EXPECT_LE(report["queue_high_water"].get<int>(), 16);
  int64_t items = 0;
  for (const auto& [size, count] : report["batch_sizes"].items()) {
    EXPECT_LE(std::stoi(size), 8);
    items += std::stoi(size) * count.get<int64_t>();
  }
  EXPECT_EQ(items, kTotal);
}

}  // namespace
}  // namespace fp::infer
