// The stage types a pipeline YAML can name, and how each is built.
#pragma once

#include <memory>
#include <string>

#include "graph/graph_spec.hpp"
#include "pipeline/stage.hpp"

namespace fp::pipeline {

bool is_registered_stage(const std::string& type);
// Comma-separated, for error messages.
std::string registered_stage_types();
// Whether a stage of this type with this mapping follows each stream in order (Stage::in_order).
bool is_stateful_stage(const std::string& type, const YAML::Node& config);
// The stage types as graph/ sees them.
graph::NodeTypes stage_node_types();
Result<std::unique_ptr<Stage>> create_stage(const std::string& type, const StageContext& context);

}  // namespace fp::pipeline
