// FacesStage: checks, aligns and embeds the faces a face detector found (src/faces).
//
// YAML (after a `detect` stage running a face detector such as yunet_2023mar; without one, or
// after a detector of another kind, the pipeline is refused when it loads):
//   - faces:
//       embedder: mobilefacenet_128d  # registry name of the face embedder
//       min_face_size: 20         # smaller faces (shorter side, source px) are skipped: too_small
//       min_score: 0.7            # faces the detector is less sure of are skipped: low_confidence
//       min_sharpness: 15         # Laplacian variance of the aligned crop below it: blurry
//       max_batch: 4              # faces per embedder call, across faces, frames and streams
//       max_delay_us: 100000      # longest a face waits for its batch to fill
//       identity_threshold: 0.45  # cosine similarity at which tracks/faces join one identity
//       gallery: people/          # sub-folder per person with their photos (--gallery overrides)
//       gallery_threshold: 0.45   # least similarity for a gallery match
//       gallery_detector: yunet_2023mar  # finds the faces in the gallery photos
//       crops: true               # write each embedded aligned face to crops/
//       thumbs: true              # write the best face of each track (or lone face) to thumbs/
//
// What is embedded. Alone after the detector (photos, or a tracker after this stage), every face
// that passes the checks. After `track` and `face_select` (face_select_stage.hpp: videos), only
// the faces face_select picked, a few per track; face_select then applies the checks (the three
// min_ keys are set there, and refused here) and the others end `not_sampled`, still counted in
// their track's identity. Faces without a track id are always embedded. The stage itself keeps no
// state, so its embedder calls batch across the frames in flight whatever comes before it.
//
// Every face ends with an embedding or a skip reason: bad_source_frame (the frame decoded black
// or uniform), invalid_bbox (box or landmarks unusable), too_small, low_confidence, blurry,
// not_sampled, zero_norm_embedding. A tracker's predicted boxes (detect_every) are not faces.
// Faces are aligned to the ArcFace template from their 5 landmarks (boxes-only detectors: the box
// is cropped and resized). All faces of a frame are submitted to the embedder's Batcher at once
// (start()), so they batch with each other and with other frames in flight, and no worker waits
// for them: the completion of the frame's last face finishes the frame; the first failed call
// fails it (and the run).
//
// The gallery is loaded when the stage is built (faces/gallery_loader.hpp), its photos' faces
// found by `gallery_detector` with the registry's settings (DetectStage::open) and embedded by
// the stage's embedder.
//
// Outputs (outputs/face_sinks.hpp): faces.jsonl, crops/, thumbs/, identities.json
// (faces/identities.hpp).
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "faces/face_attributes.hpp"
#include "faces/gallery.hpp"
#include "faces/quality.hpp"
#include "pipeline/stage.hpp"
#include "vision/blob.hpp"

namespace fp::pipeline {

class FacesStage : public Stage {
 public:
  static Result<std::unique_ptr<Stage>> create(const StageContext& context);

  const std::string& name() const override { return name_; }
  // Waits for start() to finish the frame.
  Status process(FrameResult& item) override;
  // Checks the frame's faces (unless face_select did) and submits every face to embed at once;
  // the completion of the frame's last face finishes it (a frame without one, at once).
  bool start(FrameResult& item, std::function<void(Status)> done) override;
  const FaceOutputOptions* face_outputs() const override { return &outputs_; }
  nlohmann::ordered_json report() const override;

 private:
  FacesStage() = default;
  // Counts the frame's faces, unless an embedder call `failed` (the first Error).
  Status finish(const FrameResult& item, Status failed);
  // faces/gallery_loader.hpp with `detector` and the embedder.
  Status load_gallery(const StageContext& context, const std::filesystem::path& dir,
                      const infer::ModelSpec& detector);
  void count(const std::string& reason);

  std::string name_;
  infer::PooledModel* embedder_ = nullptr;  // owned by the run's ModelPool
  vision::Normalization normalization_;
  faces::QualityOptions quality_;
  FaceOutputOptions outputs_;
  std::unique_ptr<faces::Gallery> gallery_;  // null without a gallery
  nlohmann::ordered_json gallery_report_;

  mutable std::mutex mutex_;  // guards the counters (process() runs on several threads)
  int64_t faces_ = 0, embedded_ = 0;
  std::map<std::string, int64_t> skipped_;
};

// The checks' keys (min_face_size, min_score, min_sharpness), each Error at file:line:column.
Status read_face_checks(const YamlMap& config, faces::QualityOptions& quality);

// The quality checks (faces/quality.hpp) of each detected face of a frame not checked yet,
// skipping a tracker's predicted boxes: each gets its face_skipped reason, or its aligned crop
// (in item.aligned_faces), face_sharpness and face_quality when it passes
// (faces/face_attributes.hpp).
void check_faces(FrameResult& item, const faces::QualityOptions& quality);

}  // namespace fp::pipeline
