// Join: merges the branches that reach one node, under a JoinPolicy (graph_spec.hpp). A state
// machine without threads: offer() takes the item of one input and returns what to publish now.
// Not thread-safe: the executor calls it under the join's lock.
//
// `Traits` (see Executor) gives stream(), sequence() and time() (seconds) of an item, and:
//   static void merge(T& into, T&& from, const Merge& how);  // a branch's results into a frame
//   static void mark_metadata(T& item, const std::string& branch);  // RAW_STREAM: published alone
//   static void keep_latest(T& item);  // ASYNC_OVERLAY: about to be held as a branch's latest
//   static void overlaid(T& latest);   // ASYNC_OVERLAY: merged into a frame (its per-result
//                                      // telemetry counts once, with the first frame)
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "graph/graph_spec.hpp"

namespace fp::graph {

// How a branch's result joins a frame.
struct Merge {
  const std::string& join;    // the join node's name
  const std::string& branch;  // the input node's name
  JoinPolicy policy;
  int64_t age_frames = 0;  // ASYNC_OVERLAY: frames between the result's frame and this one
  double age_ms = 0;       // the same in stream time
  double wait_ms = 0;      // STRICT_SYNC: how long the first arrival waited for the last
};

template <class T, class Traits>
class Join {
 public:
  Join(std::string name, JoinPolicy policy, std::vector<std::string> inputs)
      : name_(std::move(name)), policy_(policy), inputs_(std::move(inputs)) {}

  std::vector<T> offer(size_t input, T item) {
    std::vector<T> out;
    const int stream = Traits::stream(item);
    if (policy_ == JoinPolicy::kStrictSync) {
      const auto key = std::make_pair(stream, Traits::sequence(item));
      Pending& pending = pending_[key];
      if (pending.items.empty()) {
        pending.items.resize(inputs_.size());
        pending.first = SteadyClock::now();
      }
      pending.items[input] = std::move(item);
      if (++pending.arrived < inputs_.size()) return out;
      const double wait_ms = ms_since(pending.first);
      T frame = std::move(*pending.items[0]);
      for (size_t i = 1; i < inputs_.size(); ++i) {
        Traits::merge(frame, std::move(*pending.items[i]),
                      Merge{name_, inputs_[i], policy_, 0, 0, wait_ms});
      }
      pending_.erase(key);
      out.push_back(std::move(frame));
    } else if (input == 0) {
      if (policy_ == JoinPolicy::kAsyncOverlay) overlay(item);
      out.push_back(std::move(item));
    } else if (policy_ == JoinPolicy::kAsyncOverlay) {
      Traits::keep_latest(item);
      std::deque<T>& results = latest_[{stream, input}];
      auto later = std::find_if(results.begin(), results.end(), [&](const T& kept) {
        return Traits::sequence(kept) > Traits::sequence(item);
      });
      results.insert(later, std::move(item));
      while (results.size() > kMaxResultsKept) results.pop_front();  // bounded: the oldest goes
    } else {
      Traits::mark_metadata(item, inputs_[input]);
      out.push_back(std::move(item));
    }
    return out;
  }

  // Frames waiting for a branch (STRICT_SYNC).
  size_t waiting() const { return pending_.size(); }

 private:
  struct Pending {
    std::vector<std::optional<T>> items;
    size_t arrived = 0;
    SteadyClock::time_point first;
  };
  static double ms_since(SteadyClock::time_point since) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - since).count();
  }

  // Lays over `frame` each branch's newest result computed on it or an earlier frame. A result
  // computed on a later frame (not published yet) waits for it, and the result it will replace
  // still serves the frames in between.
  void overlay(T& frame) {
    const int stream = Traits::stream(frame);
    const int64_t sequence = Traits::sequence(frame);
    for (size_t i = 1; i < inputs_.size(); ++i) {
      const auto it = latest_.find({stream, i});
      if (it == latest_.end()) continue;
      std::deque<T>& results = it->second;
      while (results.size() > 1 && Traits::sequence(results[1]) <= sequence) results.pop_front();
      T& latest = results.front();
      const int64_t frames = sequence - Traits::sequence(latest);
      if (frames < 0) continue;
      const double ms = (Traits::time(frame) - Traits::time(latest)) * 1000.0;
      T copy = latest;
      Traits::merge(frame, std::move(copy), Merge{name_, inputs_[i], policy_, frames, ms, 0});
      Traits::overlaid(latest);
    }
  }

  // ASYNC_OVERLAY: results a branch keeps per stream, the one in use and those computed on frames
  // not published yet (the branch runs one frame at a time, so there are seldom more than two).
  static constexpr size_t kMaxResultsKept = 8;

  std::string name_;
  JoinPolicy policy_;
  std::vector<std::string> inputs_;
  std::map<std::pair<int, int64_t>, Pending> pending_;
  // (stream, input) -> its results in the order computed: the one in use, then newer ones.
  std::map<std::pair<int, size_t>, std::deque<T>> latest_;
};

}  // namespace fp::graph
