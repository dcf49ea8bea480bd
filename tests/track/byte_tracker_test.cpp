#include "track/byte_tracker.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "track/iou_tracker.hpp"

namespace fp::track {
namespace {

constexpr double kFps = 30;

Detection person(float x, float y, float score, int class_id = 0) {
  return Detection{Box{x, y, x + 40, y + 100}, class_id, score, "person"};
}

std::vector<int64_t> ids_of(const std::vector<TrackedBox>& assigned) {
  std::vector<int64_t> ids;
  for (const TrackedBox& b : assigned) ids.push_back(b.id);
  return ids;
}

// Feeds frame `frame` (0-based) at 30 fps.
std::vector<int64_t> step(Tracker& tracker, int frame, const std::vector<Detection>& dets) {
  return ids_of(tracker.update(dets, frame / kFps));
}

TEST(ByteTracker, FirstFrameConfirmsAtOnceLaterTracksNeedASecondMatch) {
  ByteTracker tracker{TrackerOptions{}};
  EXPECT_EQ(step(tracker, 0, {person(0, 0, 0.9f)}), std::vector<int64_t>{1});
  // A new object later: unconfirmed on its first frame, confirmed (id 2) on its second.
  EXPECT_EQ(step(tracker, 1, {person(2, 0, 0.9f), person(300, 0, 0.9f)}),
            (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(step(tracker, 2, {person(4, 0, 0.9f), person(302, 0, 0.9f)}),
            (std::vector<int64_t>{1, 2}));
}

TEST(ByteTracker, FollowsTwoObjectsWalkingPastEachOther) {
  ByteTracker tracker{TrackerOptions{}};
  // One walks right, one left, on slightly different rows; they overlap around frame 20.
  for (int f = 0; f < 40; ++f) {
    const auto ids =
        step(tracker, f, {person(10.0f + 6 * f, 100, 0.9f), person(250.0f - 6 * f, 110, 0.9f)});
    ASSERT_EQ(ids, (std::vector<int64_t>{1, 2})) << "frame " << f;
  }
}

TEST(ByteTracker, KeepsTheIdThroughAShortOcclusion) {
  ByteTracker tracker{TrackerOptions{}};
  int f = 0;
  for (; f < 10; ++f) ASSERT_EQ(step(tracker, f, {person(8.0f * f, 50, 0.9f)})[0], 1);
  for (; f < 18; ++f) step(tracker, f, {});  // hidden for 8 frames (0.27 s), still moving
  // It reappears where its motion carried it: the Kalman prediction finds it.
  EXPECT_EQ(step(tracker, f, {person(8.0f * f, 50, 0.9f)}), std::vector<int64_t>{1});
  EXPECT_TRUE(tracker.take_ended().empty());
}

TEST(ByteTracker, LowScoreDetectionsKeepATrackButNeverStartOne) {
  ByteTracker tracker{TrackerOptions{}};
  int f = 0;
  for (; f < 5; ++f) step(tracker, f, {person(5.0f * f, 0, 0.9f)});
  // Partly occluded: the detector's confidence drops below the high threshold (0.6) for a while.
  for (; f < 15; ++f) {
    EXPECT_EQ(step(tracker, f, {person(5.0f * f, 0, 0.3f)}), std::vector<int64_t>{1}) << f;
  }
  EXPECT_EQ(step(tracker, f, {person(5.0f * f, 0, 0.9f)}), std::vector<int64_t>{1});
  // A low-score box with no track nearby stays unassigned, frame after frame.
  for (int g = 0; g < 3; ++g) {
    ++f;
    EXPECT_EQ(step(tracker, f, {person(5.0f * f, 0, 0.9f), person(400, 300, 0.4f)}),
              (std::vector<int64_t>{1, 0}));
  }
}

// The IoU tracker, which has no second association, loses the same track to low scores.
TEST(IouTracker, LowScoreDetectionsBelowTheNewTrackScoreLoseTheTrack) {
  TrackerOptions options;
  options.kind = TrackerKind::kIou;
  options.low_score = 0.5f;
  IouTracker tracker{options};
  EXPECT_EQ(step(tracker, 0, {person(0, 0, 0.9f)}), std::vector<int64_t>{1});
  EXPECT_EQ(step(tracker, 1, {person(5, 0, 0.3f)}), std::vector<int64_t>{0});
}

TEST(ByteTracker, EndsALostTrackAfterItsBufferAndStartsANewIdLater) {
  TrackerOptions options;
  options.lost_seconds = 0.5;  // 15 frames at 30 fps
  ByteTracker tracker{options};
  int f = 0;
  for (; f < 5; ++f) step(tracker, f, {person(100, 100, 0.9f)});
  // Last seen at frame 4; lost from frame 5. Still kept at frame 4 + 15 = 19...
  for (; f <= 19; ++f) {
    step(tracker, f, {});
    ASSERT_TRUE(tracker.take_ended().empty()) << "ended early at frame " << f;
  }
  // ...and ended on the next frame, more than 0.5 s after it was last seen.
  step(tracker, f++, {});
  EXPECT_EQ(tracker.take_ended(), std::vector<int64_t>{1});
  // The same place again is a new object: a new track, confirmed on its second frame.
  EXPECT_EQ(step(tracker, f++, {person(100, 100, 0.9f)}), std::vector<int64_t>{0});
  EXPECT_EQ(step(tracker, f++, {person(100, 100, 0.9f)}), std::vector<int64_t>{2});
}

TEST(ByteTracker, PredictCarriesFollowedTracksAlong) {
  ByteTracker tracker{TrackerOptions{}};
  int f = 0;
  for (; f < 10; ++f) step(tracker, f, {person(10.0f * f, 0, 0.9f)});
  const std::vector<TrackedBox> predicted = tracker.predict(f / kFps);
  ASSERT_EQ(predicted.size(), 1u);
  EXPECT_EQ(predicted[0].id, 1);
  EXPECT_NEAR(predicted[0].box.x1, 10.0f * f, 2.0);
  EXPECT_EQ(predicted[0].label, "person");
  // After predicted frames the detection is still found where the motion model expects it.
  ++f;
  tracker.predict(f / kFps);
  ++f;
  EXPECT_EQ(step(tracker, f, {person(10.0f * f, 0, 0.9f)}), std::vector<int64_t>{1});
}

TEST(ByteTracker, ClassesNeverShareATrack) {
  ByteTracker tracker{TrackerOptions{}};
  step(tracker, 0, {person(0, 0, 0.9f, 0)});
  // The same box with another class: not a match for track 1 (which is lost), a new candidate.
  EXPECT_EQ(step(tracker, 1, {person(0, 0, 0.9f, 2)}), std::vector<int64_t>{0});
  EXPECT_EQ(step(tracker, 2, {person(0, 0, 0.9f, 2)}), std::vector<int64_t>{2});
}

TEST(ByteTracker, ReturnsTheTracksFilteredBoxWithEachDetection) {
  ByteTracker tracker{TrackerOptions{}};
  for (int f = 0; f < 3; ++f) step(tracker, f, {person(0, 0, 0.9f)});
  const std::vector<TrackedBox> assigned = tracker.update({person(4, 0, 0.8f)}, 3 / kFps);
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].id, 1);
  EXPECT_FLOAT_EQ(assigned[0].score, 0.8f);
  // Between where it was (0) and where it was seen (4).
  EXPECT_GT(assigned[0].box.x1, 0.0f);
  EXPECT_LT(assigned[0].box.x1, 4.0f);
}

TEST(IouTracker, MatchesByOverlapAndEndsUnseenTracks) {
  TrackerOptions options;
  options.kind = TrackerKind::kIou;
  options.lost_seconds = 0.1;
  IouTracker tracker{options};
  EXPECT_EQ(step(tracker, 0, {person(0, 0, 0.9f), person(200, 0, 0.9f)}),
            (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(step(tracker, 1, {person(205, 0, 0.9f), person(3, 0, 0.9f)}),
            (std::vector<int64_t>{2, 1}));
  // Between detections the boxes stay where they were last seen.
  const auto held = tracker.predict(2 / kFps);
  ASSERT_EQ(held.size(), 2u);
  EXPECT_FLOAT_EQ(std::min(held[0].box.x1, held[1].box.x1), 3.0f);
  for (int f = 3; f <= 5; ++f) step(tracker, f, {person(205, 0, 0.9f)});
  EXPECT_EQ(tracker.take_ended(), std::vector<int64_t>{1});
}

}  // namespace
}  // namespace fp::track
