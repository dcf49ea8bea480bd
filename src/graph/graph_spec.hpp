// GraphSpec: the shape of a pipeline, as nodes that name their inputs, checked before any work.
//
// A pipeline YAML either lists `stages:` (a chain: each stage takes the one before it) or
// `nodes:`, each a mapping with
//   name: people               # unique; what other nodes name as their input
//   detect: {model: ...}       # exactly one node type and its settings (`join: POLICY` for a join)
//   input: frames              # or `inputs: [a, b]`; default: the node listed before (first:
//   frames) every: 4                   # run on every 4th frame of each stream (others pass
//   through) fps: 5                     # or at most 5 frames a second of each stream, by
//   timestamps
// A join merges the branches that reach it under one of three policies (see JoinPolicy).
//
// Checks, each an Error naming file:line:column: duplicate or missing names, an unknown input, a
// cycle, a node other than a join with two inputs, a join with fewer than two, a branch that ends
// nowhere (every node but the last must feed another), two stateful nodes on parallel branches
// (each follows a stream in order, so one must come after the other), and a stateful node on the
// dropping side of an ASYNC_OVERLAY or RAW_STREAM_WITH_METADATA join (it would not see every
// frame in order).
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace fp::graph {

// How a join publishes the branches that reach it.
enum class JoinPolicy {
  // Waits for every branch's result of a frame, then publishes the frame with all of them.
  kStrictSync,
  // Publishes each frame of the first (fast) branch at once, with the latest result of each other
  // branch of the same stream and its age; the other branches take the newest frame when free.
  kAsyncOverlay,
  // Publishes each frame of the first branch at once, and each other branch's result on its own as
  // metadata of the frame it was computed on, when it arrives.
  kRawStream,
};
const char* to_string(JoinPolicy policy);

// The name under which nodes take the decoded frames.
inline constexpr const char* kFramesInput = "frames";

struct NodeSpec {
  std::string name;
  std::string type;                 // a registered node type, or "join"
  YAML::Node config;                // the type's mapping; null for a join
  std::vector<std::string> inputs;  // names of nodes, or kFramesInput
  int every = 1;                    // run on every Nth frame of a stream; the rest pass through
  double fps = 0;                   // run at most this often per stream second; 0: no cap
  JoinPolicy policy = JoinPolicy::kStrictSync;  // joins only
  bool stateful = false;                        // follows each stream in frame order
  bool drops = false;  // the head of a branch that takes only the newest frame when free
  std::string where;   // file:line:column of the entry, for messages

  bool is_join() const { return type == "join"; }
};

// What the graph needs to know of node types (the pipeline layer registers them).
struct NodeTypes {
  std::function<bool(const std::string&)> known;
  // Whether a node of that type with that mapping follows each stream in order.
  std::function<bool(const std::string& type, const YAML::Node& config)> stateful;
  std::string names;  // comma-separated, for messages
};

struct GraphSpec {
  std::vector<NodeSpec> nodes;  // in a topological order: each node after all of its inputs

  // Index of the node named `name`; -1 for kFramesInput.
  int index_of(const std::string& name) const;
  // Indices of the nodes that take node `index`'s output (-1: the frames).
  std::vector<int> consumers(int index) const;
  // The node whose output is the pipeline's result: the last one.
  int output() const { return static_cast<int>(nodes.size()) - 1; }
};

// Reads and checks a `nodes:` list of the file `file`.
Result<GraphSpec> parse_graph(const YAML::Node& nodes, const std::string& file,
                              const NodeTypes& types);
// Checks nodes built in code (a `stages:` chain, tests): the same checks as parse_graph, and the
// same ordering.
Result<GraphSpec> make_graph(std::vector<NodeSpec> nodes, const NodeTypes& types);

}  // namespace fp::graph
