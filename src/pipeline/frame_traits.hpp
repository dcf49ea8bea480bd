// How frames move through the graph (graph/executor.hpp): their order, and how a join merges the
// results of its branches into one frame.
#pragma once

#include <algorithm>
#include <string>
#include <utility>

#include "graph/executor.hpp"
#include "pipeline/frame_result.hpp"

namespace fp::pipeline {

struct FrameTraits {
  static int stream(const FrameResult& item) { return item.frame.stream; }
  static int64_t sequence(const FrameResult& item) { return item.sequence; }
  static double time(const FrameResult& item) { return item.frame.pts; }
  static bool is_metadata(const FrameResult& item) { return !item.metadata_of.empty(); }

  // A branch's detections (with their attributes and aligned faces) join the frame's, their ids
  // shifted past the frame's so that ids stay unique (and parents point where they did), and so
  // do its counts; its timings are kept where the frame has none of that name (both copies carry
  // the decode and any node before the fork).
  static void merge(FrameResult& into, FrameResult&& from, const graph::Merge& how) {
    // Aligned faces are indexed like detections: padded to them on either side as needed.
    if (!into.aligned_faces.empty() || !from.aligned_faces.empty()) {
      into.aligned_faces.resize(into.detections.size());
      from.aligned_faces.resize(from.detections.size());
      for (cv::Mat& aligned : from.aligned_faces) into.aligned_faces.push_back(std::move(aligned));
    }
    shift_ids(from.detections, largest_id(into.detections));
    for (Detection& d : from.detections) into.detections.push_back(std::move(d));
    for (auto& timing : from.timings) {
      const bool known = std::any_of(into.timings.begin(), into.timings.end(),
                                     [&](const auto& t) { return t.first == timing.first; });
      if (!known) into.timings.push_back(std::move(timing));
    }
    into.tracked = into.tracked || from.tracked;
    into.counts.append(std::move(from.counts));
    if (how.policy == graph::JoinPolicy::kAsyncOverlay) {
      into.overlays.push_back({how.branch, how.age_frames, how.age_ms});
      into.timings.emplace_back(how.join + ".lag", how.age_ms);
    } else if (how.policy == graph::JoinPolicy::kStrictSync &&
               std::none_of(into.timings.begin(), into.timings.end(),
                            [&](const auto& t) { return t.first == how.join + ".wait"; })) {
      into.timings.emplace_back(how.join + ".wait", how.wait_ms);
    }
  }
  static void mark_metadata(FrameResult& item, const std::string& branch) {
    item.metadata_of = branch;
  }
  static void keep_latest(FrameResult&) {}
  // A branch's latest result laid over several frames: its timings are recorded with the first.
  static void overlaid(FrameResult& latest) { latest.timings.clear(); }
};

using FrameExecutor = graph::Executor<FrameResult, FrameTraits>;

}  // namespace fp::pipeline
