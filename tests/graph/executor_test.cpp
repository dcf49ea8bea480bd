#include "graph/executor.hpp"

#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "graph_test_support.hpp"

namespace fp::graph {
namespace {

using namespace testing;

// Runs `frames` frames of `streams` streams through the graph; `work` runs for each node.
struct Harness {
  GraphSpec graph;
  std::function<Status(const NodeSpec&, Item&)> work = [](const NodeSpec&, Item&) {
    return ok_status();
  };
  ExecutorOptions options{4, 8, 8};
  std::vector<Item> out;
  std::vector<NodeCounts> counts;
  std::string error;
  size_t high_water = 0;

  // Set: nodes of type "slow" finish on a thread of their own (NodeCalls::start).
  bool asynchronous = false;

  void run(int streams, int frames, size_t payload = 0,
           const std::function<void(TestExecutor&, int)>& on_submit = nullptr) {
    NodeCalls<Item> calls;
    std::vector<std::thread> finishers;
    std::mutex finishers_mutex;
    if (asynchronous) {
      calls.start = [&](int i, Item& item, std::function<void(Status)> done) {
        const NodeSpec& spec = graph.nodes[i];
        if (spec.type != "slow") return false;
        std::lock_guard lock(finishers_mutex);
        finishers.emplace_back([&, &spec = spec, &item = item, done] {
          item.trail.push_back(spec.name);
          done(work(spec, item));
        });
        return true;
      };
    }
    calls.process = [&](int i, Item& item) {
      const NodeSpec& spec = graph.nodes[i];
      item.trail.push_back(spec.name);
      return work(spec, item);
    };
    calls.pass = [&](int i, Item& item) { item.passed.push_back(graph.nodes[i].name); };
    calls.runnable = [](const Item&) { return true; };
    {
      TestExecutor executor(graph, calls, options);
      std::thread feeder([&] {
        for (int f = 0; f < frames; ++f) {
          for (int s = 0; s < streams; ++s) {
            Item item{s, f, f / 25.0, {}, {}, "", {}, std::vector<char>(payload, 1)};
            if (!executor.submit(std::move(item))) return executor.finish();
            if (on_submit) on_submit(executor, f);
          }
        }
        executor.finish();
      });
      while (auto item = executor.pop_output()) {
        std::vector<char>().swap(item->payload);  // what leaves the graph is the caller's to free
        out.push_back(std::move(*item));
      }
      feeder.join();
      counts = executor.counts();
      if (auto e = executor.error()) error = e->message();
      high_water = executor.in_flight_high_water();
    }  // the executor's end waits for every started node: no finisher starts after it
    for (std::thread& t : finishers) t.join();
  }
  int index(const std::string& name) const { return graph.index_of(name); }
};

GraphSpec make(std::vector<NodeSpec> nodes) {
  auto graph = make_graph(std::move(nodes), test_types());
  EXPECT_TRUE(graph.ok()) << graph.error().message();
  return *graph;
}

// (stream, sequence) pairs, to check that every frame came out exactly once.
std::set<std::pair<int, int64_t>> frames_of(const std::vector<Item>& items) {
  std::set<std::pair<int, int64_t>> seen;
  for (const Item& item : items) {
    if (item.metadata_of.empty()) EXPECT_TRUE(seen.emplace(item.stream, item.sequence).second);
  }
  return seen;
}

TEST(Executor, AStatefulNodeInTheMiddleSeesEachStreamInOrder) {
  Harness h;
  h.graph =
      make({node("a", "work", {"frames"}), node("t", "track", {"a"}), node("b", "work", {"t"})});
  std::mutex mutex;
  std::map<int, std::vector<int64_t>> seen_by_tracker;
  h.work = [&](const NodeSpec& spec, Item& item) {
    if (spec.name == "a") sleep_ms(static_cast<int>((item.sequence * 7919) % 3));  // reorders
    if (spec.name == "t") {
      std::lock_guard lock(mutex);
      seen_by_tracker[item.stream].push_back(item.sequence);
    }
    return ok_status();
  };
  h.run(3, 60);
  EXPECT_TRUE(h.error.empty()) << h.error;
  EXPECT_EQ(frames_of(h.out).size(), 180u);
  for (const auto& [stream, sequences] : seen_by_tracker) {
    ASSERT_EQ(sequences.size(), 60u);
    for (size_t i = 0; i < sequences.size(); ++i) EXPECT_EQ(sequences[i], static_cast<int64_t>(i));
  }
  for (const Item& item : h.out) EXPECT_EQ(item.trail, (std::vector<std::string>{"a", "t", "b"}));
}

TEST(Executor, StrictSyncPublishesEveryFrameOnceWithEveryBranch) {
  Harness h;
  NodeSpec tiles = node("tiles", "slow", {"frames"});
  tiles.every = 3;
  h.graph =
      make({node("global", "work", {"frames"}), tiles, node("j", "join", {"global", "tiles"})});
  h.work = [](const NodeSpec& spec, Item&) {
    if (spec.name == "tiles") sleep_ms(2);
    return ok_status();
  };
  h.run(2, 45);
  EXPECT_EQ(frames_of(h.out).size(), 90u);
  for (const Item& item : h.out) {
    const bool tiled = item.sequence % 3 == 0;
    const std::vector<std::string> expected =
        tiled ? std::vector<std::string>{"global", "tiles:tiles"}
              : std::vector<std::string>{"global"};
    EXPECT_EQ(item.trail, expected);
  }
  EXPECT_EQ(h.counts[h.index("tiles")].ran, 30);
  EXPECT_EQ(h.counts[h.index("tiles")].passed, 60);
  EXPECT_LE(h.high_water, h.options.frames_in_flight);
}

TEST(Executor, AsyncOverlayPublishesEveryFastFrameWithTheSlowBranchsLatestAndItsAge) {
  Harness h;
  h.graph = make({node("global", "work", {"frames"}), node("tiles", "slow", {"frames"}),
                  node("j", "join", {"global", "tiles"})});
  h.graph.nodes.back().policy = JoinPolicy::kAsyncOverlay;
  h.graph = make(h.graph.nodes);  // marks the dropping branch again for the new policy
  h.work = [](const NodeSpec& spec, Item&) {
    if (spec.name == "tiles") sleep_ms(8);
    return ok_status();
  };
  h.run(1, 200, 0, [](TestExecutor&, int) { sleep_ms(1); });
  EXPECT_EQ(frames_of(h.out).size(), 200u);  // nothing accepted is lost on the fast branch
  const NodeCounts& tiles = h.counts[h.index("tiles")];
  EXPECT_GT(tiles.dropped, 0);  // the slow branch took the newest frame when free
  EXPECT_LT(tiles.ran, 200);
  int overlaid = 0;
  for (const Item& item : h.out) {
    ASSERT_LE(item.ages.size(), 1u);
    if (item.ages.empty()) continue;
    ++overlaid;
    EXPECT_EQ(item.ages[0].first, "tiles");
    EXPECT_GE(item.ages[0].second, 0);
    EXPECT_LE(item.ages[0].second, item.sequence);
  }
  EXPECT_GT(overlaid, 150);
}

TEST(Executor, RawStreamPublishesFramesAtOnceAndEachResultAsMetadata) {
  Harness h;
  h.graph = make({node("global", "work", {"frames"}), node("tiles", "slow", {"frames"}),
                  node("j", "join", {"global", "tiles"})});
  h.graph.nodes.back().policy = JoinPolicy::kRawStream;
  h.graph = make(h.graph.nodes);
  h.work = [](const NodeSpec& spec, Item&) {
    if (spec.name == "tiles") sleep_ms(5);
    return ok_status();
  };
  h.run(1, 100, 0, [](TestExecutor&, int) { sleep_ms(1); });
  EXPECT_EQ(frames_of(h.out).size(), 100u);
  int64_t metadata = 0;
  for (const Item& item : h.out) {
    if (item.metadata_of.empty()) {
      EXPECT_EQ(item.trail, std::vector<std::string>{"global"});
    } else {
      EXPECT_EQ(item.metadata_of, "tiles");
      EXPECT_EQ(item.trail, std::vector<std::string>{"tiles"});
      ++metadata;
    }
  }
  EXPECT_EQ(metadata, h.counts[h.index("tiles")].ran);
  EXPECT_GT(metadata, 0);
}

TEST(Executor, ANodeThatFailsOnOneFrameStopsTheGraphWithItsError) {
  Harness h;
  h.graph = make({node("a", "work", {"frames"}), node("t", "track", {"a"})});
  h.work = [](const NodeSpec& spec, Item& item) -> Status {
    if (spec.name == "a" && item.sequence == 37) return Error("node a failed on frame 37");
    return ok_status();
  };
  h.run(1, 1000);
  EXPECT_EQ(h.error, "node a failed on frame 37");
  EXPECT_LT(h.out.size(), 1000u);
  for (const Item& item : h.out) EXPECT_LT(item.sequence, 37);  // in order, so none after it
}

TEST(Executor, StopMidRunEndsEveryThreadAndTheOutput) {
  Harness h;
  h.graph = make({node("a", "work", {"frames"}), node("t", "track", {"a"})});
  h.work = [](const NodeSpec&, Item&) {
    sleep_ms(1);
    return ok_status();
  };
  h.run(2, 100000, 0, [](TestExecutor& executor, int frame) {
    if (frame == 50) executor.stop(Error(ErrorCode::kCancelled, "cancelled"));
  });
  EXPECT_EQ(h.error, "cancelled");
  EXPECT_LT(h.out.size(), 200u);
}

TEST(Executor, EveryAndFpsLetTheRestPassUntouched) {
  Harness h;
  NodeSpec every = node("every5", "work", {"frames"});
  every.every = 5;
  NodeSpec fps = node("fps5", "work", {"every5"});
  fps.fps = 5;  // frames are 1/25 s apart: every 5th runs
  h.graph = make({every, fps});
  h.run(2, 50);
  EXPECT_EQ(h.counts[0].ran, 20);
  EXPECT_EQ(h.counts[0].passed, 80);
  EXPECT_EQ(h.counts[1].ran, 20);
  for (const Item& item : h.out) {
    const bool ran = item.sequence % 5 == 0;
    EXPECT_EQ(item.trail.size(), ran ? 2u : 0u) << item.sequence;
  }
}

TEST(Executor, NodesThatFinishOnAnotherThreadKeepOrderCountsAndErrors) {
  Harness h;
  h.asynchronous = true;
  h.options.workers = 1;  // the worker is free while a started node waits
  h.graph = make({node("model", "slow", {"frames"}), node("t", "track", {"model"})});
  std::mutex mutex;
  std::map<int, std::vector<int64_t>> tracked;
  h.work = [&](const NodeSpec& spec, Item& item) -> Status {
    if (spec.name == "model") sleep_ms(static_cast<int>((item.sequence * 7919) % 3));
    if (spec.name == "t") {
      std::lock_guard lock(mutex);
      tracked[item.stream].push_back(item.sequence);
    }
    return ok_status();
  };
  h.run(2, 40);
  EXPECT_TRUE(h.error.empty()) << h.error;
  EXPECT_EQ(frames_of(h.out).size(), 80u);
  EXPECT_EQ(h.counts[0].ran, 80);
  for (const auto& [stream, sequences] : tracked) {
    ASSERT_EQ(sequences.size(), 40u);
    for (size_t i = 0; i < sequences.size(); ++i) EXPECT_EQ(sequences[i], static_cast<int64_t>(i));
  }

  Harness failing;
  failing.asynchronous = true;
  failing.graph = make({node("model", "slow", {"frames"}), node("t", "track", {"model"})});
  failing.work = [](const NodeSpec& spec, Item& item) -> Status {
    if (spec.name == "model" && item.sequence == 12) return Error("model failed on frame 12");
    return ok_status();
  };
  failing.run(1, 200);
  EXPECT_EQ(failing.error, "model failed on frame 12");
  for (const Item& item : failing.out) EXPECT_LT(item.sequence, 12);
}

int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

TEST(Executor, ASlowBranchDoesNotGrowMemory) {
  // 1 MiB frames, a branch 20x slower than frames arrive: under STRICT_SYNC the limiter holds
  // the source back; under ASYNC_OVERLAY the slow branch drops. Either way memory stays flat.
  // Large blocks straight from mmap, so resident memory follows what is alive (glibc would
  // otherwise keep freed 1 MiB blocks in per-thread arenas once its mmap threshold has grown).
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  for (JoinPolicy policy : {JoinPolicy::kStrictSync, JoinPolicy::kAsyncOverlay}) {
    Harness h;
    h.graph = make({node("fast", "work", {"frames"}), node("slow", "slow", {"frames"}),
                    node("j", "join", {"fast", "slow"})});
    h.graph.nodes.back().policy = policy;
    h.graph = make(h.graph.nodes);
    h.work = [](const NodeSpec& spec, Item&) {
      if (spec.name == "slow") sleep_ms(2);
      return ok_status();
    };
    const int64_t before = resident_bytes();
    int64_t peak = before;
    h.run(1, 400, 1 << 20, [&](TestExecutor&, int) { peak = std::max(peak, resident_bytes()); });
    EXPECT_EQ(frames_of(h.out).size(), 400u);
    EXPECT_LE(h.high_water, h.options.frames_in_flight);
    // Frames inside the graph, plus the output queue and the slow branch's held results.
    EXPECT_LT(peak - before, 48 << 20) << to_string(policy);
  }
}

}  // namespace
}  // namespace fp::graph
