// Slice plans: every pixel covered, neighbours overlapping as asked, edge tiles inside the frame,
// frames smaller than a tile; and the merge functions on hand-computed cases.
#include "vision/slicing.hpp"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "vision/nms.hpp"

namespace fp::vision {
namespace {

// How many tiles cover each pixel (a frame-sized counter).
cv::Mat coverage(cv::Size frame, const std::vector<cv::Rect>& tiles) {
  cv::Mat count = cv::Mat::zeros(frame, CV_32S);
  for (const cv::Rect& t : tiles) count(t) += 1;
  return count;
}

TEST(SlicePlan, CoversTheFrameWithTheAskedOverlapAndKeepsEdgeTilesInside) {
  const cv::Size frame(1920, 1080);
  const auto tiles = slice_plan(frame, cv::Size(640, 640), 0.2);
  // Steps of 512 across: 0, 512, 1024, then 1280 (shifted back to end at 1920); down: 0, 440.
  ASSERT_EQ(tiles.size(), 8u);
  EXPECT_EQ(tiles[0], cv::Rect(0, 0, 640, 640));
  EXPECT_EQ(tiles[1], cv::Rect(512, 0, 640, 640));
  EXPECT_EQ(tiles[3], cv::Rect(1280, 0, 640, 640));
  EXPECT_EQ(tiles[4], cv::Rect(0, 440, 640, 640));
  for (const cv::Rect& t : tiles) {
    EXPECT_EQ(t & cv::Rect(cv::Point(), frame), t) << "a tile leaves the frame";
    EXPECT_EQ(t.size(), cv::Size(640, 640));
  }
  double least = 0;
  cv::minMaxLoc(coverage(frame, tiles), &least);
  EXPECT_GE(least, 1) << "a pixel no tile covers";
  // Horizontal neighbours share at least 20 % of a tile.
  EXPECT_GE((tiles[0] & tiles[1]).width, 128);
  EXPECT_GE((tiles[2] & tiles[3]).width, 128);
}

TEST(SlicePlan, AFrameSmallerThanATileIsOneTileOfTheFrame) {
  EXPECT_EQ(slice_plan(cv::Size(300, 200), cv::Size(640, 640), 0.2),
            (std::vector<cv::Rect>{cv::Rect(0, 0, 300, 200)}));
  // Smaller along one side only: one row of full-height tiles.
  const auto row = slice_plan(cv::Size(2000, 300), cv::Size(640, 640), 0.2);
  ASSERT_EQ(row.size(), 4u);
  for (const cv::Rect& t : row) EXPECT_EQ(t.height, 300);
  EXPECT_EQ(row.back().x + row.back().width, 2000);
  // A frame exactly one tile: one tile, no zero-width extra.
  EXPECT_EQ(slice_plan(cv::Size(640, 640), cv::Size(640, 640), 0.5).size(), 1u);
}

TEST(SlicePlan, AGridGivesItsColumnsAndRowsAndCoversTheFrame) {
  const cv::Size frame(3840, 2160);
  const auto tiles = grid_plan(frame, 4, 3, 0.2);
  ASSERT_EQ(tiles.size(), 12u);
  double least = 0;
  cv::minMaxLoc(coverage(frame, tiles), &least);
  EXPECT_GE(least, 1);
  EXPECT_EQ(tiles.back().br(), cv::Point(3840, 2160));
  EXPECT_EQ(grid_plan(frame, 1, 1, 0.2), (std::vector<cv::Rect>{cv::Rect(0, 0, 3840, 2160)}));
}

Detection box(float x1, float y1, float x2, float y2, float score, int class_id = 0) {
  Detection d;
  d.box = {x1, y1, x2, y2};
  d.score = score;
  d.class_id = class_id;
  return d;
}

TEST(BoxMerge, OverlapsAgainstHandComputedValues) {
  const Box a{0, 0, 10, 10}, b{5, 0, 15, 10}, inner{2, 2, 4, 4};
  EXPECT_FLOAT_EQ(iou(a, b), 50.0f / 150.0f);
  EXPECT_FLOAT_EQ(ios(a, b), 0.5f);
  EXPECT_FLOAT_EQ(iou(a, inner), 4.0f / 100.0f);
  EXPECT_FLOAT_EQ(ios(a, inner), 1.0f);
  EXPECT_FLOAT_EQ(ios(a, Box{20, 20, 30, 30}), 0.0f);
}

TEST(BoxMerge, NmsAndNmmWithIouOrIos) {
  // A whole person, the half of it a tile border cut off, and another person elsewhere.
  const std::vector<Detection> found = {box(0, 0, 40, 100, 0.9f), box(0, 0, 40, 45, 0.95f),
                                        box(200, 0, 240, 100, 0.8f)};
  // IoU of the cut half with the whole is 0.45: under 0.5, both kept.
  EXPECT_EQ(merge_per_class(found, MergeMethod::kNms, Overlap::kIou, 0.5f).size(), 3u);
  // IoS is 1: one group. NMS keeps the best box, the cut one (0.95)...
  const auto suppressed = merge_per_class(found, MergeMethod::kNms, Overlap::kIos, 0.5f);
  ASSERT_EQ(suppressed.size(), 2u);
  EXPECT_FLOAT_EQ(suppressed[0].box.y2, 45);
  // ...NMM grows it to enclose the whole person, with the best score.
  const auto merged = merge_per_class(found, MergeMethod::kNmm, Overlap::kIos, 0.5f);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_FLOAT_EQ(merged[0].box.y2, 100);
  EXPECT_FLOAT_EQ(merged[0].box.x2, 40);
  EXPECT_FLOAT_EQ(merged[0].score, 0.95f);
  EXPECT_FLOAT_EQ(merged[1].box.x1, 200);
  // Other classes never merge.
  const std::vector<Detection> two_classes = {box(0, 0, 10, 10, 0.9f, 0),
                                              box(0, 0, 10, 10, 0.8f, 1)};
  EXPECT_EQ(merge_per_class(two_classes, MergeMethod::kNmm, Overlap::kIou, 0.5f).size(), 2u);
}

}  // namespace
}  // namespace fp::vision
