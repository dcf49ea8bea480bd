#include "track/mot_metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "io/mot_file.hpp"
#include "test_support.hpp"

namespace fp::track {
namespace {

MotRow row(int64_t frame, int64_t id, double x, double y, double w, double h) {
  return MotRow{frame, id, x, y, w, h, 1.0};
}

// The box every hand-built gt row uses: IoU with a copy shifted by s pixels sideways is
// (10 - s) / (10 + s).
MotRow at(int64_t frame, int64_t id, double shift = 0) { return row(frame, id, shift, 0, 10, 10); }

// py-motmetrics' own test: its data files, its published values (shared/media/MEDIA.md), its
// tolerance.
TEST(MotMetrics, ReproducesPyMotmetricsOnTudCampus) {
  const auto dir = test::media_path("mot/TUD-Campus");
  auto gt = io::read_mot_file(dir / "gt.txt", {.skip_zero_conf = true, .unique_ids = true});
  ASSERT_TRUE(gt.ok()) << gt.error().message();
  auto result = io::read_mot_file(dir / "tracker_result_pymotmetrics_test.txt",
                                  {.allow_empty = true, .unique_ids = true});
  ASSERT_TRUE(result.ok()) << result.error().message();

  const MotMetrics m = evaluate_mot(gt->rows, result->rows);
  constexpr double kTolerance = 1e-3;
  EXPECT_NEAR(m.idf1, 0.557659, kTolerance);
  EXPECT_NEAR(m.idp, 0.729730, kTolerance);
  EXPECT_NEAR(m.idr, 0.451253, kTolerance);
  EXPECT_NEAR(m.recall, 0.582173, kTolerance);
  EXPECT_NEAR(m.precision, 0.941441, kTolerance);
  EXPECT_EQ(m.num_gt_ids, 8);
  EXPECT_EQ(m.mostly_tracked, 1);
  EXPECT_EQ(m.partially_tracked, 6);
  EXPECT_EQ(m.mostly_lost, 1);
  EXPECT_EQ(m.num_false_positives, 13);
  EXPECT_EQ(m.num_misses, 150);
  EXPECT_EQ(m.num_switches, 7);
  EXPECT_EQ(m.num_fragmentations, 7);
  EXPECT_NEAR(m.mota, 0.526462, kTolerance);
  EXPECT_NEAR(m.motp, 0.277201, kTolerance);
  EXPECT_NEAR(m.motp_iou, 1.0 - 0.277201, kTolerance);
  // From MEDIA.md's description of the files.
  EXPECT_EQ(m.num_frames, 71);
  EXPECT_EQ(m.num_gt_boxes, 359);
  EXPECT_EQ(m.num_result_boxes, 222);
}

TEST(MotMetrics, IouUsesCornerPlusSizeWithoutPlusOne) {
  EXPECT_DOUBLE_EQ(mot_iou(at(1, 1), at(1, 2)), 1.0);
  EXPECT_DOUBLE_EQ(mot_iou(at(1, 1), at(1, 2, 2)), 8.0 / 12.0);
  // Boxes that share only an edge do not overlap.
  EXPECT_DOUBLE_EQ(mot_iou(at(1, 1), at(1, 2, 10)), 0.0);
  EXPECT_DOUBLE_EQ(mot_iou(at(1, 1), at(1, 2, 25)), 0.0);
  EXPECT_DOUBLE_EQ(mot_iou(row(1, 1, 0, 0, 10, 10), row(1, 2, 0, 0, 10, 5)), 0.5);
}

// Two people over three frames, tracked exactly under other ids.
TEST(MotMetrics, PerfectResultScoresOne) {
  std::vector<MotRow> gt, result;
  for (int64_t f = 1; f <= 3; ++f) {
    gt.push_back(row(f, 1, 0, 0, 10, 10));
    gt.push_back(row(f, 2, 50, 0, 10, 20));
    result.push_back(row(f, 7, 50, 0, 10, 20));
    result.push_back(row(f, 9, 0, 0, 10, 10));
  }
  const MotMetrics m = evaluate_mot(gt, result);
  EXPECT_EQ(m.num_frames, 3);
  EXPECT_EQ(m.num_gt_ids, 2);
  EXPECT_EQ(m.num_result_ids, 2);
  EXPECT_EQ(m.num_matches, 6);
  EXPECT_EQ(m.num_misses, 0);
  EXPECT_EQ(m.num_false_positives, 0);
  EXPECT_EQ(m.num_switches, 0);
  EXPECT_EQ(m.num_fragmentations, 0);
  EXPECT_EQ(m.mostly_tracked, 2);
  EXPECT_DOUBLE_EQ(m.mota, 1.0);
  EXPECT_DOUBLE_EQ(m.motp, 0.0);
  EXPECT_DOUBLE_EQ(m.motp_iou, 1.0);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
  EXPECT_DOUBLE_EQ(m.precision, 1.0);
  EXPECT_DOUBLE_EQ(m.idf1, 1.0);
  EXPECT_EQ(m.idtp, 6);
  EXPECT_EQ(m.idfp, 0);
  EXPECT_EQ(m.idfn, 0);
}

// One gt id (1), two result ids (A = 10, B = 20):
//   frame 1: A exact                       -> MATCH A (distance 0)
//   frame 2: A shifted 2 (IoU 8/12), B exact -> MATCH A (distance 1/3) although B overlaps better:
//            the previous correspondence is kept; B is a FP. Per-frame Hungarian would take B.
//   frame 3: A shifted 6 (IoU 4/16 < 0.5), B exact -> SWITCH to B (distance 0), A is a FP
//   frame 4: A exact, B shifted 2          -> MATCH B (distance 1/3), A is a FP
// 4 gt boxes, 7 result boxes, 4 matches, 1 switch, 3 FP: MOTA = 1 - 4/4 = 0, MOTP = (2/3)/4.
// IDF1: (1, A) overlap in frames 1, 2, 4 and (1, B) in 2, 3, 4, so IDTP = 3 and
// IDF1 = 2*3 / (4 + 7), IDP = 3/7, IDR = 3/4.
TEST(MotMetrics, KeepsPreviousCorrespondenceEvenWhenAnotherHypothesisOverlapsBetter) {
  const std::vector<MotRow> gt = {at(1, 1), at(2, 1), at(3, 1), at(4, 1)};
  const std::vector<MotRow> result = {at(1, 10), at(2, 10, 2), at(2, 20),   at(3, 10, 6),
                                      at(3, 20), at(4, 10),    at(4, 20, 2)};
  const MotMetrics m = evaluate_mot(gt, result);
  EXPECT_EQ(m.num_matches, 4);
  EXPECT_EQ(m.num_switches, 1);
  EXPECT_EQ(m.num_false_positives, 3);
  EXPECT_EQ(m.num_misses, 0);
  EXPECT_EQ(m.num_fragmentations, 0);
  EXPECT_EQ(m.mostly_tracked, 1);
  EXPECT_NEAR(m.mota, 0.0, 1e-12);
  EXPECT_NEAR(m.motp, (2.0 / 3.0) / 4.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
  EXPECT_DOUBLE_EQ(m.precision, 4.0 / 7.0);
  EXPECT_EQ(m.idtp, 3);
  EXPECT_EQ(m.idfp, 4);
  EXPECT_EQ(m.idfn, 1);
  EXPECT_DOUBLE_EQ(m.idf1, 6.0 / 11.0);
  EXPECT_DOUBLE_EQ(m.idp, 3.0 / 7.0);
  EXPECT_DOUBLE_EQ(m.idr, 3.0 / 4.0);
}

// gt 1 is in frames 1..8; result 10 covers it in frames 2, 4 and 6 only, and has one more box in
// frame 9, where there is no gt:
//   tracked per frame: - T - T - T - -   (frames 1..8)
// Between the first (2) and last (6) tracked frame it is lost twice: FM = 2. The misses in frames
// 1, 7 and 8 are outside that span and do not count. 8 gt boxes, 3 matches, 5 FN, 1 FP:
// MOTA = 1 - 6/8, recall 3/8 (partially tracked), precision 3/4, 9 frames in all.
TEST(MotMetrics, CountsFragmentationsOnlyBetweenFirstAndLastTrackedFrame) {
  std::vector<MotRow> gt, result;
  for (int64_t f = 1; f <= 8; ++f) gt.push_back(at(f, 1));
  for (int64_t f : {2, 4, 6}) result.push_back(at(f, 10));
  result.push_back(at(9, 10));
  const MotMetrics m = evaluate_mot(gt, result);
  EXPECT_EQ(m.num_frames, 9);
  EXPECT_EQ(m.num_fragmentations, 2);
  EXPECT_EQ(m.num_matches, 3);
  EXPECT_EQ(m.num_misses, 5);
  EXPECT_EQ(m.num_false_positives, 1);
  EXPECT_EQ(m.num_switches, 0);
  EXPECT_EQ(m.partially_tracked, 1);
  EXPECT_DOUBLE_EQ(m.mota, 0.25);
  EXPECT_DOUBLE_EQ(m.recall, 3.0 / 8.0);
  EXPECT_DOUBLE_EQ(m.precision, 0.75);
}

// Nothing matched: every gt box is a miss, ratios over result boxes are undefined.
TEST(MotMetrics, EmptyResultIsAllMisses) {
  std::vector<MotRow> gt;
  for (int64_t f = 1; f <= 3; ++f) {
    gt.push_back(at(f, 1));
    gt.push_back(at(f, 2, 40));
  }
  const MotMetrics m = evaluate_mot(gt, {});
  EXPECT_EQ(m.num_frames, 3);
  EXPECT_EQ(m.num_gt_ids, 2);
  EXPECT_EQ(m.num_result_ids, 0);
  EXPECT_EQ(m.num_misses, 6);
  EXPECT_EQ(m.num_matches, 0);
  EXPECT_EQ(m.num_false_positives, 0);
  EXPECT_EQ(m.mostly_lost, 2);
  EXPECT_EQ(m.num_fragmentations, 0);
  EXPECT_DOUBLE_EQ(m.mota, 0.0);
  EXPECT_DOUBLE_EQ(m.recall, 0.0);
  EXPECT_DOUBLE_EQ(m.idf1, 0.0);
  EXPECT_DOUBLE_EQ(m.idr, 0.0);
  EXPECT_EQ(m.idfn, 6);
  EXPECT_TRUE(std::isnan(m.precision));
  EXPECT_TRUE(std::isnan(m.idp));
  EXPECT_TRUE(std::isnan(m.motp));

  const nlohmann::ordered_json json = to_json(m);
  EXPECT_TRUE(json["precision"].is_null());
  EXPECT_EQ(json["num_misses"], 6);
  EXPECT_NE(format_table(m).find("MOTA"), std::string::npos);
}

// gt (0,0,10,10) against a box of the same corner and width:
//   frame 1: height 5     -> IoU 50/100 = 0.5 exactly: matches (distance 0.5)
//   frame 2: height 4.999 -> IoU 0.4999: a miss and a false positive
//   frame 3: height 5.001 -> IoU 0.5001: matches again (same id: no switch, one fragmentation)
TEST(MotMetrics, MatchesAtIouOfExactlyOneHalfButNotBelow) {
  const std::vector<MotRow> gt = {at(1, 1), at(2, 1), at(3, 1)};
  const std::vector<MotRow> result = {row(1, 5, 0, 0, 10, 5), row(2, 5, 0, 0, 10, 4.999),
                                      row(3, 5, 0, 0, 10, 5.001)};
  const MotMetrics m = evaluate_mot(gt, result);
  EXPECT_EQ(m.num_matches, 2);
  EXPECT_EQ(m.num_misses, 1);
  EXPECT_EQ(m.num_false_positives, 1);
  EXPECT_EQ(m.num_switches, 0);
  EXPECT_EQ(m.num_fragmentations, 1);
  EXPECT_NEAR(m.motp, (0.5 + (1 - 0.5001)) / 2, 1e-12);
  EXPECT_EQ(m.idtp, 2);
}

// gt 1 overlaps result A in frames 1-3 and result B in frames 4-5; gt 2 appears in frames 4-5
// where A now is. Overlap counts: (1,A) 3, (1,B) 2, (2,A) 2. Giving A to gt 1 (the largest single
// count) yields IDTP 3; the optimal one-to-one assignment (1,B) + (2,A) yields 4.
// 7 gt boxes, 7 result boxes: IDF1 = 8/14. CLEAR-MOT: gt 1 switches A -> B in frame 4.
TEST(MotMetrics, IdentityMeasuresUseTheGlobalOneToOneAssignment) {
  const int64_t a = 10, b = 20;
  std::vector<MotRow> gt, result;
  for (int64_t f = 1; f <= 5; ++f) {
    gt.push_back(at(f, 1));
    result.push_back(f <= 3 ? at(f, a) : at(f, a, 100));
  }
  for (int64_t f = 4; f <= 5; ++f) {
    gt.push_back(at(f, 2, 100));
    result.push_back(at(f, b));
  }
  const MotMetrics m = evaluate_mot(gt, result);
  EXPECT_EQ(m.idtp, 4);
  EXPECT_DOUBLE_EQ(m.idf1, 8.0 / 14.0);
  EXPECT_EQ(m.num_switches, 1);
  EXPECT_EQ(m.num_matches, 7);
  EXPECT_DOUBLE_EQ(m.mota, 1.0 - 1.0 / 7.0);
}

TEST(MotMetrics, RowOrderDoesNotMatter) {
  const std::vector<MotRow> gt = {at(2, 1), at(1, 1), at(3, 1)};
  const std::vector<MotRow> result = {at(3, 20), at(1, 10), at(2, 10, 2), at(2, 20)};
  const MotMetrics m = evaluate_mot(gt, result);
  // As in the kept-correspondence case: frame 2 keeps A (10); frame 3 has only B (20): a switch.
  EXPECT_EQ(m.num_switches, 1);
  EXPECT_EQ(m.num_false_positives, 1);
  EXPECT_EQ(m.num_frames, 3);
}

}  // namespace
}  // namespace fp::track
