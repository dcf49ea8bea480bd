#include "serve/job_request.hpp"

#include <algorithm>
#include <array>

namespace fp::serve {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::array<const char*, 3> kProfiles = {"low_power", "balanced", "performance"};
constexpr std::array<const char*, 8> kStreamSchemes = {"rtsp://",  "rtsps://", "rtmp://", "http://",
                                                       "https://", "udp://",   "rtp://",  "srt://"};
constexpr std::array<const char*, 9> kMediaExtensions = {".mp4", ".avi",  ".mkv", ".mov", ".webm",
                                                         ".jpg", ".jpeg", ".png", ".webp"};

ApiError bad(const std::string& field, const std::string& message, int status = 400) {
  return ApiError{status, message, field};
}

bool inside(const fs::path& path, const fs::path& root) {
  const auto [end, at] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return end == root.end();
}

// `given` resolved inside a media root, or why not.
ApiResult<fs::path> resolve_media(const std::string& given, const std::string& field,
                                  const RequestRules& rules) {
  if (given.empty()) return bad(field, "'" + field + "' is empty", 422);
  std::vector<fs::path> candidates;
  if (fs::path(given).is_absolute()) {
    candidates.emplace_back(given);
  } else {
    for (const fs::path& root : rules.media_roots) candidates.push_back(root / given);
  }
  bool found_outside = false;
  for (const fs::path& candidate : candidates) {
    // `../` that climbs out of a root is refused whether or not the place exists.
    const fs::path plain = candidate.lexically_normal();
    found_outside =
        found_outside || std::none_of(rules.media_roots.begin(), rules.media_roots.end(),
                                      [&](const fs::path& r) { return inside(plain, r); });
    std::error_code error;
    const fs::path real = fs::canonical(candidate, error);
    if (error) continue;
    for (const fs::path& root : rules.media_roots) {
      if (inside(real, root)) return real;
    }
    found_outside = true;
  }
  if (found_outside) {
    return bad(field, "'" + given + "' is outside the media roots", 422);
  }
  return bad(field, "'" + given + "' is not found in the media roots", 422);
}

template <typename T>
ApiResult<T> number_option(const json& options, const char* key, double low, double high) {
  const std::string field = std::string("options.") + key;
  const json& v = options[key];
  const bool integral = std::is_integral_v<T>;
  if (!v.is_number() || (integral && !v.is_number_integer())) {
    return bad(field, "'" + field + "' must be " + (integral ? "an integer" : "a number"));
  }
  const double value = v.get<double>();
  if (!(value >= low && value <= high)) {
    return bad(field,
               "'" + field + "' must be from " + json(low).dump() + " to " + json(high).dump());
  }
  return v.get<T>();
}

ApiResult<JobOptions> parse_options(const json& options, const RequestRules& rules,
                                    std::string& gallery_path) {
  JobOptions out;
  if (!options.is_object()) return bad("options", "'options' must be an object");
  for (const auto& [key, value] : options.items()) {
    const std::string field = "options." + key;
    if (value.is_null()) continue;
    if (key == "profile") {
      if (!value.is_string() || std::find(kProfiles.begin(), kProfiles.end(),
                                          value.get<std::string>()) == kProfiles.end()) {
        return bad(field, "'options.profile' must be low_power, balanced or performance");
      }
      out.profile = value.get<std::string>();
    } else if (key == "stride") {
      auto v = number_option<int>(options, "stride", 1, 1000);
      if (auto* e = std::get_if<ApiError>(&v)) return *e;
      out.stride = std::get<int>(v);
    } else if (key == "cpus") {
      auto v = number_option<int>(options, "cpus", 1, 1024);
      if (auto* e = std::get_if<ApiError>(&v)) return *e;
      out.cpus = std::get<int>(v);
    } else if (key == "fps" || key == "start" || key == "end") {
      auto v = number_option<double>(options, key.c_str(), 0, key == "fps" ? 1000 : 1e7);
      if (auto* e = std::get_if<ApiError>(&v)) return *e;
      const double d = std::get<double>(v);
      if (d == 0) continue;  // 0: the whole input, every frame
      (key == "fps" ? out.fps : key == "start" ? out.start : out.end) = d;
    } else if (key == "gallery") {
      if (!value.is_string()) return bad(field, "'options.gallery' must be a path");
      auto resolved = resolve_media(value.get<std::string>(), field, rules);
      if (auto* e = std::get_if<ApiError>(&resolved)) return *e;
      out.gallery = value.get<std::string>();
      gallery_path = std::get<fs::path>(resolved).string();
    } else {
      return bad(field, "unknown option '" + key +
                            "' (known: profile, stride, fps, start, end, cpus, gallery)");
    }
  }
  return out;
}

bool is_stream(const std::string& input) { return input.find("://") != std::string::npos; }

}  // namespace

