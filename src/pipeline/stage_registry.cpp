#include "pipeline/stage_registry.hpp"

#include <map>
#include <vector>

#include "core/strings.hpp"
#include "pipeline/attributes_stage.hpp"
#include "pipeline/count_stage.hpp"
#include "pipeline/detect_stage.hpp"
#include "pipeline/face_select_stage.hpp"
#include "pipeline/faces_stage.hpp"
#include "pipeline/fuse_stage.hpp"
#include "pipeline/track_stage.hpp"

namespace fp::pipeline {

namespace {

struct StageType {
  Result<std::unique_ptr<Stage>> (*create)(const StageContext&);
  // Whether a stage of the type with that mapping follows each stream in order (a tracker).
  bool (*stateful)(const YAML::Node& config);
};

bool never(const YAML::Node&) { return false; }
bool always(const YAML::Node&) { return true; }
bool with_per_track(const YAML::Node& config) { return config.IsMap() && config["per_track"]; }

// One line per stage type.
const std::map<std::string, StageType>& factories() {
  static const std::map<std::string, StageType> table = {
      {"attributes", {&AttributesStage::create, with_per_track}},
      {"count", {&CountStage::create, always}},
      {"detect", {&DetectStage::create, never}},
      {"face_select", {&FaceSelectStage::create, always}},
      {"faces", {&FacesStage::create, never}},
      {"fuse", {&FuseStage::create, never}},
      {"track", {&TrackStage::create, always}},
  };
  return table;
}

}  // namespace

bool is_registered_stage(const std::string& type) { return factories().count(type) > 0; }

std::string registered_stage_types() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories()) names.push_back(name);
  return join(names);
}

bool is_stateful_stage(const std::string& type, const YAML::Node& config) {
  const auto it = factories().find(type);
  return it != factories().end() && it->second.stateful(config);
}

graph::NodeTypes stage_node_types() {
  return {&is_registered_stage, &is_stateful_stage, registered_stage_types()};
}

Result<std::unique_ptr<Stage>> create_stage(const std::string& type, const StageContext& context) {
  const auto it = factories().find(type);
  if (it == factories().end()) return Error("unknown stage type '" + type + "'");
  FP_ASSIGN_OR_RETURN(auto stage, it->second.create(context));
  const bool stateful = it->second.stateful(context.config.mapping());
  if (stage->in_order() != stateful) {
    return Error("internal: stage type '" + type + "' is registered as " +
                 (stateful ? "stateful" : "stateless") + " but its stage says otherwise");
  }
  return stage;
}

}  // namespace fp::pipeline
