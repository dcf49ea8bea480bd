#include "pipeline/pipeline_config.hpp"

#include <set>

#include "core/yaml_config.hpp"
#include "infer/instance_plan.hpp"
#include "pipeline/cpu_budget.hpp"
#include "pipeline/stage_registry.hpp"

namespace fp::pipeline {

namespace {

constexpr double kMaxIoTimeout = 86400;  // seconds

Status read_source(const YamlMap& source, PipelineConfig& config) {
  FP_RETURN_IF_ERROR(source.check_keys({"stride", "fps", "start", "end", "queue", "decoder_threads",
                                        "io_timeout", "streams", "max_megapixels", "live"}));
  media::SamplingOptions& s = config.sampling;
  FP_RETURN_IF_ERROR(source.read("stride", s.stride));
  FP_RETURN_IF_ERROR(source.read("fps", s.fps));
  FP_RETURN_IF_ERROR(source.read("start", s.start));
  FP_RETURN_IF_ERROR(source.read("end", s.end));
  FP_RETURN_IF_ERROR(source.read("queue", config.queue_frames));
  FP_RETURN_IF_ERROR(source.read("decoder_threads", config.decoder_threads));
  FP_RETURN_IF_ERROR(source.read("io_timeout", config.io_timeout));
  FP_RETURN_IF_ERROR(source.read("streams", config.streams));
  double megapixels = static_cast<double>(config.max_pixels) / 1e6;
  FP_RETURN_IF_ERROR(source.read("max_megapixels", megapixels));
  // Written so that NaN fails it too.
  if (!(megapixels >= 0.01 && megapixels <= 10000)) {
    return source.error_at("max_megapixels",
                           "'max_megapixels' must be from 0.01 to 10000 (megapixels per image "
                           "or video frame)");
  }
  config.max_pixels = static_cast<int64_t>(megapixels * 1e6);
  if (source.has("live")) {
    // true | false (whether network inputs are live), or what live inputs do when processing
    // falls behind: drop_oldest | block (both declare them live).
    std::string live;
    FP_RETURN_IF_ERROR(source.read_one_of("live", live, {"true", "false", "drop_oldest", "block"}));
    config.live = live != "false";
    config.drop_oldest = live == "drop_oldest";
  }
  if (const auto problem = media::check_sampling(s)) {
    return source.error_at(problem->key, problem->message);
  }
  if (config.queue_frames < 1 || config.queue_frames > 1024) {
    return source.error_at("queue", "'queue' must be between 1 and 1024 frames");
  }
  if (config.decoder_threads < 0) {
    return source.error_at("decoder_threads", "'decoder_threads' must be 0 (auto) or more");
  }
  // Written so that NaN fails too; a day bounds the deadline arithmetic of stream reads.
  if (!(config.io_timeout > 0 && config.io_timeout <= kMaxIoTimeout)) {
    return source.error_at("io_timeout",
                           "'io_timeout' must be more than 0 and at most 86400 seconds (a day)");
  }
  if (config.streams < 1 || config.streams > 256) {
    return source.error_at("streams",
                           "'streams' must be between 1 and 256 (inputs read at the same time)");
  }
  return ok_status();
}

Status read_stages(const YAML::Node& stages, const std::string& file, PipelineConfig& config) {
  if (!stages.IsSequence() || stages.size() == 0) {
    return Error(yaml_location(file, stages.Mark()) +
                 ": 'stages' must be a list with at least one stage, e.g. '- detect: {model: "
                 "yolox_nano_416}'");
  }
  std::vector<graph::NodeSpec> chain;
  std::set<std::string> names;
  for (const YAML::Node& entry : stages) {
    if (!entry.IsMap() || entry.size() != 1 || !entry.begin()->first.IsScalar()) {
      return Error(yaml_location(file, entry.Mark()) +
                   ": each stage is a mapping with one key, its type (e.g. '- detect: {...}')");
    }
    const auto item = *entry.begin();
    const std::string type = item.first.Scalar();
    if (!is_registered_stage(type)) {
      return Error(yaml_location(file, item.first.Mark()) + ": unknown stage type '" + type +
                   "' (known: " + registered_stage_types() + ")");
    }
    // Each stage takes the one before it. Node names only tie the chain together here, so a
    // repeated stage type gets a number.
    graph::NodeSpec node;
    node.type = type;
    node.config = item.second;
    node.name = type;
    for (int n = 2; !names.insert(node.name).second; ++n)
      node.name = type + "#" + std::to_string(n);
    node.inputs = {chain.empty() ? std::string(graph::kFramesInput) : chain.back().name};
    node.where = yaml_location(file, entry.Mark());
    chain.push_back(std::move(node));
  }
  FP_ASSIGN_OR_RETURN(config.graph, graph::make_graph(std::move(chain), stage_node_types()));
  return ok_status();
}

// Starts the config from the profile (the flag's, else the file's) and lists the keys of the file
// that override it.
Status apply_profile(const YamlMap& top, const std::string& flag, PipelineConfig& config) {
  std::string name = flag;
  if (name.empty()) FP_RETURN_IF_ERROR(top.read("profile", name));
  if (name.empty()) return ok_status();
  auto profile = find_profile(name, available_cores());
  if (!profile.ok()) {
    if (!flag.empty()) return profile.error().with_context("--profile");
    return top.error_at("profile", profile.error().message());
  }
  config.profile = *profile;
  config.sampling.stride = profile->stride;
  config.sampling.fps = profile->fps;
  config.cpus = profile->cpus;
  config.detector_input_size = profile->input_size;
  // Only looked at here; wrong shapes are reported where the sections are read.
  auto map_has = [&](const char* section, const char* key) {
    return top.has(section) && top.node(section).IsMap() && top.node(section)[key];
  };
  for (const char* key : {"stride", "fps"}) {
    if (map_has("source", key)) config.overridden.push_back(std::string("source.") + key);
  }
  if (map_has("resources", "cpus")) config.overridden.push_back("resources.cpus");
  for (const char* list : {"stages", "nodes"}) {
    if (!top.has(list) || !top.node(list).IsSequence()) continue;  // reported where read
    for (const YAML::Node& entry : top.node(list)) {
      if (!entry.IsMap()) continue;
      for (const auto& item : entry) {
        if (item.second.IsMap() && item.second["input_size"]) {
          config.overridden.push_back(std::string(list) + "." + item.first.Scalar() +
                                      ".input_size");
        }
      }
    }
  }
  return ok_status();
}

// `outputs:`: a list of sink names, each alone or as a one-key mapping to its settings.
Result<std::vector<OutputSpec>> read_outputs(const YAML::Node& list, const std::string& path) {
  const std::string where = yaml_location(path, list.Mark());
  if (!list.IsSequence() || list.size() == 0) {
    return Error(where + ": 'outputs' must list the outputs to write, e.g. [detections, tracks]");
  }
  std::vector<OutputSpec> outputs;
  for (const YAML::Node& entry : list) {
    OutputSpec spec;
    spec.where = yaml_location(path, entry.Mark());
    if (entry.IsScalar()) {
      spec.name = entry.Scalar();
    } else if (entry.IsMap() && entry.size() == 1) {
      const auto item = *entry.begin();
      spec.name = item.first.Scalar();
      FP_ASSIGN_OR_RETURN(YamlMap settings,
                          YamlMap::from(item.second, path, "output '" + spec.name + "'"));
      spec.settings.emplace(std::move(settings));
    } else {
      return Error(spec.where +
                   ": an output is a name, or a name with its settings ('- video: {path: x.mp4}')");
    }
    for (const OutputSpec& earlier : outputs) {
      if (earlier.name == spec.name) {
        return Error(spec.where + ": output '" + spec.name + "' is listed twice (first at " +
                     earlier.where + ")");
      }
    }
    outputs.push_back(std::move(spec));
  }
  return outputs;
}

Result<PipelineConfig> read_pipeline_config(const YAML::Node& root, const std::string& path,
                                            const std::string& profile) {
  FP_ASSIGN_OR_RETURN(YamlMap top, YamlMap::from(root, path, "the pipeline"));
  FP_RETURN_IF_ERROR(top.check_keys(
      {"name", "profile", "source", "stages", "nodes", "outputs", "resources", "telemetry"}));
  PipelineConfig config;
  config.file = path;
  FP_RETURN_IF_ERROR(top.require("name", config.name));
  FP_RETURN_IF_ERROR(apply_profile(top, profile, config));
  if (top.has("source")) {
    FP_ASSIGN_OR_RETURN(YamlMap source, YamlMap::from(top.node("source"), path, "source"));
    FP_RETURN_IF_ERROR(read_source(source, config));
  }
  if (top.has("stages") == top.has("nodes")) {
    return top.error_at(top.has("nodes") ? "nodes" : nullptr,
                        "the pipeline needs 'stages' (a chain) or 'nodes' (a graph), one of them");
  }
  if (top.has("stages")) {
    FP_RETURN_IF_ERROR(read_stages(top.node("stages"), path, config));
  } else {
    FP_ASSIGN_OR_RETURN(config.graph,
                        graph::parse_graph(top.node("nodes"), path, stage_node_types()));
  }
  if (top.has("outputs")) {
    FP_ASSIGN_OR_RETURN(config.outputs, read_outputs(top.node("outputs"), path));
  }
  if (top.has("resources")) {
    FP_ASSIGN_OR_RETURN(YamlMap resources, YamlMap::from(top.node("resources"), path, "resources"));
    FP_RETURN_IF_ERROR(resources.check_keys({"cpus", "instances", "threads"}));
    for (auto [key, value] : {std::pair<const char*, int*>{"instances", &config.instances},
                              std::pair<const char*, int*>{"threads", &config.threads}}) {
      FP_RETURN_IF_ERROR(resources.read(key, *value));
      if (resources.has(key) && (*value < 1 || *value > 64)) {
        return resources.error_at(key, std::string("'") + key + "' must be from 1 to 64");
      }
    }
    FP_RETURN_IF_ERROR(resources.read("cpus", config.cpus));
    if (resources.has("cpus")) {
      FP_RETURN_IF_ERROR(
          check_cpu_budget(config.cpus, resources.where("cpus") + ": 'cpus' in resources"));
    }
    const int cores = config.cpus > 0 ? config.cpus : available_cores();
    if (const auto plan = infer::plan_from_config(cores, config.instances, config.threads);
        (config.instances > 0 || config.threads > 0) && !plan.ok()) {
      return resources.error_at(config.instances > 0 ? "instances" : "threads",
                                plan.error().message());
    }
  }
  if (top.has("telemetry")) {
    FP_ASSIGN_OR_RETURN(YamlMap telemetry, YamlMap::from(top.node("telemetry"), path, "telemetry"));
    FP_RETURN_IF_ERROR(telemetry.check_keys({"warmup_frames"}));
    // A warmup is the first few frames; a million (over 9 hours at 30 fps) leaves room for any
    // real one while a stray digit still fails.
    constexpr int64_t kMaxWarmupFrames = 1'000'000;
    int64_t warmup = config.warmup_frames;
    FP_RETURN_IF_ERROR(telemetry.read("warmup_frames", warmup));
    if (warmup < 0 || warmup > kMaxWarmupFrames) {
      return telemetry.error_at("warmup_frames", "'warmup_frames' must be from 0 to " +
                                                     std::to_string(kMaxWarmupFrames) + " (got " +
                                                     std::to_string(warmup) + ")");
    }
    config.warmup_frames = warmup;
  }
  return config;
}

}  // namespace

Result<PipelineConfig> load_pipeline_config(const std::string& path, const std::string& profile) {
  FP_ASSIGN_OR_RETURN(YAML::Node root, load_yaml_file(path));
  return with_code(read_pipeline_config(root, path, profile), ErrorCode::kInvalidConfig);
}

Result<PipelineConfig> parse_pipeline_config(const std::string& text, const std::string& file,
                                             const std::string& profile) {
  FP_ASSIGN_OR_RETURN(YAML::Node root, load_yaml_text(text, file));
  return with_code(read_pipeline_config(root, file, profile), ErrorCode::kInvalidConfig);
}

}  // namespace fp::pipeline
