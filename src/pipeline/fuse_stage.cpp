#include "pipeline/fuse_stage.hpp"

#include <map>
#include <utility>
#include <vector>

#include "pipeline/object_filter.hpp"

namespace fp::pipeline {

Result<std::unique_ptr<Stage>> FuseStage::create(const StageContext& context) {
  const YamlMap& config = context.config;
  FP_RETURN_IF_ERROR(config.check_keys({"classes", "merge", "match", "threshold"}));
  if (context.detector == nullptr) {
    return config.error_at(nullptr, "node '" + context.name +
                                        "' fuses the boxes of detectors: put one or more "
                                        "detect nodes (joined) before it");
  }
  auto stage = std::make_unique<FuseStage>();
  stage->name_ = context.name;
  FP_ASSIGN_OR_RETURN(const std::vector<std::string> classes, read_classes(config, "merge"));
  stage->classes_.insert(classes.begin(), classes.end());
  FP_RETURN_IF_ERROR(stage->merge_.read(config));
  return std::unique_ptr<Stage>(std::move(stage));
}

Status FuseStage::process(FrameResult& item) {
  if (!item.aligned_faces.empty()) {
    return Error("node '" + name_ + "' must come before the faces nodes: it reorders the objects");
  }
  const auto start = SteadyClock::now();
  // By class name, not id: two models may number the same class differently.
  std::map<std::string, std::vector<Detection>> by_class;
  std::vector<Detection> out;
  for (Detection& object : item.detections) {
    if (classes_.empty() || classes_.count(object.label)) {
      by_class[object.label].push_back(std::move(object));
    } else {
      out.push_back(std::move(object));
    }
  }
  const size_t before = item.detections.size();
  for (auto& [label, objects] : by_class) {
    for (Detection& kept : merge_.apply(std::move(objects))) out.push_back(std::move(kept));
  }
  std::set<int64_t> ids;
  for (const Detection& object : out) ids.insert(object.id);
  for (Detection& object : out) {
    if (object.parent != 0 && ids.count(object.parent) == 0) object.parent = 0;
  }
  merged_ += static_cast<int64_t>(before - out.size());
  item.detections = std::move(out);
  item.add_timing(name_ + ".merge", start);
  return ok_status();
}

nlohmann::ordered_json FuseStage::report() const {
  nlohmann::ordered_json r{{"classes", classes_}, {"merged", merged_.load()}};
  r.update(merge_.to_json());
  return r;
}

}  // namespace fp::pipeline
