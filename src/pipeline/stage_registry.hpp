// The stage types a pipeline YAML can name, and how each is built.
#pragma once

#include <memory>
#include <string>

#include "pipeline/stage.hpp"

namespace fp::pipeline {

bool is_registered_stage(const std::string& type);
// Comma-separated, for error messages.
std::string registered_stage_types();
Result<std::unique_ptr<Stage>> create_stage(const std::string& type, const StageContext& context);

}  // namespace fp::pipeline
