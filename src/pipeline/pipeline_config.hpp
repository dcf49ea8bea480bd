// PipelineConfig: a pipeline YAML file (see examples/), checked before any work.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/sampler.hpp"

namespace fp::pipeline {

struct StageEntry {
  std::string type;   // registered stage type, e.g. "detect"
  YAML::Node config;  // its mapping, read by the stage factory
};

struct PipelineConfig {
  std::string file;
  std::string name;
  media::SamplingOptions sampling;
  int queue_frames = 8;     // frames in flight between threads; bounds memory
  int decoder_threads = 0;  // FFmpeg decoder threads; 0 lets FFmpeg choose
  double io_timeout = 10;   // seconds a stream may stay silent before it counts as ended
  std::vector<StageEntry> stages;
  int cpus = 0;               // CPU budget (resources.cpus); 0: no budget
  int workers = 1;            // parallel copies of the stage chain, each with its own models
  int64_t warmup_frames = 5;  // first frames reported apart from steady state
};

// Reads and checks a pipeline file: unknown keys, wrong types and bad values are Errors that name
// file:line:column. Stage mappings are checked by their factories when the pipeline is built.
Result<PipelineConfig> load_pipeline_config(const std::string& path);

}  // namespace fp::pipeline
