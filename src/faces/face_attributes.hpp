// What the face pipeline finds out about a detected face, kept as attributes of the face object
// (its Detection) rather than beside it. The faces and face_select stages write them; faces.jsonl
// writes them out, the detection rows leave them out (is_face_attribute).
//
//   face_skipped    label: why the face has no embedding (quality.hpp's reasons, kNotSampled,
//                   "zero_norm_embedding"); score 1. Absent when it has one, or will have.
//   face_quality    number: face_quality(); weights track embeddings, picks thumbnails. Set when
//                   the face has an aligned crop (every face that passed the checks, and blurry)
//   face_sharpness  number: variance of the Laplacian of the aligned crop; set with face_quality
//   face_embedding  vector: the embedder's L2-normalised embedding
//
// A face object is checked once it has face_skipped or face_quality. The aligned crop is pixels,
// not an attribute: it stays beside the object (pipeline/frame_result.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/detection.hpp"

namespace fp::faces {

// The class name of a face detector's objects (a face detector without a label list); the face
// checks take only objects of this class, so that a face detector run `within:` persons leaves the
// persons alone.
inline constexpr const char* kFaceClass = "face";
inline constexpr std::string_view kFaceSkipped = "face_skipped";
inline constexpr std::string_view kFaceQuality = "face_quality";
inline constexpr std::string_view kFaceSharpness = "face_sharpness";
inline constexpr std::string_view kFaceEmbedding = "face_embedding";

// The skip reason of a face that passed the quality checks but was not picked for embedding (a
// face_select stage took other faces of its track): it still counts for its track's identity.
inline constexpr const char* kNotSampled = "not_sampled";

// One of the names above: the faces stage's, not an attribute model's.
bool is_face_attribute(std::string_view name);

// The face checks have run on it.
bool face_checked(const Detection& face);
// The indices of the checked faces among `detections`, in order.
std::vector<size_t> checked_faces(const std::vector<Detection>& detections);

// Why it has no embedding; empty when it has one or is to be embedded.
std::string face_skip_reason(const Detection& face);
void set_face_skipped(Detection& face, std::string reason);
// Passed the quality checks (embedded, to be embedded, or not sampled): its quality is known.
bool face_passed_checks(const Detection& face);

}  // namespace fp::faces
