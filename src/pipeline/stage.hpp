// Stage: one step of a pipeline (detect, and later track, faces, ...).
//
// Lifecycle, for every stage:
// - A factory (registered in stage_registry.cpp, one line per stage type) builds the stage from its
//   YAML mapping before any frame is read. It loads and warms up what it needs (models through
//   infer/) and fails with an Error pointing at file:line:column for a bad config.
// - process() (or start(), below) is then called once per frame that has an image, by several
//   worker threads at once (frames are in flight together so that model calls can be batched
//   across frames and streams; results are put back in order before the sinks). A stage therefore
//   keeps no per-frame state; its model calls go through the shared Batchers of the run's
//   ModelPool. It adds its results to the FrameResult and its timings (add_timing). An Error from
//   process() is fatal for the run: the runner stops reading, keeps what was written under
//   .partial names, and reports the error.
// - A stage that keeps state from frame to frame (a tracker, face_select) says so with in_order()
//   (and is registered stateful): its process() is then called by one worker at a time, for each
//   stream's frames in order, wherever it sits in the graph, so it needs no lock for its state.
// - Stages write no files: the outputs layer (src/outputs/) does, from the FrameResults and from
//   what a stage says it gives (gives_track_ids(), gives_counts(), face_outputs()).
// - report() is called after the last frame, on the main thread, for the run report.
// - A stage that puts boxes in FrameResult::detections names its model with detector(); the
//   factories of later stages get it (StageContext::detector) to check what they are given.
//   Likewise gives_track_ids() (a tracker) and face_checks() (face_select, which checks faces'
//   quality for the faces stage after it) reach later factories, until a detector replaces the
//   boxes.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/yaml_config.hpp"
#include "faces/gallery.hpp"
#include "faces/identities.hpp"
#include "faces/quality.hpp"
#include "infer/model_pool.hpp"
#include "infer/model_registry.hpp"
#include "pipeline/frame_result.hpp"

namespace fp::pipeline {

// A faces stage's settings for the faces outputs (outputs/face_sinks.hpp).
struct FaceOutputOptions {
  bool crops = true;
  bool thumbs = true;
  faces::IdentityOptions identities;
  const faces::Gallery* gallery = nullptr;  // null without a gallery; owned by the stage
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual const std::string& name() const = 0;
  virtual Status process(FrameResult& item) = 0;
  // A stage whose work ends in model calls (one, or one per face of the frame) may start them and
  // return at once, so that no worker waits on a model: start() then calls `done` exactly once,
  // with process()'s Status, from the thread that completes the last call, or before it returns
  // when there is nothing to call (keep the completion short, and never wait on a Batcher there).
  // It returns false, doing nothing, when the stage works only through process(). `item` stays
  // alive until `done` is called, and the stage touches it no more after that.
  virtual bool start(FrameResult& item, std::function<void(Status)> done) {
    (void)item, (void)done;
    return false;
  }
  virtual bool in_order() const { return false; }
  virtual nlohmann::ordered_json report() const { return nlohmann::ordered_json::object(); }
  // The registry entry of the model whose boxes this stage writes to FrameResult::detections;
  // null for a stage that does not replace them.
  virtual const infer::ModelSpec* detector() const { return nullptr; }
  // Whether this stage gives the detections their track ids (a tracker).
  virtual bool gives_track_ids() const { return false; }
  // Whether this stage adds zone and line counts to FrameResult::counts (a count stage).
  virtual bool gives_counts() const { return false; }
  // The quality checks this stage applies to each face, filling FrameResult::faces with their
  // verdicts for a faces stage after it; null for a stage that does not.
  virtual const faces::QualityOptions* face_checks() const { return nullptr; }
  // What the faces outputs (faces.jsonl, crops/, thumbs/, identities.json) are written with; null
  // for a stage that does not embed faces.
  virtual const FaceOutputOptions* face_outputs() const { return nullptr; }
};

// What a stage factory gets: its YAML mapping, the model registry and the run's shared models.
struct StageContext {
  const YamlMap& config;
  const infer::ModelRegistry& registry;
  infer::ModelPool& models;
  cv::Size detector_input_size;  // a profile's detector input when the stage names none
  std::string name;  // the stage's name in the pipeline (its type unless the YAML gives `name`)
  std::filesystem::path gallery;  // `--gallery DIR`: overrides a faces stage's `gallery`
  // The detector of the last stage before this one that gives detections; null when none.
  const infer::ModelSpec* detector = nullptr;
  std::string backend;  // `--backend NAME`: every model of the run on it; empty: each stage's
  // Since that detector: whether a tracker gave its boxes track ids, and the face checks of a
  // face_select stage (null when none).
  bool tracked = false;
  const faces::QualityOptions* face_checks = nullptr;

  // An Error at the stage's mapping unless a tracker comes before it; `does` says what the stage
  // does with the tracks ("counts tracks").
  Status require_tracked(const std::string& does) const {
    if (tracked) return ok_status();
    return config.error_at(nullptr, "stage '" + name + "' " + does +
                                        ", but no track stage comes before it: put '- track: {}' "
                                        "between the detector and it");
  }
};

}  // namespace fp::pipeline
