#include "faces/track_selection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

namespace fp::faces {
namespace {

TrackSelectionOptions rules(int best, int64_t every, int64_t max) {
  TrackSelectionOptions options;
  options.best = best;
  options.every = every;
  options.max = max;
  return options;
}

// The positions taken when a track's faces come with these qualities, one per position.
std::vector<int64_t> taken(TrackSelection& selection, const std::vector<double>& qualities,
                           int64_t track_id = 1) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < qualities.size(); ++i) {
    if (selection.offer(track_id, static_cast<int64_t>(i), qualities[i])) {
      out.push_back(static_cast<int64_t>(i));
    }
  }
  return out;
}

TEST(FaceTrackSelection, TakesEveryFaceWithNoRules) {
  TrackSelection selection(rules(0, 1, 0));
  EXPECT_EQ(taken(selection, {0.5, 0.1, 0.9, 0.1}), (std::vector<int64_t>{0, 1, 2, 3}));
}

TEST(FaceTrackSelection, BestTakesOnlyFacesThatBeatTheKthBestTaken) {
  TrackSelection selection(rules(2, 1, 0));
  // 0.5 and 0.3 fill the two places; 0.2 loses; 0.4 beats 0.3; 0.4 ties and loses; 0.9 wins.
  EXPECT_EQ(taken(selection, {0.5, 0.3, 0.2, 0.4, 0.4, 0.9}), (std::vector<int64_t>{0, 1, 3, 5}));
}

TEST(FaceTrackSelection, BestAlwaysKeepsATracksFinalBestFaces) {
  // What makes `best: 5` lossless: whatever the order, the faces taken include the K best of the
  // track (the earliest on ties), and they are a small part of a long track.
  std::mt19937 random(12);
  std::uniform_real_distribution<double> quality(0, 1);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<double> qualities(300);
    for (double& q : qualities) q = std::round(quality(random) * 100) / 100;  // ties happen
    TrackSelection selection(rules(5, 1, 0));
    const std::vector<int64_t> picked = taken(selection, qualities);
    std::vector<int64_t> order(qualities.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return qualities[a] > qualities[b]; });
    const std::set<int64_t> picked_set(picked.begin(), picked.end());
    for (int k = 0; k < 5; ++k) EXPECT_EQ(picked_set.count(order[k]), 1u) << trial << " " << k;
    EXPECT_LT(picked.size(), qualities.size() / 5) << trial;
  }
}

TEST(FaceTrackSelection, EveryWaitsThatManyPositionsAfterTheLastFaceTaken) {
  TrackSelection selection(rules(0, 3, 0));
  EXPECT_EQ(taken(selection, std::vector<double>(10, 0.5)), (std::vector<int64_t>{0, 3, 6, 9}));
  // Positions count sampled frames, whatever the track was offered in between.
  TrackSelection gaps(rules(0, 3, 0));
  EXPECT_TRUE(gaps.offer(1, 10, 0.5));
  EXPECT_FALSE(gaps.offer(1, 12, 0.5));
  EXPECT_TRUE(gaps.offer(1, 20, 0.5));
}

TEST(FaceTrackSelection, MaxCapsTheFacesTakenFromATrack) {
  TrackSelection selection(rules(0, 1, 2));
  EXPECT_EQ(taken(selection, {0.1, 0.9, 0.95, 0.99}), (std::vector<int64_t>{0, 1}));
}

TEST(FaceTrackSelection, RulesCombineAndTheFirstGoodFaceIsTaken) {
  TrackSelection selection(rules(2, 2, 3));
  // 0 (first), 1 too soon, 2 (second place), 3 too soon, 4 beats 0.2, 6 would beat but max is 3.
  EXPECT_EQ(taken(selection, {0.2, 0.9, 0.3, 0.9, 0.5, 0.1, 0.8}), (std::vector<int64_t>{0, 2, 4}));
}

TEST(FaceTrackSelection, TracksAreIndependentAndEndedTracksAreForgotten) {
  TrackSelection selection(rules(1, 1, 0));
  EXPECT_TRUE(selection.offer(1, 0, 0.9));
  EXPECT_TRUE(selection.offer(2, 0, 0.1));  // another track's first face
  EXPECT_FALSE(selection.offer(1, 1, 0.5));
  EXPECT_TRUE(selection.offer(2, 1, 0.5));
  EXPECT_EQ(selection.live_tracks(), 2u);
  selection.end(1);
  selection.end(7);  // never seen: nothing happens
  EXPECT_EQ(selection.live_tracks(), 1u);
  EXPECT_FALSE(selection.offer(2, 2, 0.2));
}

}  // namespace
}  // namespace fp::faces
