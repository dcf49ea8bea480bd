#include "pipeline/count_stage.hpp"

#include <array>
#include <set>

#include "pipeline/object_filter.hpp"

namespace fp::pipeline {

namespace {

std::vector<count::Point> to_points(const std::vector<std::array<double, 2>>& xy) {
  std::vector<count::Point> points;
  for (const auto& [x, y] : xy) points.emplace_back(static_cast<float>(x), static_cast<float>(y));
  return points;
}

// The entries of the list under `key` (`what` names one in messages: "zone"), each a mapping.
Result<std::vector<YamlMap>> read_entries(const YamlMap& config, const char* key,
                                          const std::string& what) {
  std::vector<YamlMap> entries;
  if (!config.has(key)) return entries;
  const YAML::Node list = config.node(key);
  if (!list.IsSequence()) {
    return config.error_at(key, std::string("'") + key + "' must be a list of " + what +
                                    "s, each a mapping with a 'name'");
  }
  for (const YAML::Node& entry : list) {
    FP_ASSIGN_OR_RETURN(YamlMap map, YamlMap::from(entry, config.file(), what));
    entries.push_back(std::move(map));
  }
  return entries;
}

// The `name` of a zone or line, unique among the stage's zones and lines (`names`).
Result<std::string> read_name(const YamlMap& entry, const std::string& what,
                              std::set<std::string>& names) {
  std::string name;
  FP_RETURN_IF_ERROR(entry.require("name", name));
  if (name.empty()) return entry.error_at("name", "a " + what + "'s 'name' must not be empty");
  if (!names.insert(name).second) {
    return entry.error_at("name", "the name '" + name +
                                      "' is taken by another zone or line of this stage: each "
                                      "needs its own name");
  }
  return name;
}

Result<count::Zone> read_zone(const YamlMap& entry, std::set<std::string>& names) {
  FP_RETURN_IF_ERROR(entry.check_keys({"name", "polygon"}));
  count::Zone zone;
  FP_ASSIGN_OR_RETURN(zone.name, read_name(entry, "zone", names));
  std::vector<std::array<double, 2>> polygon;
  FP_RETURN_IF_ERROR(entry.read("polygon", polygon));
  if (polygon.size() < 3) {
    return entry.error_at(
        entry.has("polygon") ? "polygon" : nullptr,
        "zone '" + zone.name + "' needs a 'polygon' of at least 3 points [x, y], in pixels");
  }
  zone.polygon = to_points(polygon);
  return zone;
}

Result<count::Line> read_line(const YamlMap& entry, std::set<std::string>& names) {
  FP_RETURN_IF_ERROR(entry.check_keys({"name", "points", "in"}));
  count::Line line;
  FP_ASSIGN_OR_RETURN(line.name, read_name(entry, "line", names));
  std::vector<std::array<double, 2>> xy;
  FP_RETURN_IF_ERROR(entry.read("points", xy));
  if (xy.size() != 2 || xy[0] == xy[1]) {
    return entry.error_at(
        entry.has("points") ? "points" : nullptr,
        "line '" + line.name + "' needs 'points': its two different ends [[x1, y1], [x2, y2]]");
  }
  const std::vector<count::Point> points = to_points(xy);
  line.from = points[0];
  line.to = points[1];
  std::string in = "left_to_right";
  FP_RETURN_IF_ERROR(entry.read_one_of("in", in, {"left_to_right", "right_to_left"}));
  line.in = in == "left_to_right" ? count::Direction::kLeftToRight : count::Direction::kRightToLeft;
  return line;
}

}  // namespace

Result<std::unique_ptr<Stage>> CountStage::create(const StageContext& context) {
  const YamlMap& config = context.config;
  FP_RETURN_IF_ERROR(config.check_keys({"name", "anchor", "classes", "zones", "lines"}));
  FP_RETURN_IF_ERROR(context.require_tracked("counts tracks"));
  std::unique_ptr<CountStage> stage(new CountStage());
  stage->name_ = context.name;
  count::CounterOptions& options = stage->options_;
  std::string anchor = "bottom_center";
  FP_RETURN_IF_ERROR(config.read_one_of("anchor", anchor, {"bottom_center", "center"}));
  options.anchor = anchor == "center" ? count::Anchor::kCenter : count::Anchor::kBottomCenter;
  FP_ASSIGN_OR_RETURN(const std::vector<std::string> classes, read_classes(config, "count"));
  options.classes.insert(classes.begin(), classes.end());
  std::set<std::string> names;
  FP_ASSIGN_OR_RETURN(const std::vector<YamlMap> zones, read_entries(config, "zones", "zone"));
  for (const YamlMap& entry : zones) {
    FP_ASSIGN_OR_RETURN(count::Zone zone, read_zone(entry, names));
    options.zones.push_back(std::move(zone));
  }
  FP_ASSIGN_OR_RETURN(const std::vector<YamlMap> lines, read_entries(config, "lines", "line"));
  for (const YamlMap& entry : lines) {
    FP_ASSIGN_OR_RETURN(count::Line line, read_line(entry, names));
    options.lines.push_back(std::move(line));
  }
  if (names.empty()) {
    return config.error_at(nullptr, "stage '" + context.name +
                                        "' has nothing to count: give it 'zones', 'lines' or both");
  }
  return std::unique_ptr<Stage>(std::move(stage));
}

Status CountStage::process(FrameResult& item) {
  const auto start = SteadyClock::now();
  count::Counter& counter = counters_.try_emplace(item.frame.stream, options_).first->second;
  count::Counts counts = counter.update(item.detections);
  counter.forget(item.ended_tracks);
  item.counts.append(std::move(counts));
  item.add_timing(name_, start);
  return ok_status();
}

nlohmann::ordered_json CountStage::report() const {
  nlohmann::ordered_json streams = nlohmann::ordered_json::array();
  for (const auto& [stream, counter] : counters_) {
    nlohmann::ordered_json totals{{"stream", stream}};
    totals.update(count::counts_json(counter.counts()));
    streams.push_back(std::move(totals));
  }
  return {{"anchor", options_.anchor == count::Anchor::kCenter ? "center" : "bottom_center"},
          {"counts", std::move(streams)}};
}

}  // namespace fp::pipeline
