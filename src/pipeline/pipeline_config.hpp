// PipelineConfig: a pipeline YAML file (see examples/), checked before any work.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/yaml_config.hpp"
#include "graph/graph_spec.hpp"
#include "media/sampler.hpp"
#include "pipeline/profiles.hpp"

namespace fp::pipeline {

// One entry of `outputs:`: a sink's name, and its settings when written `- name: {key: value}`.
struct OutputSpec {
  std::string name;
  std::optional<YamlMap> settings;
  std::string where;  // file:line:column of the entry
};

struct PipelineConfig {
  std::string file;
  std::string name;
  media::SamplingOptions sampling;
  int queue_frames = 8;              // frames in flight between threads; bounds memory
  int decoder_threads = 0;           // FFmpeg decoder threads; 0 lets FFmpeg choose
  double io_timeout = 10;            // seconds a stream may stay silent before it counts as ended
  int streams = 8;                   // inputs read at the same time, each on its own decode thread
  int64_t max_pixels = 100'000'000;  // source.max_megapixels: larger images and frames are refused
  std::optional<bool> live;          // source.live; unset: a stream is live when it has no duration
  // source.live: drop_oldest: a live input's newest frame replaces its oldest waiting one when
  // processing falls behind (counted as dropped); otherwise its reading waits (block). Files,
  // images and streams that are not live are never dropped.
  bool drop_oldest = false;
  // Its nodes: the `stages:` chain or the `nodes:` graph; each node's mapping is read by its
  // stage factory when the pipeline is built.
  graph::GraphSpec graph;
  // The sinks `outputs:` lists, in its order (checked against outputs/sink_registry.hpp when the
  // run starts); unset when the file has no `outputs:`, so each stage's usual outputs are written.
  std::optional<std::vector<OutputSpec>> outputs;
  int cpus = 0;               // CPU budget (resources.cpus); 0: no budget
  int instances = 0;          // model instances side by side (resources.instances); 0: planned
  int threads = 0;            // OpenCV threads per instance (resources.threads); 0: planned
  int64_t warmup_frames = 5;  // first frames reported apart from steady state
  // The profile the values started from (see profiles.hpp); name empty when none.
  Profile profile;
  cv::Size detector_input_size;         // from the profile; empty: each model's own
  std::vector<std::string> overridden;  // keys set over the profile ("source.stride", "--cpus")
  std::string gallery;                  // --gallery DIR for the faces stage; empty: its own
  std::string backend;                  // --backend NAME for every model; empty: each stage's
};

// Reads and checks a pipeline file: unknown keys, wrong types and bad values are Errors that name
// file:line:column. Stage mappings are checked by their factories when the pipeline is built.
// `profile`, when not empty, replaces the file's `profile:` (the --profile flag).
Result<PipelineConfig> load_pipeline_config(const std::string& path,
                                            const std::string& profile = "");
// The same checks for pipeline YAML held in memory; `file` names it in messages.
Result<PipelineConfig> parse_pipeline_config(const std::string& text, const std::string& file,
                                             const std::string& profile = "");

}  // namespace fp::pipeline
