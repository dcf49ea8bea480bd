#include "outputs/sink_registry.hpp"

#include <algorithm>

#include "outputs/face_sinks.hpp"
#include "outputs/track_sinks.hpp"

namespace fp::outputs {

namespace fs = std::filesystem;

struct SinkType {
  const char* name;
  const char* file;  // under the output folder; empty: the folder itself (faces)
  bool (*fed)(const OutputContext&);
  const char* needs;  // what the pipeline lacks when it cannot feed the sink
  bool (*by_default)(const OutputContext&);
  std::vector<fs::path> (*paths)(const OutputContext&, const fs::path& path);
  Result<std::unique_ptr<Sink>> (*open)(const OutputContext&, const fs::path& path);
};

namespace {

bool always(const OutputContext&) { return true; }
bool tracked(const OutputContext& c) { return c.tracked; }
bool has_faces(const OutputContext& c) { return c.faces != nullptr; }
bool annotated(const OutputContext& c) { return !c.annotate.empty(); }

std::vector<fs::path> one_file(const OutputContext&, const fs::path& path) { return {path}; }

std::vector<fs::path> per_stream(const OutputContext& c, const fs::path& path) {
  std::vector<fs::path> paths;
  for (int s = 0; s < c.streams; ++s) paths.push_back(stream_path(path, s));
  return paths;
}

Result<std::unique_ptr<Sink>> open_video(const OutputContext& c, const fs::path& path) {
  return std::unique_ptr<Sink>(std::make_unique<AnnotatedVideoSink>(path, c.fps_of));
}
Result<std::unique_ptr<Sink>> open_mot(const OutputContext&, const fs::path& path) {
  return std::unique_ptr<Sink>(std::make_unique<MotTracksSink>(path));
}
Result<std::unique_ptr<Sink>> open_faces(const OutputContext& c, const fs::path& dir) {
  return FaceOutputsSink::open(dir, *c.faces);
}

constexpr const char* kNeedsTracker = "needs a tracker: add a 'track' stage after the detector";

// The registry: one line per sink.
const SinkType kSinks[] = {
    {"detections", "detections.jsonl", always, "", always, one_file,
     [](const OutputContext&, const fs::path& p) { return DetectionsJsonlSink::open(p); }},
    {"tracks", "tracks.jsonl", tracked, kNeedsTracker, tracked, one_file,
     [](const OutputContext&, const fs::path& p) { return TrackSummarySink::open(p); }},
    {"mot", "tracks.txt", tracked, kNeedsTracker, tracked, per_stream, open_mot},
    {"faces", "", has_faces, "needs a 'faces' stage, which embeds the faces it writes", has_faces,
     [](const OutputContext&, const fs::path& dir) { return FaceOutputsSink::planned_paths(dir); },
     open_faces},
    {"video", "annotated.mp4", always, "", annotated, per_stream, open_video},
};

// A sink's file (--annotate names the video's).
fs::path default_path(const SinkType& type, const OutputContext& c) {
  if (type.open == open_video && annotated(c)) return c.dir / c.annotate;
  return *type.file == '\0' ? c.dir : c.dir / type.file;
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
    if (stage->face_outputs() != nullptr) context.faces = stage->face_outputs();
  }
}

Result<OutputPlan> OutputPlan::make(const std::optional<std::vector<pipeline::OutputSpec>>& listed,
                                    const OutputContext& context) {
  OutputPlan plan(context);
  if (!listed) {
    for (const SinkType& type : kSinks) {
      if (type.by_default(context)) plan.choices_.push_back({&type, default_path(type, context)});
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
    plan.choices_.push_back({type, path});
  }
  // --annotate asks for the video even when the list leaves it out.
  const SinkType* video = find_sink("video");
  if (!context.annotate.empty() && !listed->empty() &&
      std::none_of(plan.choices_.begin(), plan.choices_.end(),
                   [&](const Choice& c) { return c.type == video; })) {
    plan.choices_.push_back({video, default_path(*video, context)});
  }
  return plan;
}

std::vector<fs::path> OutputPlan::paths() const {
  std::vector<fs::path> paths;
  for (const Choice& choice : choices_) {
    for (fs::path& path : choice.type->paths(context_, choice.path)) paths.push_back(path);
  }
  return paths;
}

Result<std::vector<std::unique_ptr<Sink>>> OutputPlan::open() const {
  std::vector<std::unique_ptr<Sink>> sinks;
  for (const Choice& choice : choices_) {
    FP_ASSIGN_OR_RETURN(auto sink, choice.type->open(context_, choice.path));
    sinks.push_back(std::move(sink));
  }
  return sinks;
}

std::vector<std::string> OutputPlan::names() const {
  std::vector<std::string> names;
  for (const Choice& choice : choices_) names.emplace_back(choice.type->name);
  return names;
}

}  // namespace fp::outputs
