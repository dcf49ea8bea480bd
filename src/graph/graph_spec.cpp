#include "graph/graph_spec.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/strings.hpp"
#include "core/yaml_config.hpp"

namespace fp::graph {

const char* to_string(JoinPolicy policy) {
  switch (policy) {
    case JoinPolicy::kStrictSync:
      return "STRICT_SYNC";
    case JoinPolicy::kAsyncOverlay:
      return "ASYNC_OVERLAY";
    case JoinPolicy::kRawStream:
      return "RAW_STREAM_WITH_METADATA";
  }
  return "unknown";
}

int GraphSpec::index_of(const std::string& name) const {
  if (name == kFramesInput) return -1;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].name == name) return static_cast<int>(i);
  }
  return -2;
}

std::vector<int> GraphSpec::consumers(int index) const {
  const std::string name = index < 0 ? kFramesInput : nodes[index].name;
  std::vector<int> out;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto& in = nodes[i].inputs;
    if (std::find(in.begin(), in.end(), name) != in.end()) out.push_back(static_cast<int>(i));
  }
  return out;
}

namespace {

Error node_error(const NodeSpec& node, const std::string& message) {
  return Error(ErrorCode::kInvalidConfig, node.where + ": node '" + node.name + "': " + message);
}

Result<JoinPolicy> parse_policy(const std::string& text) {
  std::string upper = text;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  if (upper == "STRICT_SYNC") return JoinPolicy::kStrictSync;
  if (upper == "ASYNC_OVERLAY") return JoinPolicy::kAsyncOverlay;
  if (upper == "RAW_STREAM" || upper == "RAW_STREAM_WITH_METADATA") return JoinPolicy::kRawStream;
  return Error(ErrorCode::kInvalidConfig,
               "unknown join policy '" + text +
                   "' (strict_sync, async_overlay or raw_stream_with_metadata)");
}

Result<NodeSpec> parse_node(const YAML::Node& entry, const std::string& file,
                            const NodeTypes& types, const std::string& previous) {
  FP_ASSIGN_OR_RETURN(YamlMap map, YamlMap::from(entry, file, "a node"));
  NodeSpec node;
  node.where = yaml_location(file, entry.Mark());
  for (const auto& item : entry) {
    const std::string key = item.first.Scalar();
    if (key == "name" || key == "input" || key == "inputs" || key == "every" || key == "fps") {
      continue;
    }
    if (key != "join" && !types.known(key)) {
      return Error(ErrorCode::kInvalidConfig, yaml_location(file, item.first.Mark()) +
                                                  ": unknown key or node type '" + key +
                                                  "' (node types: " + types.names +
                                                  ", join; keys: name, input, inputs, every, "
                                                  "fps)");
    }
    if (!node.type.empty()) {
      return Error(ErrorCode::kInvalidConfig, yaml_location(file, item.first.Mark()) +
                                                  ": a node has one type, not both '" + node.type +
                                                  "' and '" + key + "'");
    }
    node.type = key;
    if (key != "join") node.config = item.second;  // node is fresh: this binds, never writes
  }
  if (node.type.empty()) {
    return map.error_at(nullptr, "a node needs a type (" + types.names + " or join)");
  }
  node.name = node.type;
  FP_RETURN_IF_ERROR(map.read("name", node.name));
  if (node.name.empty() || node.name == kFramesInput) {
    return map.error_at("name", "a node's name must not be empty or 'frames'");
  }
  if (map.has("input") && map.has("inputs")) {
    return map.error_at("inputs", "give 'input' or 'inputs', not both");
  }
  std::string input = previous;
  FP_RETURN_IF_ERROR(map.read("input", input));
  node.inputs = {input};
  FP_RETURN_IF_ERROR(map.read("inputs", node.inputs));
  FP_RETURN_IF_ERROR(map.read("every", node.every));
  if (node.every < 1 || node.every > 1000000) {
    return map.error_at("every", "'every' must be from 1 to 1000000");
  }
  FP_RETURN_IF_ERROR(map.read("fps", node.fps));
  if (node.fps < 0) return map.error_at("fps", "'fps' must be 0 (no cap) or more");
  if (node.is_join()) {
    if (!entry["join"].IsScalar()) {
      return map.error_at("join",
                          "'join' takes a policy: strict_sync, async_overlay or "
                          "raw_stream_with_metadata");
    }
    const auto policy = parse_policy(entry["join"].Scalar());
    if (!policy.ok()) return map.error_at("join", policy.error().message());
    node.policy = *policy;
  }
  return node;
}

// Orders nodes so that each comes after its inputs (keeping the listed order where free); an
// Error names a cycle. Nodes are copied into place, never assigned: assigning a YAML::Node writes
// through to the document it refers to.
Result<std::vector<NodeSpec>> topological(const std::vector<NodeSpec>& nodes) {
  std::vector<NodeSpec> ordered;
  std::vector<bool> done(nodes.size(), false);
  std::set<std::string> placed{kFramesInput};
  while (ordered.size() < nodes.size()) {
    size_t ready = 0;
    while (ready < nodes.size() &&
           (done[ready] || !std::all_of(nodes[ready].inputs.begin(), nodes[ready].inputs.end(),
                                        [&](const std::string& in) { return placed.count(in); }))) {
      ++ready;
    }
    if (ready == nodes.size()) {
      // Every node left waits on another one left: follow inputs until a name repeats.
      std::map<std::string, const NodeSpec*> left;
      for (size_t i = 0; i < nodes.size(); ++i) {
        if (!done[i]) left[nodes[i].name] = &nodes[i];
      }
      const size_t first = std::find(done.begin(), done.end(), false) - done.begin();
      std::vector<std::string> path{nodes[first].name};
      while (std::count(path.begin(), path.end(), path.back()) < 2) {
        for (const std::string& in : left[path.back()]->inputs) {
          if (left.count(in)) {
            path.push_back(in);
            break;
          }
        }
      }
      path.erase(path.begin(), std::find(path.begin(), path.end(), path.back()));
      std::reverse(path.begin(), path.end());
      return node_error(*left[path.front()], "its inputs form a cycle: " + join(path, " -> ") +
                                                 " (a node cannot "
                                                 "take its own output)");
    }
    done[ready] = true;
    placed.insert(nodes[ready].name);
    ordered.push_back(nodes[ready]);
  }
  return ordered;
}

// ancestors[i][j]: node j's output reaches node i.
std::vector<std::vector<bool>> ancestors(const GraphSpec& graph) {
  const size_t n = graph.nodes.size();
  std::vector<std::vector<bool>> up(n, std::vector<bool>(n, false));
  for (size_t i = 0; i < n; ++i) {
    for (const std::string& in : graph.nodes[i].inputs) {
      const int j = graph.index_of(in);
      if (j < 0) continue;
      up[i][j] = true;
      for (size_t k = 0; k < n; ++k) up[i][k] = up[i][k] || up[j][k];
    }
  }
  return up;
}

Status check_stateful(const GraphSpec& graph, const std::vector<std::vector<bool>>& up) {
  for (size_t a = 0; a < graph.nodes.size(); ++a) {
    for (size_t b = a + 1; b < graph.nodes.size(); ++b) {
      if (!graph.nodes[a].stateful || !graph.nodes[b].stateful || up[b][a]) continue;
      return node_error(graph.nodes[b],
                        "it and node '" + graph.nodes[a].name +
                            "' both follow each stream in order on parallel branches; put one "
                            "after the other");
    }
  }
  return ok_status();
}

// Marks the heads of the branches an ASYNC_OVERLAY or RAW_STREAM join does not wait for: they
// take the newest frame when free, so no stateful node may sit on those branches.
Status mark_dropping_branches(GraphSpec& graph, const std::vector<std::vector<bool>>& up) {
  const size_t n = graph.nodes.size();
  for (size_t j = 0; j < n; ++j) {
    const NodeSpec& join = graph.nodes[j];
    if (!join.is_join() || join.policy == JoinPolicy::kStrictSync) continue;
    const int primary = graph.index_of(join.inputs[0]);
    auto on_primary = [&](int k) {
      return k < 0 || k == primary || (primary >= 0 && up[primary][k]);
    };
    for (size_t i = 1; i < join.inputs.size(); ++i) {
      const int last = graph.index_of(join.inputs[i]);
      for (size_t k = 0; k < n && last >= 0; ++k) {
        const int node = static_cast<int>(k);
        if ((node != last && !up[last][k]) || on_primary(node)) continue;
        if (graph.nodes[k].stateful) {
          return node_error(graph.nodes[k],
                            "it follows each stream in order, but it is on a "
                            "branch that join '" +
                                join.name + "' (" + to_string(join.policy) +
                                ") does not wait for, which skips frames");
        }
        const auto& ins = graph.nodes[k].inputs;
        graph.nodes[k].drops = std::any_of(ins.begin(), ins.end(), [&](const std::string& in) {
          return on_primary(graph.index_of(in));
        });
      }
    }
  }
  return ok_status();
}

}  // namespace

