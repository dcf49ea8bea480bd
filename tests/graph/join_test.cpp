// Join's policies offered items one by one, without threads: what each publishes, and when.
#include "graph/join.hpp"

#include <gtest/gtest.h>

#include "graph_test_support.hpp"

namespace fp::graph {
namespace {

using namespace testing;
using TestJoin = Join<Item, ItemTraits>;

Item frame(int64_t sequence) { return Item{0, sequence, sequence / 10.0, {"global"}}; }
Item result(int64_t sequence) { return Item{0, sequence, sequence / 10.0, {"tiles"}}; }

// The age in frames of the overlay each published frame got; -1 for none.
std::vector<int64_t> publish(TestJoin& join, int64_t first, int64_t last) {
  std::vector<int64_t> ages;
  for (int64_t f = first; f <= last; ++f) {
    const std::vector<Item> out = join.offer(0, frame(f));
    EXPECT_EQ(out.size(), 1u);
    ages.push_back(out.at(0).ages.empty() ? -1 : out.at(0).ages[0].second);
  }
  return ages;
}

TEST(Join, AsyncOverlayLaysTheNewestResultNotAfterTheFrameOverIt) {
  TestJoin join("j", JoinPolicy::kAsyncOverlay, {"global", "tiles"});
  EXPECT_EQ(publish(join, 0, 1), (std::vector<int64_t>{-1, -1}));  // nothing computed yet
  EXPECT_TRUE(join.offer(1, result(2)).empty());  // held, published with the frames
  // A result computed on frame 5 arrives before frames 2..4 are published: it waits for frame 5,
  // and frame 2's result still serves 3 and 4.
  EXPECT_TRUE(join.offer(1, result(5)).empty());
  EXPECT_EQ(publish(join, 2, 7), (std::vector<int64_t>{0, 1, 2, 0, 1, 2}));
}

TEST(Join, AsyncOverlayTakesResultsArrivingOutOfOrderInFrameOrder) {
  TestJoin join("j", JoinPolicy::kAsyncOverlay, {"global", "tiles"});
  EXPECT_TRUE(join.offer(1, result(4)).empty());
  EXPECT_TRUE(join.offer(1, result(1)).empty());
  EXPECT_EQ(publish(join, 0, 5), (std::vector<int64_t>{-1, 0, 1, 2, 0, 1}));
}

TEST(Join, StrictSyncPublishesAFrameWhenEveryBranchHasIt) {
  TestJoin join("j", JoinPolicy::kStrictSync, {"global", "tiles"});
  EXPECT_TRUE(join.offer(1, result(0)).empty());
  EXPECT_EQ(join.waiting(), 1u);
  const std::vector<Item> out = join.offer(0, frame(0));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].trail, (std::vector<std::string>{"global", "tiles:tiles"}));
  EXPECT_EQ(join.waiting(), 0u);
}

}  // namespace
}  // namespace fp::graph
