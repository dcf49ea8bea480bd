// Fuzz target: pipeline YAML (pipeline::parse_pipeline_config). Any text either fails with an error
// that names the file, or gives a config whose values the rest of the engine can rely on; the
// sampling of an accepted config is then run over a short timeline, which must end.
#include <cmath>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "media/sampler.hpp"
#include "pipeline/pipeline_config.hpp"
#include "pipeline/stage_registry.hpp"

namespace {

constexpr const char* kFile = "fuzz.yaml";

void check_accepted(const fp::pipeline::PipelineConfig& config) {
  const fp::media::SamplingOptions& s = config.sampling;
  FUZZ_CHECK(s.stride >= 1);
  FUZZ_CHECK(std::isfinite(s.fps) && s.fps >= 0);
  FUZZ_CHECK(std::isfinite(s.start) && s.start >= 0);
  FUZZ_CHECK(std::isfinite(s.end) && (s.end == 0 || s.end > s.start));
  FUZZ_CHECK(config.queue_frames >= 1 && config.queue_frames <= 1024);
  FUZZ_CHECK(config.streams >= 1 && config.streams <= 256);
  FUZZ_CHECK(config.decoder_threads >= 0);
  FUZZ_CHECK(std::isfinite(config.io_timeout) && config.io_timeout > 0);
  FUZZ_CHECK(config.cpus >= 0);
  FUZZ_CHECK(config.instances >= 0 && config.instances <= 64);
  FUZZ_CHECK(config.threads >= 0 && config.threads <= 64);
  FUZZ_CHECK(config.warmup_frames >= 0);
  const fp::graph::GraphSpec& graph = config.graph;
  FUZZ_CHECK(!graph.nodes.empty());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const fp::graph::NodeSpec& node = graph.nodes[i];
    FUZZ_CHECK(node.is_join() || fp::pipeline::is_registered_stage(node.type));
    // Topological, with one end: each input comes earlier, and every node but the last feeds one.
    for (const std::string& input : node.inputs) {
      const int from = graph.index_of(input);
      FUZZ_CHECK(from >= -1 && from < static_cast<int>(i));
    }
    FUZZ_CHECK(i + 1 == graph.nodes.size() || !graph.consumers(static_cast<int>(i)).empty());
  }
}

// Ten seconds of 30 fps video, then a jump far ahead as a damaged file's timestamps may make.
void run_sampling(const fp::media::SamplingOptions& options) {
  fp::media::Sampler sampler(options);
  for (int64_t index = 0; index < 300; ++index) {
    const double pts = static_cast<double>(index) / 30;
    sampler.accept(index, pts);
    if (sampler.finished(pts)) break;
  }
  sampler.accept(300, 1e12);
  FUZZ_CHECK(sampler.estimate(300, 30) <= 300);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto config = fp::pipeline::parse_pipeline_config(text, kFile);
  if (!config.ok()) {
    // A bad config fails before any work, with file:line (DESIGN.md "Errors and bad input").
    FUZZ_CHECK(config.error().message().rfind(kFile, 0) == 0);
    return 0;
  }
  check_accepted(*config);
  run_sampling(config->sampling);
  return 0;
}
