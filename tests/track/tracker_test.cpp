#include "track/tracker.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "vision/nms.hpp"

namespace fp::track {
namespace {

// The swept cost list holds exactly the overlapping, same-class pairs of the all-pairs check.
TEST(IouCosts, ListsExactlyTheOverlappingPairsOfTheSameClass) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> pos(0, 500), size(5, 120), score(0.1f, 1);
  std::uniform_int_distribution<int> cls(0, 1);
  for (int round = 0; round < 50; ++round) {
    std::vector<Detection> tracks, detections;
    for (int i = 0; i < 30; ++i) {
      const float x = pos(rng), y = pos(rng);
      tracks.push_back(Detection{Box{x, y, x + size(rng), y + size(rng)}, cls(rng), 1, {}});
    }
    for (int i = 0; i < 25; ++i) {
      const float x = pos(rng), y = pos(rng);
      detections.push_back(
          Detection{Box{x, y, x + size(rng), y + size(rng)}, cls(rng), score(rng), {}});
    }
    std::vector<const Detection*> pointers;
    for (const Detection& d : detections) pointers.push_back(&d);
    for (const bool fuse : {false, true}) {
      std::map<std::pair<int, int>, double> listed;
      for (const Edge& e : iou_costs(tracks, pointers, fuse)) {
        EXPECT_TRUE(listed.emplace(std::make_pair(e.row, e.col), e.cost).second) << "twice";
      }
      for (size_t t = 0; t < tracks.size(); ++t) {
        for (size_t d = 0; d < detections.size(); ++d) {
          const float overlap = vision::iou(tracks[t].box, detections[d].box);
          const bool expected = overlap > 0 && tracks[t].class_id == detections[d].class_id;
          const auto it = listed.find({static_cast<int>(t), static_cast<int>(d)});
          ASSERT_EQ(it != listed.end(), expected) << t << "," << d;
          if (!expected) continue;
          const double similarity = fuse ? overlap * detections[d].score : overlap;
          EXPECT_NEAR(it->second, 1.0 - similarity, 1e-6);
        }
      }
    }
  }
}

}  // namespace
}  // namespace fp::track
