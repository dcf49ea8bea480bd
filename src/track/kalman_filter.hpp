// Constant-velocity Kalman filter for boxes, as in SORT/DeepSORT/ByteTrack: the state is the box
// centre (x, y), aspect ratio a = w / h and height h, and their velocities (8-D); a measurement
// is (x, y, a, h). Noise scales with the box height, so near and far objects behave alike.
#pragma once

#include <opencv2/core/matx.hpp>

#include "core/detection.hpp"

namespace fp::track {

struct KalmanState {
  cv::Vec<double, 8> mean;
  cv::Matx<double, 8, 8> covariance;
};

// (x, y, a, h) of a box.
cv::Vec4d box_to_xyah(const Box& box);
Box xyah_to_box(const cv::Vec4d& xyah);

class KalmanBoxFilter {
 public:
  // Noise as fractions of the height: ByteTrack's published 1/20 (position) and 1/160 (velocity).
  static constexpr double kPositionWeight = 1.0 / 20;
  static constexpr double kVelocityWeight = 1.0 / 160;

  // A new track at `box`, at rest, with a wide velocity uncertainty.
  static KalmanState initiate(const Box& box);
  // One frame ahead. `freeze_height_velocity` stops a lost track's box from growing or shrinking
  // while it is not seen (ByteTrack does this for lost tracks).
  static void predict(KalmanState& state, bool freeze_height_velocity = false);
  // Corrects the state with a measured box.
  static void update(KalmanState& state, const Box& box);
  static Box box(const KalmanState& state);
};

}  // namespace fp::track
