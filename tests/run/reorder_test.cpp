#include "run/reorder.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace fp::run {
namespace {

using pipeline::FrameResult;

using Released = std::vector<std::pair<int, int64_t>>;  // (stream, sequence)

// Adds frames in the given arrival order and lists what is released, in release order.
Released add_all(Reorder& reorder, const Released& arrivals) {
  Released released;
  for (const auto& [stream, sequence] : arrivals) {
    FrameResult item;
    item.frame.stream = stream;
    item.frame.index = sequence * 10;  // frame indices need not be consecutive
    item.sequence = sequence;
    reorder.add(std::move(item));
    while (auto next = reorder.next()) {
      EXPECT_EQ(next->frame.index, next->sequence * 10);
      released.emplace_back(next->frame.stream, next->sequence);
    }
  }
  return released;
}

TEST(Reorder, InterleavedStreamsArrivingOutOfOrderAreReleasedInOrderPerStream) {
  Reorder reorder;
  const Released released =
      add_all(reorder, {{0, 1}, {1, 0}, {0, 0}, {1, 2}, {1, 1}, {2, 1}, {2, 0}, {0, 2}});
  const Released expected = {{1, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 0}, {2, 1}, {0, 2}};
  EXPECT_EQ(released, expected);
}

TEST(Reorder, GapInOneStreamDoesNotHoldBackAnother) {
  Reorder reorder;
  // Stream 0's frame 0 is late; stream 1 flows past it.
  EXPECT_EQ(add_all(reorder, {{0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}}),
            (Released{{1, 0}, {1, 1}, {1, 2}}));
  EXPECT_EQ(add_all(reorder, {{0, 0}}), (Released{{0, 0}, {0, 1}, {0, 2}}));
  EXPECT_FALSE(reorder.next().has_value());
}

}  // namespace
}  // namespace fp::run
