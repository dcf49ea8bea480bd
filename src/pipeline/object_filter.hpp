// ObjectFilter: which of a frame's objects a stage works on (the attributes stage's objects, the
// objects a detector searches `within:`), by class, size and score.
//
// YAML keys, each optional:
//   classes: [person]   # class names (default: every class)
//   min_size: 32        # least shorter side of the box, in pixels (default 0)
//   min_score: 0.5      # least detector score (default 0)
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/detection.hpp"
#include "core/yaml_config.hpp"

namespace fp::pipeline {

// A stage's `classes` list (empty when absent); an empty list is an Error saying what `verb`
// ("keep", "select") would do without the key.
Result<std::vector<std::string>> read_classes(const YamlMap& config, const std::string& verb);

struct ObjectFilter {
  std::set<std::string> classes;  // empty: all
  double min_size = 0;
  double min_score = 0;

  // Reads the keys above from `config` (an empty `classes` list is an Error).
  static Result<ObjectFilter> read(const YamlMap& config);
  // Why `object` is not selected ("predicted", "other_class", "too_small", "low_score"); empty
  // when it is. A tracker's prediction is never selected: no detector saw it in this frame.
  std::string skip_reason(const Detection& object) const;
};

}  // namespace fp::pipeline
