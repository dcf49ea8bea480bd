// FrameResult: a frame and everything the stages found in it, as it moves to the sinks.
#pragma once

#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/detection.hpp"
#include "core/frame.hpp"
#include "count/counts.hpp"

namespace fp::pipeline {

struct FrameResult {
  Frame frame;
  // Position among its stream's queued frames (0, 1, ...); workers may finish out of order.
  int64_t sequence = 0;
  std::vector<Detection> detections;
  bool detector_skipped = false;      // the detector did not run on it (detect_every > 1)
  bool tracked = false;               // a tracker gave its detections their track ids
  std::vector<int64_t> ended_tracks;  // ids of tracks the tracker ended at this frame
  // The zones and lines of the count stages it went through, with their totals after it.
  count::Counts counts;
  // The face checks' 112x112 BGR crops aligned to the embedder's template, indexed like
  // `detections` (empty Mats for the objects without one), or empty before any face check. What
  // the checks found is on the objects (faces/face_attributes.hpp); the pixels stay here, so
  // objects stay plain data the outputs write as JSON.
  std::vector<cv::Mat> aligned_faces;
  // ASYNC_OVERLAY joins: the branches whose latest results were laid over this frame, and their
  // age.
  struct Overlay {
    std::string branch;
    int64_t age_frames = 0;
    double age_ms = 0;
  };
  std::vector<Overlay> overlays;
  // RAW_STREAM_WITH_METADATA joins: set on a branch's result published on its own, to the branch.
  std::string metadata_of;
  // (stage name, milliseconds) in the order the work ran; telemetry aggregates them.
  std::vector<std::pair<std::string, double>> timings;
  SteadyClock::time_point decoded_at{};  // for end-to-end latency
  // Live inputs: when the frame was captured by the stream's clock (its first frame's arrival
  // plus its pts since), for the capture-to-result latency; unset for the others.
  SteadyClock::time_point captured_at{};

  void add_timing(std::string stage, SteadyClock::time_point since) {
    timings.emplace_back(
        std::move(stage),
        std::chrono::duration<double, std::milli>(SteadyClock::now() - since).count());
  }
};

}  // namespace fp::pipeline
