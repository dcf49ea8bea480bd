#include "pipeline/stage_registry.hpp"

#include <map>
#include <vector>

#include "core/strings.hpp"
#include "pipeline/detect_stage.hpp"
#include "pipeline/faces_stage.hpp"
#include "pipeline/track_stage.hpp"

namespace fp::pipeline {

namespace {

using StageFactory = Result<std::unique_ptr<Stage>> (*)(const StageContext&);

// One line per stage type.
const std::map<std::string, StageFactory>& factories() {
  static const std::map<std::string, StageFactory> table = {
      {"detect", &DetectStage::create},
      {"faces", &FacesStage::create},
      {"track", &TrackStage::create},
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

Result<std::unique_ptr<Stage>> create_stage(const std::string& type, const StageContext& context) {
  const auto it = factories().find(type);
  if (it == factories().end()) return Error("unknown stage type '" + type + "'");
  return it->second(context);
}

}  // namespace fp::pipeline
