// The tracker on MOTChallenge detections, scored by our evaluator (the public-detection protocol).
#include "track/mot_sequence.hpp"

#include <gtest/gtest.h>

#include "io/mot_file.hpp"
#include "test_support.hpp"
#include "track/mot_metrics.hpp"

namespace fp::track {
namespace {

std::vector<MotRow> read_rows(const char* name, const io::MotReadOptions& options) {
  const auto file = io::read_mot_file(test::media_path("mot/TUD-Campus") / name, options);
  EXPECT_TRUE(file.ok()) << file.error().message();
  return file.ok() ? file->rows : std::vector<MotRow>{};
}

MotMetrics score(const SequenceOptions& options) {
  const auto gt = read_rows("gt.txt", {.skip_zero_conf = true, .unique_ids = true});
  const SequenceResult result = track_sequence(read_rows("det.txt", {}), options);
  return evaluate_mot(gt, result.rows);
}

// SORT's README reports MOTA 62.7 on these detections (MOT devkit); ByteTrack with the
// paper's parameters, unchanged, must beat it.
TEST(MotSequence, ByteTrackBeatsSortsPublishedMotaOnTudCampus) {
  const MotMetrics m = score(SequenceOptions{});
  EXPECT_GT(m.mota, 0.627);
  EXPECT_GT(m.idf1, 0.6);
  EXPECT_LE(m.num_switches, 6);  // SORT: 6
}

TEST(MotSequence, DetectEveryUsesEveryNthFrameAndPredictsTheRest) {
  const auto detections = read_rows("det.txt", {});
  SequenceOptions options;
  options.detect_every = 3;
  const SequenceResult result = track_sequence(detections, options);
  EXPECT_EQ(result.frames, 71);
  EXPECT_EQ(result.detector_frames, 24);  // frames 1, 4, ..., 70
  ASSERT_EQ(result.rows.size(), result.predicted.size());
  int predicted = 0;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    EXPECT_EQ(result.predicted[i], (result.rows[i].frame - 1) % 3 != 0) << result.rows[i].frame;
    predicted += result.predicted[i];
  }
  EXPECT_GT(predicted, 100);
  // Carried by prediction, the tracks still cover most people.
  const auto gt = read_rows("gt.txt", {.skip_zero_conf = true, .unique_ids = true});
  EXPECT_GT(evaluate_mot(gt, result.rows).mota, 0.45);
}

TEST(MotSequence, ScaleMultipliesEveryBox) {
  const std::vector<MotRow> detections = {{1, -1, 100, 200, 40, 80, 0.9},
                                          {2, -1, 102, 200, 40, 80, 0.9}};
  SequenceOptions options;
  options.scale = 0.5;
  const SequenceResult result = track_sequence(detections, options);
  ASSERT_EQ(result.rows.size(), 2u);  // confirmed on the first frame
  EXPECT_DOUBLE_EQ(result.rows[0].x, 50);
  EXPECT_DOUBLE_EQ(result.rows[0].y, 100);
  EXPECT_DOUBLE_EQ(result.rows[0].w, 20);
  EXPECT_DOUBLE_EQ(result.rows[1].x, 51);
  EXPECT_EQ(result.rows[1].id, result.rows[0].id);
}

}  // namespace
}  // namespace fp::track
