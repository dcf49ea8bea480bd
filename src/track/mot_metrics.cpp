#include "track/mot_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <opencv2/core/mat.hpp>
#include <set>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "track/assignment.hpp"

namespace fp::track {

namespace {

constexpr double kMaxDistance = 0.5;  // 1 - the least IoU that may match
constexpr double kNotMatchable = std::numeric_limits<double>::infinity();
constexpr double kMostlyTracked = 0.8;
constexpr double kMostlyLost = 0.2;
constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

struct FrameRows {
  std::vector<MotRow> gt;
  std::vector<MotRow> result;
};

std::map<int64_t, FrameRows> group_by_frame(const std::vector<MotRow>& gt,
                                            const std::vector<MotRow>& result) {
  std::map<int64_t, FrameRows> frames;
  for (const MotRow& row : gt) frames[row.frame].gt.push_back(row);
  for (const MotRow& row : result) frames[row.frame].result.push_back(row);
  return frames;
}

// 1 - IoU for each (gt, result) pair of a frame; kNotMatchable where the IoU is below 0.5. The
// test is on the distance, as py-motmetrics does it.
cv::Mat_<double> distance_matrix(const FrameRows& frame) {
  cv::Mat_<double> distance(static_cast<int>(frame.gt.size()),
                            static_cast<int>(frame.result.size()));
  for (int i = 0; i < distance.rows; ++i) {
    for (int j = 0; j < distance.cols; ++j) {
      const double d = 1.0 - mot_iou(frame.gt[i], frame.result[j]);
      distance(i, j) = d <= kMaxDistance ? d : kNotMatchable;
    }
  }
  return distance;
}

double ratio(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : kUndefined;
}

// The frame-by-frame part of CLEAR-MOT: the current gt -> result correspondences, the event
// counts, and for each gt id whether it was matched in each frame it is present in.
class ClearMotCounter {
 public:
  void add_frame(const FrameRows& frame, const cv::Mat_<double>& distance);
  // Fills the counts and the per-gt-id measures (MT/PT/ML, FM) into `metrics`.
  void finish(MotMetrics& metrics) const;
  double total_distance() const { return total_distance_; }

 private:
  void record_match(int64_t gt_id, int64_t result_id, double distance, bool is_switch);