Result<GraphSpec> make_graph(std::vector<NodeSpec> nodes, const NodeTypes& types) {
  if (nodes.empty()) return Error(ErrorCode::kInvalidConfig, "a pipeline needs at least one node");
  std::set<std::string> names;
  for (NodeSpec& node : nodes) {
    if (!names.insert(node.name).second) return node_error(node, "a second node of that name");
    node.stateful = !node.is_join() && types.stateful(node.type, node.config);
  }
  for (const NodeSpec& node : nodes) {
    for (const std::string& in : node.inputs) {
      if (in != kFramesInput && names.count(in) == 0) {
        return node_error(node, "input '" + in +
                                    "' is neither 'frames' nor a node of this "
                                    "pipeline (nodes: " +
                                    join(std::vector<std::string>(names.begin(), names.end())) +
                                    ")");
      }
    }
    if (node.is_join() && node.inputs.size() < 2) {
      return node_error(node, "a join needs two inputs or more (`inputs: [a, b]`)");
    }
    if (!node.is_join() && node.inputs.size() != 1) {
      return node_error(node, "it has " + std::to_string(node.inputs.size()) +
                                  " inputs; only a join takes more than one (add `join: "
                                  "strict_sync` with `inputs: [...]`)");
    }
  }
  FP_ASSIGN_OR_RETURN(std::vector<NodeSpec> ordered, topological(nodes));
  GraphSpec sorted{ordered};
  std::vector<int> ends;
  for (size_t i = 0; i < ordered.size(); ++i) {
    if (sorted.consumers(static_cast<int>(i)).empty()) ends.push_back(static_cast<int>(i));
  }
  if (ends.size() > 1) {
    return node_error(ordered[ends.front()],
                      "its results reach no other node, and only the last node ('" +
                          ordered[ends.back()].name +
                          "') feeds the outputs; join it with the others or remove it");
  }
  // The one end goes last (nothing takes its output, so the order stays topological).
  GraphSpec graph;
  for (size_t i = 0; i < ordered.size(); ++i) {
    if (static_cast<int>(i) != ends.front()) graph.nodes.push_back(ordered[i]);
  }
  graph.nodes.push_back(ordered[ends.front()]);
  const auto up = ancestors(graph);
  FP_RETURN_IF_ERROR(check_stateful(graph, up));
  FP_RETURN_IF_ERROR(mark_dropping_branches(graph, up));
  return graph;
}

Result<GraphSpec> parse_graph(const YAML::Node& nodes, const std::string& file,
                              const NodeTypes& types) {
  if (!nodes.IsSequence() || nodes.size() == 0) {
    return Error(ErrorCode::kInvalidConfig,
                 yaml_location(file, nodes.Mark()) +
                     ": 'nodes' must be a list with at least one node, e.g. '- name: people' with "
                     "'detect: {model: yolox_nano_416}'");
  }
  std::vector<NodeSpec> specs;
  std::string previous = kFramesInput;
  for (const YAML::Node& entry : nodes) {
    FP_ASSIGN_OR_RETURN(NodeSpec node, parse_node(entry, file, types, previous));
    previous = node.name;
    specs.push_back(std::move(node));
  }
  return make_graph(std::move(specs), types);
}

}  // namespace fp::graph
