// Scores a tracker's MOTChallenge output against ground truth: CLEAR-MOT (MOTA, MOTP, switches,
// fragmentations, mostly tracked/lost) and the identity measures (IDF1, IDP, IDR).
//
// The rules are py-motmetrics' `compare_to_groundtruth(gt, result, 'iou', distth=0.5)`, so its
// published numbers are reproduced exactly:
// - A gt box and a result box may match when their IoU is at least 0.5; the distance of a match
//   is 1 - IoU.
// - Frame by frame (every frame either file has, in order), a gt id keeps the result id it was
//   last matched to whenever that pair may still match. The remaining boxes are matched with as
//   many pairs as possible, then the least total distance. A gt id matched to a result id other
//   than its previous one is an identity switch.
// - Unmatched gt boxes are misses (FN), unmatched result boxes false positives (FP).
// - IDF1 matches gt ids to result ids once for the whole sequence, one to one, so that the number
//   of frames in which matched ids overlap (IDTP) is greatest.
//
// A ratio whose denominator is zero (precision of an empty result, MOTP without matches) is NaN.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/mot_row.hpp"

namespace fp::track {

struct MotMetrics {
  // What was compared.
  int64_t num_frames = 0;  // frames present in either file
  int64_t num_gt_ids = 0;  // "GT" in MOTChallenge tables
  int64_t num_gt_boxes = 0;
  int64_t num_result_ids = 0;
  int64_t num_result_boxes = 0;

  // CLEAR-MOT counts.
  int64_t num_matches = 0;  // matched pairs, identity switches included
  int64_t num_switches = 0;
  int64_t num_misses = 0;           // FN
  int64_t num_false_positives = 0;  // FP
  int64_t num_fragmentations = 0;   // FM: a tracked gt id lost and later tracked again
  int64_t mostly_tracked = 0;       // gt ids matched in at least 80% of their frames
  int64_t partially_tracked = 0;
  int64_t mostly_lost = 0;  // gt ids matched in less than 20% of their frames

  // Identity counts.
  int64_t idtp = 0;
  int64_t idfp = 0;
  int64_t idfn = 0;

  // Ratios (0..1; MOTA can be negative).
  double mota = 0;
  double motp = 0;      // mean 1 - IoU over matches (py-motmetrics' MOTP)
  double motp_iou = 0;  // mean IoU over matches (the MOTChallenge devkit's MOTP)
  double recall = 0;
  double precision = 0;
  double idf1 = 0;
  double idp = 0;
  double idr = 0;
};

// `gt` and `result` may come in any order; an id should appear at most once per frame in each.
MotMetrics evaluate_mot(const std::vector<MotRow>& gt, const std::vector<MotRow>& result);

// IoU of two MOTChallenge boxes (x, y, w, h), in double.
double mot_iou(const MotRow& a, const MotRow& b);

// Every count and ratio under a stable snake_case key; a NaN ratio is null.
nlohmann::ordered_json to_json(const MotMetrics& metrics);

// A MOTChallenge-style summary: one header line of counts, then a table of the metrics with ratios
// as percentages.
std::string format_table(const MotMetrics& metrics);

}  // namespace fp::track