  std::unordered_map<int64_t, int64_t> result_of_gt_;
  std::map<int64_t, std::vector<bool>> tracked_by_gt_;
  int64_t matches_ = 0, switches_ = 0, misses_ = 0, false_positives_ = 0;
  double total_distance_ = 0;
};

void ClearMotCounter::add_frame(const FrameRows& frame, const cv::Mat_<double>& distance) {
  std::vector<bool> gt_done(frame.gt.size(), false);
  std::vector<bool> result_done(frame.result.size(), false);

  // A correspondence made earlier is kept while the pair may still match, even when another
  // result box overlaps the gt box better: that is what makes an identity switch a switch.
  for (size_t i = 0; i < frame.gt.size(); ++i) {
    const auto previous = result_of_gt_.find(frame.gt[i].id);
    if (previous == result_of_gt_.end()) continue;
    for (size_t j = 0; j < frame.result.size(); ++j) {
      if (result_done[j] || frame.result[j].id != previous->second) continue;
      if (std::isfinite(distance(i, j))) {
        record_match(frame.gt[i].id, frame.result[j].id, distance(i, j), false);
        gt_done[i] = result_done[j] = true;
      }
      break;
    }
  }

  std::vector<int> open_gt, open_result;
  for (size_t i = 0; i < frame.gt.size(); ++i) {
    if (!gt_done[i]) open_gt.push_back(static_cast<int>(i));
  }
  for (size_t j = 0; j < frame.result.size(); ++j) {
    if (!result_done[j]) open_result.push_back(static_cast<int>(j));
  }
  if (!open_gt.empty() && !open_result.empty()) {
    cv::Mat_<double> open_distance(static_cast<int>(open_gt.size()),
                                   static_cast<int>(open_result.size()));
    for (int r = 0; r < open_distance.rows; ++r) {
      for (int c = 0; c < open_distance.cols; ++c) {
        open_distance(r, c) = distance(open_gt[r], open_result[c]);
      }
    }
    for (const auto& [r, c] : assign_most_pairs(open_distance).pairs) {
      const int i = open_gt[r];
      const int j = open_result[c];
      const auto previous = result_of_gt_.find(frame.gt[i].id);
      const bool is_switch =
          previous != result_of_gt_.end() && previous->second != frame.result[j].id;
      record_match(frame.gt[i].id, frame.result[j].id, distance(i, j), is_switch);
      gt_done[i] = result_done[j] = true;
    }
  }

  for (size_t i = 0; i < frame.gt.size(); ++i) {
    if (gt_done[i]) continue;
    ++misses_;
    tracked_by_gt_[frame.gt[i].id].push_back(false);
  }
  false_positives_ += std::count(result_done.begin(), result_done.end(), false);
}

void ClearMotCounter::record_match(int64_t gt_id, int64_t result_id, double distance,
                                   bool is_switch) {
  result_of_gt_[gt_id] = result_id;
  tracked_by_gt_[gt_id].push_back(true);
  ++matches_;
  if (is_switch) ++switches_;
  total_distance_ += distance;
}

void ClearMotCounter::finish(MotMetrics& metrics) const {
  metrics.num_matches = matches_;
  metrics.num_switches = switches_;
  metrics.num_misses = misses_;
  metrics.num_false_positives = false_positives_;
  metrics.num_gt_ids = static_cast<int64_t>(tracked_by_gt_.size());
  for (const auto& [id, tracked] : tracked_by_gt_) {
    const auto matched = std::count(tracked.begin(), tracked.end(), true);
    const double tracked_ratio = static_cast<double>(matched) / tracked.size();
    if (tracked_ratio >= kMostlyTracked) {
      ++metrics.mostly_tracked;
    } else if (tracked_ratio < kMostlyLost) {
      ++metrics.mostly_lost;
    } else {
      ++metrics.partially_tracked;
    }
    // Between the first and the last frame the gt id was matched in, count each time it went
    // from matched to missed.
    const auto first = std::find(tracked.begin(), tracked.end(), true);
    if (first == tracked.end()) continue;
    const auto last = std::find(tracked.rbegin(), tracked.rend(), true).base();
    for (auto it = first + 1; it != last; ++it) {
      if (*(it - 1) && !*it) ++metrics.num_fragmentations;
    }
  }
}

// For each (gt id, result id) pair, the number of frames in which their boxes may match.
using IdOverlaps = std::map<std::pair<int64_t, int64_t>, int64_t>;

void count_overlaps(const FrameRows& frame, const cv::Mat_<double>& distance,
                    IdOverlaps& overlaps) {
  for (int i = 0; i < distance.rows; ++i) {
    for (int j = 0; j < distance.cols; ++j) {
      if (std::isfinite(distance(i, j))) ++overlaps[{frame.gt[i].id, frame.result[j].id}];
    }
  }
}

// IDTP: the most overlapping frames a one-to-one matching of gt ids to result ids can collect.
int64_t identity_true_positives(const IdOverlaps& overlaps) {
  std::map<int64_t, int> gt_index, result_index;
  for (const auto& [ids, frames] : overlaps) {
    gt_index.emplace(ids.first, static_cast<int>(gt_index.size()));
    result_index.emplace(ids.second, static_cast<int>(result_index.size()));
  }
  cv::Mat_<double> cost(static_cast<int>(gt_index.size()), static_cast<int>(result_index.size()),
                        0.0);
  for (const auto& [ids, frames] : overlaps) {
    cost(gt_index[ids.first], result_index[ids.second]) = -static_cast<double>(frames);
  }
  int64_t idtp = 0;
  for (const auto& [r, c] : assign_with_limit(cost, 0.0).pairs) {
    idtp += static_cast<int64_t>(-cost(r, c));
  }
  return idtp;
}

nlohmann::ordered_json json_ratio(double value) {
  return std::isnan(value) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(value);
}

std::string format_number(const char* format, double value) {
  if (std::isnan(value)) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

std::string percent(double value) { return format_number("%.1f%%", 100.0 * value); }

}  // namespace

double mot_iou(const MotRow& a, const MotRow& b) {
  const double overlap_w = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
  const double overlap_h = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
  if (overlap_w <= 0 || overlap_h <= 0) return 0.0;
  const double intersection = overlap_w * overlap_h;
  return intersection / (a.w * a.h + b.w * b.h - intersection);
}

MotMetrics evaluate_mot(const std::vector<MotRow>& gt, const std::vector<MotRow>& result) {
  MotMetrics metrics;
  const std::map<int64_t, FrameRows> frames = group_by_frame(gt, result);
  ClearMotCounter clear_mot;
  IdOverlaps overlaps;
  for (const auto& [frame_number, frame] : frames) {
    const cv::Mat_<double> distance = distance_matrix(frame);
    clear_mot.add_frame(frame, distance);
    count_overlaps(frame, distance, overlaps);
  }
  clear_mot.finish(metrics);

  std::set<int64_t> result_ids;
  for (const MotRow& row : result) result_ids.insert(row.id);
  metrics.num_frames = static_cast<int64_t>(frames.size());
  metrics.num_gt_boxes = static_cast<int64_t>(gt.size());
  metrics.num_result_ids = static_cast<int64_t>(result_ids.size());
  metrics.num_result_boxes = static_cast<int64_t>(result.size());

  const double gt_boxes = static_cast<double>(metrics.num_gt_boxes);
  const double result_boxes = static_cast<double>(metrics.num_result_boxes);
  const double matches = static_cast<double>(metrics.num_matches);
  const double errors =
      static_cast<double>(metrics.num_misses + metrics.num_switches + metrics.num_false_positives);
  metrics.mota = gt_boxes > 0 ? 1.0 - errors / gt_boxes : kUndefined;
  metrics.motp = ratio(clear_mot.total_distance(), matches);
  metrics.motp_iou = 1.0 - metrics.motp;
  metrics.recall = ratio(matches, gt_boxes);
  metrics.precision = ratio(matches, result_boxes);

  metrics.idtp = identity_true_positives(overlaps);
  metrics.idfn = metrics.num_gt_boxes - metrics.idtp;
  metrics.idfp = metrics.num_result_boxes - metrics.idtp;
  const double idtp = static_cast<double>(metrics.idtp);
  metrics.idp = ratio(idtp, result_boxes);
  metrics.idr = ratio(idtp, gt_boxes);
  metrics.idf1 = ratio(2.0 * idtp, gt_boxes + result_boxes);
  return metrics;
}

nlohmann::ordered_json to_json(const MotMetrics& m) {
  return {
      {"num_frames", m.num_frames},
      {"num_gt_ids", m.num_gt_ids},
      {"num_gt_boxes", m.num_gt_boxes},
      {"num_result_ids", m.num_result_ids},
      {"num_result_boxes", m.num_result_boxes},
      {"mota", json_ratio(m.mota)},
      {"motp", json_ratio(m.motp)},
      {"motp_iou", json_ratio(m.motp_iou)},
      {"idf1", json_ratio(m.idf1)},
      {"idp", json_ratio(m.idp)},
      {"idr", json_ratio(m.idr)},
      {"recall", json_ratio(m.recall)},
      {"precision", json_ratio(m.precision)},
      {"num_matches", m.num_matches},
      {"num_false_positives", m.num_false_positives},
      {"num_misses", m.num_misses},
      {"num_switches", m.num_switches},
      {"num_fragmentations", m.num_fragmentations},
      {"mostly_tracked", m.mostly_tracked},
      {"partially_tracked", m.partially_tracked},
      {"mostly_lost", m.mostly_lost},
      {"idtp", m.idtp},
      {"idfp", m.idfp},
      {"idfn", m.idfn},
  };
}

std::string format_table(const MotMetrics& m) {
  const std::vector<std::pair<std::string, std::string>> columns = {
      {"IDF1", percent(m.idf1)},
      {"IDP", percent(m.idp)},
      {"IDR", percent(m.idr)},
      {"Rcll", percent(m.recall)},
      {"Prcn", percent(m.precision)},
      {"GT", std::to_string(m.num_gt_ids)},
      {"MT", std::to_string(m.mostly_tracked)},
      {"PT", std::to_string(m.partially_tracked)},
      {"ML", std::to_string(m.mostly_lost)},
      {"FP", std::to_string(m.num_false_positives)},
      {"FN", std::to_string(m.num_misses)},
      {"IDsw", std::to_string(m.num_switches)},
      {"FM", std::to_string(m.num_fragmentations)},
      {"MOTA", percent(m.mota)},
      {"MOTP", format_number("%.3f", m.motp)},
      {"MOTP(IoU)", percent(m.motp_iou)},
  };
  std::string header, values;
  for (const auto& [name, value] : columns) {
    if (!header.empty()) {
      header += "  ";
      values += "  ";
    }
    const size_t width = std::max(name.size(), value.size());
    header.append(width - name.size(), ' ').append(name);
    values.append(width - value.size(), ' ').append(value);
  }
  std::ostringstream table;
  table << m.num_frames << " frames; ground truth: " << m.num_gt_ids << " ids, " << m.num_gt_boxes
        << " boxes; result: " << m.num_result_ids << " ids, " << m.num_result_boxes << " boxes\n"
        << header << '\n'
        << values << '\n'
        << "MOTP is the mean 1 - IoU of matched boxes (py-motmetrics); MOTP(IoU) is their mean IoU "
           "(MOTChallenge devkit).\n";
  return table.str();
}

}  // namespace fp::track
