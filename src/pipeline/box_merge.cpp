#include "pipeline/box_merge.hpp"

#include <string>

namespace fp::pipeline {

Status BoxMerge::read(const YamlMap& map) {
  std::string merge = method == vision::MergeMethod::kNms ? "nms" : "nmm";
  std::string overlap = match == vision::Overlap::kIou ? "iou" : "ios";
  FP_RETURN_IF_ERROR(map.read_one_of("merge", merge, {"nms", "nmm"}));
  FP_RETURN_IF_ERROR(map.read_one_of("match", overlap, {"iou", "ios"}));
  method = merge == "nms" ? vision::MergeMethod::kNms : vision::MergeMethod::kNmm;
  match = overlap == "iou" ? vision::Overlap::kIou : vision::Overlap::kIos;
  FP_RETURN_IF_ERROR(map.read("threshold", threshold));
  if (!(threshold > 0 && threshold < 1)) {
    return map.error_at("threshold", "'threshold' must be between 0 and 1");
  }
  return ok_status();
}

nlohmann::ordered_json BoxMerge::to_json() const {
  return {{"merge", method == vision::MergeMethod::kNms ? "nms" : "nmm"},
          {"match", match == vision::Overlap::kIou ? "iou" : "ios"},
          {"threshold", threshold}};
}

}  // namespace fp::pipeline
