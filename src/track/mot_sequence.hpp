// Tracking a MOTChallenge detection file (the public-detection protocol): the detections of
// frames 1..last go through a tracker frame by frame; the result is a MOTChallenge result.
#pragma once

#include <cstdint>
#include <vector>

#include "core/mot_row.hpp"
#include "track/tracker.hpp"

namespace fp::track {

struct SequenceOptions {
  TrackerOptions tracker;
  double fps = 30;       // frame rate of the sequence: the lost-track buffer is in seconds
  double scale = 1;      // boxes are multiplied by this before tracking (e.g. 0.625: 768 -> 480)
  int detect_every = 1;  // use the detections of frames 1, 1+N, ...; predict the others
};

struct SequenceResult {
  std::vector<MotRow> rows;     // by frame; conf is the (last) detection score
  std::vector<bool> predicted;  // per row: carried by prediction, not detected
  int64_t frames = 0;
  int64_t detector_frames = 0;  // frames whose detections were used
  int64_t tracks = 0;           // distinct ids in the result
};

SequenceResult track_sequence(const std::vector<MotRow>& detections,
                              const SequenceOptions& options);

}  // namespace fp::track
