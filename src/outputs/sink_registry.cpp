#include "outputs/sink_registry.hpp"

#include <algorithm>

#include "outputs/track_sinks.hpp"

namespace fp::outputs {

namespace fs = std::filesystem;

struct SinkType {
  const char* name;
  const char* file;  // under the output folder; empty: the folder itself (faces)
  bool (*fed)(const OutputContext&);
  const char* needs;  // what the pipeline lacks when it cannot feed the sink
  bool (*by_default)(const OutputContext&);
  std::vector<fs::path> (*paths)(const OutputContext&, const OutputPlan::Choice&);
  Result<std::unique_ptr<Sink>> (*open)(const OutputContext&, const OutputPlan::Choice&);
  bool FaceParts::*face_part;  // the four face outputs share one sink; null for the others
};

namespace {

using Choice = OutputPlan::Choice;

bool always(const OutputContext&) { return true; }
bool tracked(const OutputContext& c) { return c.tracked; }
bool counted(const OutputContext& c) { return c.counted; }
bool has_faces(const OutputContext& c) { return c.faces != nullptr; }
bool crops_on(const OutputContext& c) { return has_faces(c) && c.faces->crops; }
bool thumbs_on(const OutputContext& c) { return has_faces(c) && c.faces->thumbs; }
bool annotated(const OutputContext& c) { return !c.annotate.empty(); }

std::vector<fs::path> one_file(const OutputContext&, const Choice& c) { return {c.path}; }

std::vector<fs::path> per_stream(const OutputContext& c, const Choice& choice) {
  std::vector<fs::path> paths;
  for (int s = 0; s < c.streams; ++s) paths.push_back(stream_path(choice.path, s));
  return paths;
}

std::vector<fs::path> face_paths(const OutputContext& c, const Choice& choice) {
  return FaceOutputsSink::planned_paths(c.dir, choice.faces);
}

Result<std::unique_ptr<Sink>> open_detections(const OutputContext&, const Choice& choice) {
  return FrameRowsSink::open(choice.path, detection_row);
}
Result<std::unique_ptr<Sink>> open_counts(const OutputContext&, const Choice& choice) {
  return FrameRowsSink::open(choice.path, counts_row);
}
Result<std::unique_ptr<Sink>> open_video(const OutputContext& c, const Choice& choice) {
  return std::unique_ptr<Sink>(std::make_unique<AnnotatedVideoSink>(choice.path, c.fps_of));
}
Result<std::unique_ptr<Sink>> open_mot(const OutputContext&, const Choice& choice) {
  return std::unique_ptr<Sink>(std::make_unique<MotTracksSink>(choice.path));
}
Result<std::unique_ptr<Sink>> open_faces(const OutputContext& c, const Choice& choice) {
  return FaceOutputsSink::open(c.dir, *c.faces, choice.faces);
}

constexpr const char* kNeedsTracker = "needs a tracker: add a 'track' stage after the detector";
constexpr const char* kNeedsCount = "needs a 'count' stage (after the track stage)";
constexpr const char* kNeedsFaces = "needs a 'faces' stage, which embeds the faces it writes";

// The registry: one line per sink.
const SinkType kSinks[] = {
    {"detections", "detections.jsonl", always, "", always, one_file, open_detections, nullptr},
    {"tracks", "tracks.jsonl", tracked, kNeedsTracker, tracked, one_file,
     [](const OutputContext&, const Choice& c) { return TrackSummarySink::open(c.path); }, nullptr},
    {"mot", "tracks.txt", tracked, kNeedsTracker, tracked, per_stream, open_mot, nullptr},
    {"counts", "counts.jsonl", counted, kNeedsCount, counted, one_file, open_counts, nullptr},
    {"faces", "", has_faces, kNeedsFaces, has_faces, face_paths, open_faces, &FaceParts::rows},
    {"identities", "", has_faces, kNeedsFaces, has_faces, face_paths, open_faces,
     &FaceParts::identities},
    {"crops", "", has_faces, kNeedsFaces, crops_on, face_paths, open_faces, &FaceParts::crops},
    {"thumbs", "", has_faces, kNeedsFaces, thumbs_on, face_paths, open_faces, &FaceParts::thumbs},
    {"video", "annotated.mp4", always, "", annotated, per_stream, open_video, nullptr},
};

// A sink's file (--annotate names the video's).
fs::path default_path(const SinkType& type, const OutputContext& c) {
  if (type.open == open_video && annotated(c)) return c.dir / c.annotate;
  return *type.file == '\0' ? c.dir : c.dir / type.file;
}

// Adds `type` to `choices`; a face output joins the one face sink, turning its part on.
void choose(std::vector<Choice>& choices, const SinkType& type, fs::path path) {
  if (type.face_part != nullptr) {
    for (Choice& choice : choices) {
      if (choice.type->face_part != nullptr) {
        choice.faces.*type.face_part = true;
        return;
      }
    }
  }
  Choice choice{&type, std::move(path), {}};
  if (type.face_part != nullptr) choice.faces.*type.face_part = true;
  choices.push_back(std::move(choice));
}

const SinkType* find_sink(const std::string& name) {
  for (const SinkType& type : kSinks) {
    if (name == type.name) return &type;
  }
  return nullptr;
}

}  // namespace

std::string sink_names() {
  std::string names;
  for (const SinkType& type : kSinks) names += (names.empty() ? "" : ", ") + std::string(type.name);
  return names;
}

void describe_stages(const std::vector<std::unique_ptr<pipeline::Stage>>& stages,
                     OutputContext& context) {
  for (const auto& stage : stages) {
    if (!stage) continue;  // a join
    if (stage->gives_track_ids()) context.tracked = true;
    if (stage->gives_counts()) context.counted = true;
    if (stage->face_outputs() != nullptr) context.faces = stage->face_outputs();
  }
}

Result<OutputPlan> OutputPlan::make(const std::optional<std::vector<pipeline::OutputSpec>>& listed,
                                    const OutputContext& context) {
  OutputPlan plan(context);
  if (!listed) {
    for (const SinkType& type : kSinks) {
      if (type.by_default(context)) choose(plan.choices_, type, default_path(type, context));
    }
    return plan;
  }
  for (const pipeline::OutputSpec& spec : *listed) {
    const SinkType* type = find_sink(spec.name);
    if (type == nullptr) {
      return Error(spec.where + ": unknown output '" + spec.name + "' (known: " + sink_names() +
                   ")");
    }
    if (!type->fed(context)) {
      return Error(spec.where + ": output '" + spec.name + "' " + type->needs);
    }
    if (!type->by_default(context) && type->face_part != nullptr) {
      return Error(spec.where + ": output '" + spec.name +
                   "' is turned off by the faces stage's '" + spec.name + ": false'");
    }
    fs::path path = default_path(*type, context);
    if (spec.settings) {
      const YamlMap& settings = *spec.settings;
      if (spec.name == "video") {
        FP_RETURN_IF_ERROR(settings.check_keys({"path"}));
        std::string named;
        FP_RETURN_IF_ERROR(settings.read("path", named));
        if (!named.empty() && context.annotate.empty()) path = context.dir / named;
      } else {
        return Error(spec.where + ": output '" + spec.name +
                     "' takes no settings (write it as '- " + spec.name + "')");
      }
    }
    choose(plan.choices_, *type, path);
  }
  // --annotate asks for the video even when the list leaves it out.
  const SinkType* video = find_sink("video");
  if (!context.annotate.empty() && !listed->empty() &&
      std::none_of(plan.choices_.begin(), plan.choices_.end(),
                   [&](const Choice& c) { return c.type == video; })) {
    choose(plan.choices_, *video, default_path(*video, context));
  }
  return plan;
}

std::vector<fs::path> OutputPlan::paths() const {
  std::vector<fs::path> paths;
  for (const Choice& choice : choices_) {
    for (fs::path& path : choice.type->paths(context_, choice)) paths.push_back(path);
  }
  return paths;
}

Result<std::vector<std::unique_ptr<Sink>>> OutputPlan::open() const {
  std::vector<std::unique_ptr<Sink>> sinks;
  for (const Choice& choice : choices_) {
    FP_ASSIGN_OR_RETURN(auto sink, choice.type->open(context_, choice));
    sinks.push_back(std::move(sink));
  }
  return sinks;
}

}  // namespace fp::outputs
