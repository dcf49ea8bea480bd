#include "core/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <utility>

namespace fp {
namespace {

TEST(BoundedQueue, FullQueueBlocksProducerUntilConsumed) {
  BoundedQueue<int> q(2);
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < 5; ++i) {
      q.push(i);
      ++pushed;
    }
  });
  // The producer can get at most 2 ahead of a consumer that has not started.
  while (pushed.load() < 2) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(pushed.load(), 2);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(q.pop(), i);  // order is kept
  producer.join();
  EXPECT_EQ(q.high_water(), 2u);
}

TEST(BoundedQueue, PushReplacingDropsTheOldestReplaceableItemInsteadOfWaiting) {
  BoundedQueue<std::pair<char, int>> q(3);  // (stream, frame)
  q.push({'a', 0});
  q.push({'b', 0});
  q.push({'a', 1});
  auto stream_a = [](const std::pair<char, int>& item) { return item.first == 'a'; };
  int64_t replaced = 0;
  EXPECT_TRUE(q.push_replacing({'a', 2}, stream_a, replaced));  // full: a0 goes
  EXPECT_TRUE(q.push_replacing({'a', 3}, stream_a, replaced));  // full: a1 goes
  EXPECT_EQ(replaced, 2);
  EXPECT_EQ(q.size(), 3u);
  // Nothing of stream c is queued to replace: a full queue makes it wait for a pop.
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.push_replacing(
        {'c', 0}, [](const auto& item) { return item.first == 'c'; }, replaced);
    pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(pushed.load());
  EXPECT_EQ(q.pop(), std::make_pair('b', 0));
  producer.join();
  EXPECT_EQ(replaced, 2);
  EXPECT_EQ(q.pop(), std::make_pair('a', 2));
  EXPECT_EQ(q.pop(), std::make_pair('a', 3));
  EXPECT_EQ(q.pop(), std::make_pair('c', 0));
  q.close();
  EXPECT_FALSE(q.push_replacing({'a', 4}, stream_a, replaced));
}

TEST(BoundedQueue, CloseDrainsThenEnds) {
  BoundedQueue<int> q(4);
  q.push(1);
  q.push(2);
  q.close();
  EXPECT_FALSE(q.push(3));
  EXPECT_EQ(q.pop(), 1);
  EXPECT_EQ(q.pop(), 2);
  EXPECT_EQ(q.pop(), std::nullopt);
}

TEST(BoundedQueue, CloseReleasesBlockedProducer) {
  BoundedQueue<int> q(1);
  q.push(0);
  std::atomic<bool> result{true};
  std::thread producer([&] { result = q.push(1); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  q.close();
  producer.join();
  EXPECT_FALSE(result.load());
}

}  // namespace
}  // namespace fp