ApiResult<JobRequest> parse_job_request(const std::string& body, const RequestRules& rules) {
  const json request = json::parse(body, nullptr, false);
  if (request.is_discarded()) return bad("", "the body is not valid JSON");
  if (!request.is_object()) return bad("", "the body must be a JSON object");
  JobRequest out;
  Job& job = out.job;
  for (const auto& [key, value] : request.items()) {
    if (key != "pipeline" && key != "inputs" && key != "options" && key != "wait") {
      return bad(key, "unknown field '" + key + "' (known: pipeline, inputs, options, wait)");
    }
  }
  if (!request.contains("pipeline") || !request["pipeline"].is_string()) {
    return bad("pipeline", "'pipeline' must name a pipeline (GET /api/pipelines lists them)");
  }
  job.pipeline = request["pipeline"].get<std::string>();
  const std::vector<std::string> known = pipeline_names(rules.pipelines);
  if (std::find(known.begin(), known.end(), job.pipeline) == known.end()) {
    return bad("pipeline", "unknown pipeline '" + job.pipeline + "'", 422);
  }
  job.pipeline_file = (rules.pipelines / (job.pipeline + ".yaml")).string();
  if (!request.contains("inputs") || !request["inputs"].is_array() || request["inputs"].empty() ||
      request["inputs"].size() > rules.max_inputs) {
    return bad("inputs",
               "'inputs' must list 1 to " + std::to_string(rules.max_inputs) + " media paths");
  }
  for (size_t i = 0; i < request["inputs"].size(); ++i) {
    const json& input = request["inputs"][i];
    const std::string field = "inputs[" + std::to_string(i) + "]";
    if (!input.is_string()) return bad(field, "'" + field + "' must be a path");
    const std::string given = input.get<std::string>();
    job.inputs.push_back(given);
    if (is_stream(given)) {
      const bool known_scheme =
          std::any_of(kStreamSchemes.begin(), kStreamSchemes.end(),
                      [&](const char* scheme) { return given.rfind(scheme, 0) == 0; });
      if (!rules.allow_streams || !known_scheme) {
        return bad(field,
                   rules.allow_streams ? "'" + given + "' is not a stream URL FFmpeg reads live"
                                       : "stream inputs need the server's --allow-streams",
                   422);
      }
      job.input_paths.push_back(given);
      continue;
    }
    auto resolved = resolve_media(given, field, rules);
    if (auto* e = std::get_if<ApiError>(&resolved)) return *e;
    job.input_paths.push_back(std::get<fs::path>(resolved).string());
  }
  if (request.contains("options")) {
    auto options = parse_options(request["options"], rules, job.gallery_path);
    if (auto* e = std::get_if<ApiError>(&options)) return *e;
    job.options = std::get<JobOptions>(options);
  }
  if (request.contains("wait")) {
    if (!request["wait"].is_boolean()) return bad("wait", "'wait' must be true or false");
    out.wait = request["wait"].get<bool>();
  }
  return out;
}

ApiResult<fs::path> file_inside(const fs::path& dir, const std::string& relative) {
  const ApiError missing{404, "no output file '" + relative + "'", ""};
  std::error_code error;
  const fs::path root = fs::canonical(dir, error);
  if (error || relative.empty()) return missing;
  const fs::path real = fs::canonical(root / relative, error);
  if (error || !inside(real, root) || !fs::is_regular_file(real)) return missing;
  return real;
}

std::vector<std::string> pipeline_names(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> media_files(const std::vector<fs::path>& roots, size_t limit) {
  std::vector<std::string> files;
  for (const fs::path& root : roots) {
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(root, error);
         !error && it != fs::recursive_directory_iterator() && files.size() < limit;
         it.increment(error)) {
      std::string extension = it->path().extension().string();
      std::transform(extension.begin(), extension.end(), extension.begin(), ::tolower);
      if (it->is_regular_file() && std::find(kMediaExtensions.begin(), kMediaExtensions.end(),
                                             extension) != kMediaExtensions.end()) {
        files.push_back(fs::relative(it->path(), root).string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> output_files(const fs::path& dir) {
  std::vector<std::string> files;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(dir, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    // Hidden files are the engine's own (the journal, run.json's reserve), not outputs.
    if (it->is_regular_file() && it->path().filename().string().front() != '.') {
      files.push_back(fs::relative(it->path(), dir).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace fp::serve
