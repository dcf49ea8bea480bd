#include "pipeline/object_filter.hpp"

#include <algorithm>
#include <vector>

namespace fp::pipeline {

namespace {

// A non-negative number key, kept when absent.
Status read_at_least_zero(const YamlMap& config, const char* key, double& out) {
  FP_RETURN_IF_ERROR(config.read(key, out));
  if (out < 0) return config.error_at(key, std::string("'") + key + "' must be 0 or more");
  return ok_status();
}

}  // namespace

Result<ObjectFilter> ObjectFilter::read(const YamlMap& config) {
  ObjectFilter filter;
  std::vector<std::string> classes;
  FP_RETURN_IF_ERROR(config.read("classes", classes));
  if (config.has("classes") && classes.empty()) {
    return config.error_at("classes",
                           "'classes' is an empty list: name the classes to select "
                           "(e.g. [person]), or remove the key to select all");
  }
  filter.classes.insert(classes.begin(), classes.end());
  FP_RETURN_IF_ERROR(read_at_least_zero(config, "min_size", filter.min_size));
  FP_RETURN_IF_ERROR(read_at_least_zero(config, "min_score", filter.min_score));
  return filter;
}

std::string ObjectFilter::skip_reason(const Detection& object) const {
  if (object.predicted) return "predicted";
  if (!classes.empty() && classes.count(object.label) == 0) return "other_class";
  if (std::min(object.box.width(), object.box.height()) < min_size) return "too_small";
  if (object.score < min_score) return "low_score";
  return "";
}

}  // namespace fp::pipeline
