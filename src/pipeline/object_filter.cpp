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

Result<std::vector<std::string>> read_classes(const YamlMap& config, const std::string& verb) {
  std::vector<std::string> classes;
  FP_RETURN_IF_ERROR(config.read("classes", classes));
  if (config.has("classes") && classes.empty()) {
    // An empty list reads as "none" to some and "no filter" to others: say which.
    return config.error_at("classes", "'classes' is an empty list: name the classes to " + verb +
                                          " (e.g. [person]), or remove the key to " + verb +
                                          " all classes");
  }
  return classes;
}

Result<ObjectFilter> ObjectFilter::read(const YamlMap& config) {
  ObjectFilter filter;
  FP_ASSIGN_OR_RETURN(const std::vector<std::string> classes, read_classes(config, "select"));
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
