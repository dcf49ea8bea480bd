// FaceResult: what the face pipeline found out about one detected face of a frame.
#pragma once

#include <opencv2/core/mat.hpp>
#include <string>

#include "faces/embedding.hpp"

namespace fp::faces {

// The skip reason of a face that passed the quality checks but was not picked for embedding (a
// face_select stage took other faces of its track): it still counts for its track's identity.
inline constexpr const char* kNotSampled = "not_sampled";

struct FaceResult {
  size_t detection = 0;     // index of the face in the frame's detections
  std::string skip_reason;  // why it has no embedding (see quality.hpp); empty when it has one
  cv::Mat aligned;          // 112x112 BGR crop aligned to the embedder's template; may be empty
  Embedding embedding;      // L2-normalised; empty when skipped
  double sharpness = 0;     // variance of the Laplacian of the aligned crop
  double quality = 0;       // face_quality(): weights track embeddings, picks thumbnails

  bool skipped() const { return !skip_reason.empty(); }
  // Passed the quality checks (embedded, to be embedded, or not sampled): its quality is known.
  bool passed_checks() const { return skip_reason.empty() || skip_reason == kNotSampled; }
};

}  // namespace fp::faces
