#include "run/run_report.hpp"

#include <cstdio>

namespace fp::run {

namespace {

nlohmann::ordered_json input_json(const InputRecord& in, int stream) {
  const media::SourceReport& s = in.source;
  nlohmann::ordered_json j{{"stream", stream},
                           {"uri", in.info.uri},
                           {"kind", in.info.kind},
                           {"codec", in.info.codec},
                           {"width", in.info.width},
                           {"height", in.info.height},
                           {"fps", in.info.fps},
                           {"duration_s", in.info.duration},
                           {"live", in.info.live},
                           {"expected_frames", in.info.expected_frames},
                           {"frames_read", s.frames},
                           {"frames_processed", in.processed},
                           {"frames_skipped", in.skipped},
                           {"frames_dropped", in.dropped},
                           {"decode_errors", s.decode_errors},
                           {"lost_frames", s.lost_frames},
                           {"damaged_images", s.damaged_images},
                           {"ignored_files", s.ignored_files},
                           {"truncated", s.truncated},
                           {"last_good_frame", s.last_good_frame},
                           {"last_good_pts", s.last_good_pts}};
  nlohmann::ordered_json ranges = nlohmann::ordered_json::array();
  for (const media::DamagedRange& r : s.damaged_ranges) {
    ranges.push_back({{"first_frame", r.first_frame},
                      {"last_frame", r.last_frame},
                      {"frames", r.last_frame - r.first_frame + 1},
                      {"first_pts", r.first_pts},
                      {"last_pts", r.last_pts}});
  }
  j["damaged_ranges"] = std::move(ranges);
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const media::DamagedFile& f : s.damaged_files) {
    files.push_back({{"file", f.file}, {"problem", f.problem}});
  }
  if (!files.empty()) j["damaged_files"] = std::move(files);
  j["damaged_range_count"] = s.damaged_range_count;  // all of them; the list keeps the first 100
  j["last_error"] =
      s.last_error.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(s.last_error);
  j["error"] = in.error.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(in.error);
  return j;
}

// While the run goes the decode threads own their records: only the main thread's counts show.
nlohmann::ordered_json running_input_json(const InputRecord& in, int stream) {
  return {{"stream", stream},
          {"uri", in.info.uri},
          {"frames_processed", in.processed},
          {"frames_skipped", in.skipped}};
}

const telemetry::StageTimings::Stage* find_timing(
    const std::vector<telemetry::StageTimings::Stage>& stages, const std::string& name) {
  for (const auto& stage : stages) {
    if (stage.name == name) return &stage;
  }
  return nullptr;
}

// Per join, over steady state: the end-to-end latency of the frames published (decoded to handed
// to the outputs), and what its policy costs them: STRICT_SYNC's wait for the last branch,
// ASYNC_OVERLAY's lag (how old, in stream time, the latest result laid over a frame was),
// RAW_STREAM_WITH_METADATA's latency of the results published on their own.
nlohmann::ordered_json fusion_json(const std::vector<JoinRecord>& joins,
                                   const telemetry::StageTimings& timings) {
  const std::vector<telemetry::StageTimings::Stage> stages = timings.stages();
  auto steady = [&](const std::string& name) {
    const auto* stage = find_timing(stages, name);
    return stage ? telemetry::to_json(stage->latency.steady)
                 : telemetry::to_json(telemetry::LatencySummary{});
  };
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const JoinRecord& join : joins) {
    nlohmann::ordered_json j{{"join", join.name},
                             {"policy", graph::to_string(join.policy)},
                             {"inputs", join.inputs},
                             {"latency", steady("latency")}};
    switch (join.policy) {
      case graph::JoinPolicy::kStrictSync:
        j["fusion_wait"] = steady(join.name + ".wait");
        break;
      case graph::JoinPolicy::kAsyncOverlay:
        j["overlay_lag"] = steady(join.name + ".lag");
        break;
      case graph::JoinPolicy::kRawStream:
        j["metadata_latency"] = steady(join.name + ".metadata_latency");
        break;
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

void describe_run(const pipeline::PipelineConfig& config, RunFacts& facts) {
  facts.pipeline = config.name;
  facts.config_file = config.file;
  facts.sampling = {{"stride", config.sampling.stride},
                    {"fps", config.sampling.fps},
                    {"start", config.sampling.start},
                    {"end", config.sampling.end}};
  facts.profile = profile_json(config, nlohmann::ordered_json::array());
  facts.joins.clear();
  for (const graph::NodeSpec& node : config.graph.nodes) {
    if (node.is_join()) facts.joins.push_back({node.name, node.policy, node.inputs});
  }
}

nlohmann::ordered_json profile_json(const pipeline::PipelineConfig& config,
                                    const nlohmann::ordered_json& stages) {
  if (config.profile.name.empty()) return nullptr;
  nlohmann::ordered_json effective = {
      {"stride", config.sampling.stride}, {"fps", config.sampling.fps}, {"cpus", config.cpus}};
  for (const auto& stage : stages) {
    if (stage.contains("input_size"))
      effective[stage["name"].get<std::string>() + ".input_size"] = stage["input_size"];
  }
  return {{"name", config.profile.name},
          {"values", config.profile.to_json()},
          {"overridden", config.overridden},
          {"effective", effective}};
}

nlohmann::ordered_json build_run_report(const RunFacts& f, const telemetry::StageTimings& timings) {
  const double cpu = f.usage_at_end.cpu_seconds - f.usage_at_start.cpu_seconds;
  const double wall = f.setup_seconds + f.processing_seconds;
  nlohmann::ordered_json report{
      {"framepipe_version", FRAMEPIPE_VERSION},
      {"pipeline", f.pipeline},
      {"config_file", f.config_file},
      {"status", f.status},
      {"frames", f.frames},
      {"frames_processed", f.processed},
      {"setup_seconds", f.setup_seconds},
      {"processing_seconds", f.processing_seconds},
      {"time_to_first_result_seconds", f.first_result_seconds < 0
                                           ? nlohmann::ordered_json()
                                           : nlohmann::ordered_json(f.first_result_seconds)},
      {"fps",
       f.processing_seconds > 0 ? static_cast<double>(f.processed) / f.processing_seconds : 0},
      {"cpu_seconds", cpu},
      {"cpu_percent", wall > 0 ? 100.0 * cpu / wall : 0},
      {"cpu_cores_used", wall > 0 ? cpu / wall : 0},  // CPU time / wall time: what a budget caps
      {"profile", f.profile},
      {"resources", f.resources},
      {"engine", f.engine},
      {"models", f.models},
      {"peak_rss_mb", static_cast<double>(f.usage_at_end.peak_rss_bytes) / (1024.0 * 1024.0)},
      {"warmup_frames", timings.warmup_frames()},
      {"stage_timings", timings.to_json()},
      {"stages", f.stages},
      {"fusion", fusion_json(f.joins, timings)},
      {"sampling", f.sampling},
      {"outputs", f.outputs}};
  report["error"] = f.error.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(f.error);
  // What kind of failure (result.hpp's ErrorCode), and whether running the job again may help.
  if (f.error_code) {
    report["error_code"] = to_string(*f.error_code);
    report["retryable"] = retryable(*f.error_code);
  }
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  const bool running = f.status == "running";
  for (size_t i = 0; i < f.inputs.size(); ++i) {
    const int stream = static_cast<int>(i);
    inputs.push_back(running ? running_input_json(f.inputs[i], stream)
                             : input_json(f.inputs[i], stream));
  }
  report["inputs"] = std::move(inputs);
  nlohmann::ordered_json queues = nlohmann::ordered_json::array();
  for (const QueueRecord& q : f.queues) {
    queues.push_back({{"name", q.name}, {"capacity", q.capacity}, {"high_water", q.high_water}});
  }
  report["queues"] = std::move(queues);
  return report;
}

std::string format_summary(const nlohmann::ordered_json& r,
                           const telemetry::StageTimings& timings) {
  char line[512];
  std::string out;
  std::snprintf(line, sizeof(line),
                "%s: %s, %lld frames (%lld processed) in %.2f s: %.1f fps, setup %.2f s, "
                "CPU %.0f%%, peak RSS %.0f MiB\n",
                r["pipeline"].get<std::string>().c_str(), r["status"].get<std::string>().c_str(),
                r["frames"].get<long long>(), r["frames_processed"].get<long long>(),
                r["processing_seconds"].get<double>(), r["fps"].get<double>(),
                r["setup_seconds"].get<double>(), r["cpu_percent"].get<double>(),
                r["peak_rss_mb"].get<double>());
  out += line;
  if (r["engine"].contains("plan") && r["engine"]["plan"].is_object()) {
    out += "plan: " + r["engine"]["plan"]["summary"].get<std::string>() + "\n";
  }
  for (const auto& m : r["models"]) {
    std::string sizes;
    for (const auto& [size, count] : m["batch_sizes"].items()) {
      sizes += " " + size + ":" + std::to_string(count.get<int64_t>());
    }
    std::snprintf(line, sizeof(line),
                  "model %s: %lld requests in %lld batches (batch sizes%s), queue wait p50 %.1f "
                  "ms, batch run p50 %.1f ms, queue high-water %lld of %lld\n",
                  m["model"].get<std::string>().c_str(), m["requests"].get<long long>(),
                  m["batches"].get<long long>(), sizes.c_str(),
                  m["queue_wait"]["p50_ms"].get<double>(), m["run"]["p50_ms"].get<double>(),
                  m["queue_high_water"].get<long long>(), m["queue_capacity"].get<long long>());
    out += line;
  }
  out += timings.to_table();
  for (const auto& in : r["inputs"]) {
    if (in["decode_errors"].get<int64_t>() == 0 && in["frames_skipped"].get<int64_t>() == 0 &&
        in["damaged_images"].get<int64_t>() == 0 && !in["truncated"].get<bool>() &&
        in["error"].is_null()) {
      continue;
    }
    std::snprintf(line, sizeof(line),
                  "input %s: %lld decode errors, %lld frames skipped (%lld lost), %lld damaged "
                  "images, %lld damaged ranges%s; last good frame %lld (%.2f s); last error: %s\n",
                  in["uri"].get<std::string>().c_str(), in["decode_errors"].get<long long>(),
                  in["frames_skipped"].get<long long>(), in["lost_frames"].get<long long>(),
                  in["damaged_images"].get<long long>(), in["damaged_range_count"].get<long long>(),
                  in["truncated"].get<bool>() ? ", input ends early (truncated)" : "",
                  in["last_good_frame"].get<long long>(), in["last_good_pts"].get<double>(),
                  in["error"].is_string()        ? in["error"].get<std::string>().c_str()
                  : in["last_error"].is_string() ? in["last_error"].get<std::string>().c_str()
                                                 : "-");
    out += line;
  }
  if (r["error"].is_string()) out += "error: " + r["error"].get<std::string>() + "\n";
  return out;
}

}  // namespace fp::run
