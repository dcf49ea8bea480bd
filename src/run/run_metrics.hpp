// RunMetrics: what the runner counts while a run goes, kept in the run's MetricsRegistry (frames
// per stream, stage latencies, queue depths) so that run.json, the progress line and Prometheus
// all read the same numbers (the graph's per-node counts follow its executor's, see update_nodes).
// The handles are taken once, before the run starts; the main thread records (it writes the
// frames), any thread may read the registry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/executor.hpp"
#include "run/run_report.hpp"
#include "telemetry/metrics.hpp"
#include "telemetry/stage_timings.hpp"

namespace fp::run {

class RunMetrics {
 public:
  RunMetrics(telemetry::MetricsRegistry& registry, size_t streams, int64_t warmup_frames);

  // A row written for `stream`: a processed frame, or a skip row.
  void count_frame(int stream, bool skipped);
  int64_t frames() const;     // rows written
  int64_t processed() const;  // frames that went through the stages
  telemetry::StageTimings& timings() { return timings_; }
  const telemetry::StageTimings& timings() const { return timings_; }

  // A bounded queue of the run, by name; returns its index for update_queue.
  size_t add_queue(const std::string& name, size_t capacity);
  void update_queue(size_t queue, size_t depth, size_t high_water);

  // The graph's nodes, in order; update_nodes brings their framepipe_node_*_total counters up to
  // the executor's counts (kept under its own locks, so read only now and then).
  void add_nodes(const graph::GraphSpec& graph);
  void update_nodes(const std::vector<graph::NodeCounts>& counts);

  // Sets facts' frame counts, each input's processed and skipped frames (`inputs` must have one
  // record per stream) and the queues.
  void fill(RunFacts& facts) const;

 private:
  struct Stream {
    telemetry::Counter* processed;
    telemetry::Counter* skipped;
  };
  struct Queue {
    std::string name;
    size_t capacity;
    telemetry::Gauge* depth;
    telemetry::Gauge* high_water;
  };
  struct Node {
    telemetry::Counter* ran;
    telemetry::Counter* passed;
    telemetry::Counter* dropped;
  };
  telemetry::MetricsRegistry& registry_;
  std::vector<Stream> streams_;
  std::vector<Node> nodes_;
  std::vector<Queue> queues_;
  telemetry::StageTimings timings_;
};

}  // namespace fp::run
