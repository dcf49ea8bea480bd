#include "serve/job.hpp"

#include <ctime>

namespace fp::serve {

namespace {

constexpr const char* kStateNames[] = {"queued", "running",   "completed",
                                       "failed", "cancelled", "interrupted"};

template <typename T>
nlohmann::ordered_json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

template <typename T>
std::optional<T> optional_from(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<T>();
}

nlohmann::ordered_json time_json(const std::string& time) {
  return time.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(time);
}

}  // namespace

const char* state_name(JobState state) { return kStateNames[static_cast<int>(state)]; }

std::optional<JobState> parse_state(const std::string& name) {
  for (int i = 0; i < 6; ++i) {
    if (name == kStateNames[i]) return static_cast<JobState>(i);
  }
  return std::nullopt;
}

bool has_ended(JobState state) { return state != JobState::kQueued && state != JobState::kRunning; }

nlohmann::ordered_json to_json(const Job& job, const std::vector<std::string>& files) {
  const JobOptions& o = job.options;
  return {{"id", job.id},
          {"pipeline", job.pipeline},
          {"inputs", job.inputs},
          {"options",
           {{"profile", optional_json(o.profile)},
            {"stride", optional_json(o.stride)},
            {"fps", optional_json(o.fps)},
            {"start", optional_json(o.start)},
            {"end", optional_json(o.end)},
            {"cpus", o.cpus},
            {"gallery", optional_json(o.gallery)}}},
          {"state", state_name(job.state)},
          {"created", time_json(job.created)},
          {"started", time_json(job.started)},
          {"finished", time_json(job.finished)},
          {"progress",
           {{"frames", job.progress.frames},
            {"expected_frames", job.progress.expected_frames},
            {"fps", job.progress.fps},
            {"eta_seconds", job.progress.eta_seconds},
            {"percent", job.progress.percent}}},
          {"exit_code", optional_json(job.exit_code)},
          {"error",
           job.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(job.error)},
          {"cores", job.cores},
          {"cancel_requested", job.cancel_requested},
          {"summary", job.summary},
          {"files", files}};
}

std::string to_document(const Job& job) {
  nlohmann::ordered_json doc = to_json(job, {});
  doc.erase("files");
  doc["pipeline_file"] = job.pipeline_file;
  doc["input_paths"] = job.input_paths;
  doc["gallery_path"] = job.gallery_path;
  return doc.dump();
}

Result<Job> from_document(const std::string& text) {
  try {
    const nlohmann::json doc = nlohmann::json::parse(text);
    Job job;
    job.id = doc.at("id").get<int64_t>();
    job.pipeline = doc.at("pipeline").get<std::string>();
    job.inputs = doc.at("inputs").get<std::vector<std::string>>();
    const nlohmann::json& o = doc.at("options");
    job.options.profile = optional_from<std::string>(o, "profile");
    job.options.stride = optional_from<int>(o, "stride");
    job.options.fps = optional_from<double>(o, "fps");
    job.options.start = optional_from<double>(o, "start");
    job.options.end = optional_from<double>(o, "end");
    job.options.cpus = o.at("cpus").get<int>();
    job.options.gallery = optional_from<std::string>(o, "gallery");
    const auto state = parse_state(doc.at("state").get<std::string>());
    if (!state) return Error("unknown state in the job store");
    job.state = *state;
    job.created = optional_from<std::string>(doc, "created").value_or("");
    job.started = optional_from<std::string>(doc, "started").value_or("");
    job.finished = optional_from<std::string>(doc, "finished").value_or("");
    const nlohmann::json& p = doc.at("progress");
    job.progress = {p.at("frames").get<int64_t>(), p.at("expected_frames").get<int64_t>(),
                    p.at("fps").get<double>(), p.at("eta_seconds").get<double>(),
                    p.at("percent").get<double>()};
    job.exit_code = optional_from<int>(doc, "exit_code");
    job.error = optional_from<std::string>(doc, "error").value_or("");
    job.cores = doc.at("cores").get<std::vector<int>>();
    job.cancel_requested = doc.at("cancel_requested").get<bool>();
    job.summary = doc.at("summary");
    job.pipeline_file = doc.at("pipeline_file").get<std::string>();
    job.input_paths = doc.at("input_paths").get<std::vector<std::string>>();
    job.gallery_path = doc.at("gallery_path").get<std::string>();
    return job;
  } catch (const nlohmann::json::exception& e) {
    return Error(std::string("a job in the store cannot be read: ") + e.what());
  }
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace fp::serve
