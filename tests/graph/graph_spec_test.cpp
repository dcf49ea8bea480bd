#include "graph/graph_spec.hpp"

#include <gtest/gtest.h>

#include "core/yaml_config.hpp"
#include "graph_test_support.hpp"

namespace fp::graph {
namespace {

using testing::test_types;

Result<GraphSpec> parse(const std::string& yaml) {
  auto root = load_yaml_text(yaml, "g.yaml");
  if (!root.ok()) return root.error();
  return parse_graph((*root)["nodes"], "g.yaml", test_types());
}

std::string error_of(const std::string& yaml) {
  auto graph = parse(yaml);
  return graph.ok() ? std::string("(no error)") : graph.error().message();
}

TEST(GraphSpec, ListedNodesFormAChainUnlessTheyNameTheirInputs) {
  auto graph = parse(R"(nodes:
  - work: {}
  - name: tracker
    track: {}
  - name: tiles
    slow: {}
    input: frames
    every: 4
  - name: fused
    join: async_overlay
    inputs: [tracker, tiles]
)");
  ASSERT_TRUE(graph.ok()) << graph.error().message();
  ASSERT_EQ(graph->nodes.size(), 4u);
  EXPECT_EQ(graph->nodes[0].inputs, std::vector<std::string>{"frames"});
  EXPECT_EQ(graph->nodes[1].inputs, std::vector<std::string>{"work"});
  EXPECT_TRUE(graph->nodes[1].stateful);
  EXPECT_EQ(graph->nodes.back().name, "fused");
  EXPECT_EQ(graph->nodes.back().policy, JoinPolicy::kAsyncOverlay);
  const NodeSpec& tiles = graph->nodes[graph->index_of("tiles")];
  EXPECT_EQ(tiles.every, 4);
  EXPECT_TRUE(tiles.drops);  // the branch the overlay does not wait for
  EXPECT_FALSE(graph->nodes[0].drops);
}

TEST(GraphSpec, TheLastNodeIsTheOneNothingTakes) {
  auto graph = parse(R"(nodes:
  - {name: j, join: strict_sync, inputs: [a, b]}
  - {name: a, work: {}, input: frames}
  - {name: b, slow: {}, input: frames}
)");
  ASSERT_TRUE(graph.ok()) << graph.error().message();
  EXPECT_EQ(graph->nodes.back().name, "j");
  EXPECT_EQ(graph->consumers(-1).size(), 2u);
}

TEST(GraphSpec, BadGraphsAreErrorsWithFileLineColumn) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"nodes:\n  - {name: a, work: {}, input: b}\n  - {name: b, work: {}, input: a}\n",
       "g.yaml:2:5: node 'a': its inputs form a cycle: a -> b -> a"},
      {"nodes:\n  - {name: a, work: {}, input: nowhere}\n",
       "g.yaml:2:5: node 'a': input 'nowhere' is neither 'frames' nor a node"},
      {"nodes:\n  - {name: a, track: {}, input: frames}\n  - {name: b, track: {}, input: frames}\n"
       "  - {name: j, join: strict_sync, inputs: [a, b]}\n",
       "g.yaml:3:5: node 'b': it and node 'a' both follow each stream in order on parallel"},
      {"nodes:\n  - {name: a, work: {}}\n  - {name: j, join: strict_sync, inputs: [a]}\n",
       "g.yaml:3:5: node 'j': a join needs two inputs or more"},
      {"nodes:\n  - {name: a, work: {}}\n  - {name: b, work: {}, inputs: [a, frames]}\n",
       "g.yaml:3:5: node 'b': it has 2 inputs; only a join"},
      {"nodes:\n  - {name: a, work: {}}\n  - {name: b, work: {}, input: frames}\n",
       "g.yaml:2:5: node 'a': its results reach no other node"},
      {"nodes:\n  - {name: a, work: {}, input: frames}\n  - {name: t, track: {}, input: frames}\n"
       "  - {name: j, join: async_overlay, inputs: [a, t]}\n",
       "g.yaml:3:5: node 't': it follows each stream in order, but it is on a branch that join "
       "'j' (ASYNC_OVERLAY) does not wait for"},
      {"nodes:\n  - {name: a, work: {}}\n  - {name: a, work: {}}\n",
       "g.yaml:3:5: node 'a': a second node of that name"},
      {"nodes:\n  - {name: a, wrok: {}}\n", "g.yaml:2:15: unknown key or node type 'wrok'"},
      {"nodes:\n  - {name: j, join: sometimes, inputs: [frames, frames]}\n",
       "g.yaml:2:21: unknown join policy 'sometimes'"},
      {"nodes:\n  - {name: a, work: {}, every: 0}\n", "g.yaml:2:32: 'every' must be from 1"},
      {"nodes: []\n", "g.yaml:1:8: 'nodes' must be a list with at least one node"},
  };
  for (const Case& c : cases) {
    const std::string message = error_of(c.yaml);
    EXPECT_NE(message.find(c.expected), std::string::npos) << "yaml:\n"
                                                           << c.yaml << "gave: " << message;
  }
}

}  // namespace
}  // namespace fp::graph
