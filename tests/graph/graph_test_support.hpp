// A small item type and helpers for the graph layer's tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "graph/executor.hpp"
#include "graph/graph_spec.hpp"

namespace fp::graph::testing {

struct Item {
  int stream = 0;
  int64_t sequence = 0;
  double time = 0;                  // seconds
  std::vector<std::string> trail;   // names of the nodes that ran on it, in order
  std::vector<std::string> passed;  // names of the nodes that let it through without running
  std::string metadata_of;          // RAW_STREAM: the branch it is published for
  std::vector<std::pair<std::string, int64_t>> ages;  // ASYNC_OVERLAY: (branch, age in frames)
  std::vector<char> payload;  // memory a frame holds (the bounded-memory test)
};

struct ItemTraits {
  static int stream(const Item& i) { return i.stream; }
  static int64_t sequence(const Item& i) { return i.sequence; }
  static double time(const Item& i) { return i.time; }
  static bool is_metadata(const Item& i) { return !i.metadata_of.empty(); }
  static void merge(Item& into, Item&& from, const Merge& how) {
    for (std::string& name : from.trail) into.trail.push_back(how.branch + ":" + name);
    if (how.policy == JoinPolicy::kAsyncOverlay) into.ages.emplace_back(how.branch, how.age_frames);
  }
  static void mark_metadata(Item& i, const std::string& branch) { i.metadata_of = branch; }
  static void keep_latest(Item&) {}
  static void overlaid(Item& latest) { latest.trail.clear(); }  // its nodes count once
};

using TestExecutor = Executor<Item, ItemTraits>;

inline NodeTypes test_types() {
  return {[](const std::string& t) { return t == "work" || t == "slow" || t == "track"; },
          [](const std::string& t, const YAML::Node&) { return t == "track"; },
          "work, slow, track"};
}

inline NodeSpec node(std::string name, std::string type, std::vector<std::string> inputs) {
  NodeSpec n;
  n.name = std::move(name);
  n.type = std::move(type);
  n.inputs = std::move(inputs);
  return n;
}

inline void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace fp::graph::testing
