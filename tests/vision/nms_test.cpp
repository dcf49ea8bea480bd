#include "vision/nms.hpp"

#include <gtest/gtest.h>

namespace fp::vision {
namespace {

TEST(Iou, KnownOverlaps) {
  EXPECT_FLOAT_EQ(iou(Box{0, 0, 10, 10}, Box{0, 0, 10, 10}), 1.0f);
  EXPECT_FLOAT_EQ(iou(Box{0, 0, 10, 10}, Box{5, 0, 15, 10}), 50.0f / 150.0f);
  EXPECT_FLOAT_EQ(iou(Box{0, 0, 10, 10}, Box{20, 20, 30, 30}), 0.0f);
  EXPECT_FLOAT_EQ(iou(Box{0, 0, 0, 0}, Box{0, 0, 0, 0}), 0.0f);
}

TEST(Nms, DropsOverlappingBoxOfSameClassOnly) {
  std::vector<Detection> dets{{{0, 0, 10, 10}, 0, 0.8f},
                              {{1, 0, 11, 10}, 0, 0.9f},  // overlaps the first: IoU 0.82
                              {{1, 0, 11, 10}, 1, 0.5f},  // same place, other class: kept
                              {{50, 50, 60, 60}, 0, 0.4f}};
  const auto kept = nms_per_class(dets, 0.45f);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
  EXPECT_EQ(kept[1].class_id, 1);
  EXPECT_FLOAT_EQ(kept[2].score, 0.4f);
}

TEST(Nms, KeepsBoxesBelowThreshold) {
  std::vector<Detection> dets{{{0, 0, 10, 10}, 0, 0.8f}, {{5, 0, 15, 10}, 0, 0.7f}};
  EXPECT_EQ(nms_per_class(dets, 0.45f).size(), 2u);  // IoU 0.33
  EXPECT_EQ(nms_per_class(dets, 0.3f).size(), 1u);
}

}  // namespace
}  // namespace fp::vision
