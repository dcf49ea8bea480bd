// The face harvest written out by hand, the way users wrote it before framepipe (issue 5's
// yardstick): YuNet on the frame with one forward(), then for each face the quality gate, an
// alignment and one MobileFaceNet forward() of its own.
//
// Like UserStyleDetector, it calls framepipe's vision and faces functions (letterbox, blob, YuNet
// decoder, NMS, quality checks, alignment) so that its faces and embeddings can be compared one
// to one with the engine's, but no framepipe inference code: both networks are plain
// cv::dnn::Net. The settings are those of examples/faces.yaml and of the yunet_2023mar and
// mobilefacenet_128d registry entries (shared MODELS.md sections 2-3), written as constants the
// way a script hard-codes them.
#pragma once

#include <opencv2/dnn.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/detection.hpp"
#include "faces/embedding.hpp"

namespace fp::bench {

// ../shared/media/video/short_hamilton_clip.mp4: the 275-frame 640x360 clip that issue 5's
// targets are stated on.
std::string hamilton_clip_path();
// examples/faces.yaml in the source tree.
std::string faces_pipeline_path();

// YuNet 2023mar at 640x384 (top-left letterbox padded with 0, raw BGR), conf 0.6, NMS 0.3.
class UserStyleFaceDetector {
 public:
  // Loads yunet_2023mar (found through the registry) and runs one forward() to warm it up. OpenCV's
  // thread count is the caller's to set.
  UserStyleFaceDetector();
  // Faces in `image`, boxes and 5 landmarks in its pixels, sorted by descending score.
  std::vector<Detection> detect(const cv::Mat& image);

 private:
  cv::dnn::Net net_;
  std::vector<std::string> output_names_;
};

// MobileFaceNet 128-d on an aligned 112x112 face: one forward() per face.
class UserStyleFaceEmbedder {
 public:
  // Loads mobilefacenet_128d and runs one forward() to warm it up.
  UserStyleFaceEmbedder();
  // The L2-normalised embedding of `aligned`; empty when its norm is zero (the engine's
  // "zero_norm_embedding"). Every call is one forward().
  faces::Embedding embed(const cv::Mat& aligned);
  int64_t forward_calls() const { return forward_calls_; }

 private:
  cv::dnn::Net net_;
  int64_t forward_calls_ = 0;  // warm-up excluded
};

// The faces stage's quality gate with examples/faces.yaml's thresholds (min_face_size 20,
// min_score 0.7, min_sharpness 15), in its order: the reason `face` is not embedded, or
// std::nullopt with its aligned 112x112 crop in *aligned. `bad_frame` is
// faces::is_bad_source_frame() of the frame, which the stage computes once per frame with faces.
std::optional<std::string> face_skip_reason(const cv::Mat& image, bool bad_frame,
                                            const Detection& face, cv::Mat* aligned);

}  // namespace fp::bench
