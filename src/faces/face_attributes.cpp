#include "faces/face_attributes.hpp"

namespace fp::faces {

bool is_face_attribute(std::string_view name) {
  return name == kFaceSkipped || name == kFaceQuality || name == kFaceSharpness ||
         name == kFaceEmbedding;
}

bool face_checked(const Detection& face) {
  return has_attribute(face.attributes, kFaceSkipped) ||
         has_attribute(face.attributes, kFaceQuality);
}

std::vector<size_t> checked_faces(const std::vector<Detection>& detections) {
  std::vector<size_t> out;
  for (size_t i = 0; i < detections.size(); ++i) {
    if (face_checked(detections[i])) out.push_back(i);
  }
  return out;
}

std::string face_skip_reason(const Detection& face) {
  const AttributeLabel* skipped = find_label(face.attributes, kFaceSkipped);
  return skipped == nullptr ? std::string() : skipped->label;
}

void set_face_skipped(Detection& face, std::string reason) {
  set_attribute(face.attributes, kFaceSkipped, AttributeLabel{std::move(reason), 1});
}

bool face_passed_checks(const Detection& face) {
  const std::string reason = face_skip_reason(face);
  return reason.empty() || reason == kNotSampled;
}

}  // namespace fp::faces
