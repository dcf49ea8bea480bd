// The plane geometry of counting, against values worked out by hand.
#include "count/geometry.hpp"

#include <gtest/gtest.h>

namespace fp::count {
namespace {

TEST(CountGeometry, SideIsAsSeenFacingFromTheFirstPointToTheSecond) {
  // Facing right along y = 100 (y grows down the image), the right hand points down.
  EXPECT_EQ(side_of({0, 100}, {200, 100}, {50, 150}), 1);
  EXPECT_EQ(side_of({0, 100}, {200, 100}, {50, 20}), -1);
  EXPECT_EQ(side_of({0, 100}, {200, 100}, {500, 100}), 0);  // on the line, beyond the segment
  // Facing down along x = 100, the right hand points left.
  EXPECT_EQ(side_of({100, 0}, {100, 200}, {50, 10}), 1);
  EXPECT_EQ(side_of({100, 0}, {100, 200}, {150, 10}), -1);
  // The same segment the other way round swaps the sides.
  EXPECT_EQ(side_of({200, 100}, {0, 100}, {50, 150}), -1);
}

TEST(CountGeometry, CrossesOnlyTheSegmentItself) {
  const Point from(0, 100), to(200, 100);
  EXPECT_TRUE(crosses({100, 50}, {100, 150}, from, to));
  EXPECT_TRUE(crosses({100, 150}, {100, 50}, from, to));
  EXPECT_TRUE(crosses({20, 90}, {180, 110}, from, to));     // slanted, meets y = 100 at x = 100
  EXPECT_TRUE(crosses({200, 50}, {200, 150}, from, to));    // through an end: it counts
  EXPECT_FALSE(crosses({300, 50}, {300, 150}, from, to));   // through the extension
  EXPECT_FALSE(crosses({250, 50}, {210, 150}, from, to));   // meets y = 100 at x = 230
  EXPECT_FALSE(crosses({100, 50}, {100, 100}, from, to));   // onto the line, not across
  EXPECT_FALSE(crosses({100, 50}, {100, 90}, from, to));    // short of it
  EXPECT_FALSE(crosses({0, 50}, {200, 50}, from, to));      // parallel
  EXPECT_FALSE(crosses({-50, 100}, {250, 100}, from, to));  // along it
}

TEST(CountGeometry, InsideIncludesTheOutlineAndFollowsConcaveShapes) {
  // An L: the square (0,0)-(100,100) without its top-right quarter.
  const std::vector<Point> l_shape = {{0, 0}, {50, 0}, {50, 50}, {100, 50}, {100, 100}, {0, 100}};
  EXPECT_TRUE(inside(l_shape, {25, 25}));
  EXPECT_TRUE(inside(l_shape, {75, 75}));
  EXPECT_FALSE(inside(l_shape, {75, 25}));  // the notch
  EXPECT_FALSE(inside(l_shape, {150, 75}));
  EXPECT_TRUE(inside(l_shape, {100, 75}));  // on an edge
  EXPECT_TRUE(inside(l_shape, {0, 0}));     // on a corner
}

}  // namespace
}  // namespace fp::count
