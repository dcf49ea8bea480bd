// The face quality gate: cheap checks that decide whether a detected face is worth embedding, and
// a quality score for weighting a track's embeddings and picking its thumbnail.
//
// Each check is a pure function; the caller runs them in order and records the first failing
// reason: pre_embedding_skip() ("invalid_bbox", "too_small", "low_confidence"), then
// is_bad_source_frame() ("bad_source_frame"), sharpness() < min_sharpness ("blurry"), and, after
// embedding, l2_normalize() failing ("zero_norm_embedding").
#pragma once

#include <opencv2/core/mat.hpp>
#include <optional>
#include <string>

#include "core/detection.hpp"

namespace fp::faces {

struct QualityOptions {
  int min_face_size = 20;  // pixels, the box's shorter side in the source image
  float min_score = 0.7f;  // detector confidence
  // Laplacian variance of the aligned 112x112 crop (see sharpness()). Measured on the lena face
  // crop: 645 sharp; 61 / 10 / 4.5 after a Gaussian blur of sigma 1 / 2 / 3; 23 and 10 for the
  // same face shrunk to 30 and 20 pixels and scaled back up. 15 drops heavy blur and faces with
  // too few pixels to identify, and keeps moderately soft video faces.
  double min_sharpness = 15.0;
};

// Variance of the 3x3 Laplacian of the grayscale image: a standard blur measure, higher is
// sharper. Meant for the aligned 112x112 face crop (the value depends on the crop size and on the
// face's contrast, so compare only crops of one size). BGR, BGRA or grayscale 8-bit; 0 when empty.
double sharpness(const cv::Mat& face_bgr);

// True when a decoded frame is black or a single flat colour (a failed or not yet keyed decode):
// its grayscale standard deviation is under 2 grey levels (uniform at any brightness), or its
// mean and standard deviation are both under 5 (black with a little noise). A dark frame with
// visible content passes. Reads a nearest-neighbour sample of at most 160 pixels on the long
// side, so a 1080p frame costs about as much as a thumbnail. An empty frame is bad.
bool is_bad_source_frame(const cv::Mat& frame);

// The first reason the face with `box` (source pixels) and detector `score` in an `image`-sized
// frame fails the checks that need no pixels, or std::nullopt when it passes:
//   "invalid_bbox"   a coordinate is not finite, the width or height is not positive, or the box
//                    does not overlap the image;
//   "too_small"      the box's shorter side is under options.min_face_size;
//   "low_confidence" score is under options.min_score (or not a number).
std::optional<std::string> pre_embedding_skip(const Box& box, cv::Size image, float score,
                                              const QualityOptions& options);

// A quality in [0, 1] for weighting a track's embeddings and choosing its thumbnail:
//   score_term * size_term * sharpness_term, where
//   score_term     = score clamped to [0, 1];
//   size_term      = min(1, shorter box side / 112): a face at least as large as the aligned crop
//                    loses nothing in alignment, a smaller one is upscaled and carries less detail;
//   sharpness_term = s / (s + 100) for the crop's sharpness s: half credit at 100, 0.87 for the
//                    sharp lena crop (645), 0.04 for it blurred with sigma 3 (4.5).
// A non-finite or negative input makes its term 0.
double face_quality(float score, const Box& box, double sharpness);

}  // namespace fp::faces
