// The sinks a run can write, by name (README "Outputs"), and the plan of those a run writes.
//
//   detections  detections.jsonl: a row per frame (written by default)
//   tracks      tracks.jsonl: a row per track (by default after a tracker; needs one)
//   counts      counts.jsonl: a row per counted frame (by default after a count stage; needs one)
//   mot         tracks.txt per stream, MOTChallenge rows (by default after a tracker; needs one)
//   faces       faces.jsonl: a row per face (by default after a faces stage; needs one)
//   identities  identities.json: the faces' tracks grouped into identities (same)
//   crops       crops/: the embedded faces, aligned (same, unless the stage says crops: false)
//   thumbs      thumbs/: the best face of each track (same, unless the stage says thumbs: false)
//   video       the frames with their boxes drawn, H.264 per stream (by default with --annotate;
//               `path:` names it, relative to the output folder, or --annotate does)
//
// A pipeline's `outputs:` lists the sinks to write, replacing the defaults; each is registered
// here with one line. A name that is not registered, a setting a sink does not take, or a sink
// whose pipeline cannot feed it is an Error at the entry's file:line:column.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "outputs/face_sinks.hpp"
#include "outputs/sinks.hpp"
#include "pipeline/pipeline_config.hpp"
#include "pipeline/stage.hpp"

namespace fp::outputs {

// What the sinks are written from: the run's folder and streams, and what its stages give.
struct OutputContext {
  std::filesystem::path dir;
  int streams = 1;
  std::filesystem::path annotate;  // --annotate, relative to `dir` unless absolute; empty: none
  std::function<double(int stream)> fps_of;            // the annotated video's rate for a stream
  bool tracked = false;                                // a stage gives the detections track ids
  bool counted = false;                                // a count stage counts zones and lines
  const pipeline::FaceOutputOptions* faces = nullptr;  // a faces stage's settings; null: none
};

struct SinkType;  // a registered sink (sink_registry.cpp)

// The stage facts of `stages` (tracked, counted, faces) set in `context`.
void describe_stages(const std::vector<std::unique_ptr<pipeline::Stage>>& stages,
                     OutputContext& context);

// Comma-separated registered names, for messages.
std::string sink_names();

class OutputPlan {
 public:
  // The sinks `listed` names (the pipeline's `outputs:`), or the defaults for `context` when it
  // is unset, checked against the registry and against what `context` can feed.
  static Result<OutputPlan> make(const std::optional<std::vector<pipeline::OutputSpec>>& listed,
                                 const OutputContext& context);
  // Every file the chosen sinks may write (so that stale ones are cleared before the run).
  std::vector<std::filesystem::path> paths() const;
  // Opens the chosen sinks, in the plan's order.
  Result<std::vector<std::unique_ptr<Sink>>> open() const;

  struct Choice {
    const SinkType* type;
    std::filesystem::path path;  // the video's, when set
    FaceParts faces;             // the face outputs chosen, for the one face sink
  };

 private:
  explicit OutputPlan(OutputContext context) : context_(std::move(context)) {}
  OutputContext context_;
  std::vector<Choice> choices_;
};

}  // namespace fp::outputs
