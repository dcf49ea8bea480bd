#include "run/run_metrics.hpp"

namespace fp::run {

RunMetrics::RunMetrics(telemetry::MetricsRegistry& registry, size_t streams, int64_t warmup_frames)
    : registry_(registry), timings_(registry, warmup_frames) {
  const std::string help = "Rows written per stream: processed frames, or skip rows";
  for (size_t i = 0; i < streams; ++i) {
    const std::string stream = std::to_string(i);
    streams_.push_back({&registry.counter("framepipe_frames_total",
                                          {{"stream", stream}, {"outcome", "processed"}}, help),
                        &registry.counter("framepipe_frames_total",
                                          {{"stream", stream}, {"outcome", "skipped"}}, help)});
  }
}

void RunMetrics::count_frame(int stream, bool skipped) {
  const Stream& s = streams_[stream];
  (skipped ? s.skipped : s.processed)->add();
}

int64_t RunMetrics::frames() const {
  int64_t n = 0;
  for (const Stream& s : streams_) n += s.processed->value() + s.skipped->value();
  return n;
}

int64_t RunMetrics::processed() const {
  int64_t n = 0;
  for (const Stream& s : streams_) n += s.processed->value();
  return n;
}

size_t RunMetrics::add_queue(const std::string& name, size_t capacity) {
  const telemetry::Labels labels{{"queue", name}};
  registry_.gauge("framepipe_queue_capacity", labels, "Items a queue of the run holds at most")
      .set(static_cast<int64_t>(capacity));
  queues_.push_back(
      {name, capacity, &registry_.gauge("framepipe_queue_depth", labels, "Items in a queue now"),
       &registry_.gauge("framepipe_queue_high_water", labels, "Most items a queue held")});
  return queues_.size() - 1;
}

void RunMetrics::update_queue(size_t queue, size_t depth, size_t high_water) {
  queues_[queue].depth->set(static_cast<int64_t>(depth));
  queues_[queue].high_water->raise_to(static_cast<int64_t>(high_water));
}

void RunMetrics::add_nodes(const graph::GraphSpec& graph) {
  for (const graph::NodeSpec& node : graph.nodes) {
    const telemetry::Labels labels{{"node", node.name}};
    nodes_.push_back(
        {&registry_.counter("framepipe_node_ran_total", labels, "Frames a node ran on"),
         &registry_.counter("framepipe_node_passed_total", labels,
                            "Frames a node let by (its rate: every, fps)"),
         &registry_.counter("framepipe_node_dropped_total", labels,
                            "Frames a dropping node replaced by newer ones")});
  }
}

void RunMetrics::update_nodes(const std::vector<graph::NodeCounts>& counts) {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].ran->add(counts[i].ran - nodes_[i].ran->value());
    nodes_[i].passed->add(counts[i].passed - nodes_[i].passed->value());
    nodes_[i].dropped->add(counts[i].dropped - nodes_[i].dropped->value());
  }
}

void RunMetrics::fill(RunFacts& facts) const {
  facts.frames = frames();
  facts.processed = processed();
  for (size_t i = 0; i < streams_.size(); ++i) {
    facts.inputs[i].processed = streams_[i].processed->value();
    facts.inputs[i].skipped = streams_[i].skipped->value();
  }
  facts.queues.clear();
  for (const Queue& q : queues_) {
    facts.queues.push_back({q.name, q.capacity, static_cast<size_t>(q.high_water->value())});
  }
}

}  // namespace fp::run
