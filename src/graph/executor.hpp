// Executor: runs a GraphSpec over a flow of items (frames), on a fixed set of worker threads.
//
// - submit() puts a frame into the graph; it blocks while `frames_in_flight` frames are inside
//   (the limiter: every buffer of the graph, joins and sequencers included, is bounded by it).
//   A frame stays "inside" until every copy of it has left: published to the output, merged by a
//   join, or dropped by a branch that takes only the newest frame.
// - Workers take (node, item) tasks and run them. A node with several consumers hands each a copy
//   (images are shared, not copied). A stateless node runs on any worker, several frames at once.
//   A stateful node (a tracker) sits behind a per-stream Sequencer and runs on one worker at a
//   time, in each stream's frame order, wherever it is in the graph. A join merges under its
//   policy (join.hpp). A node with `every`/`fps` runs on the frames its rate lets through and
//   passes the others on untouched (`pass`). The head of a branch that an ASYNC_OVERLAY or
//   RAW_STREAM join does not wait for runs one frame at a time and keeps only the newest waiting
//   frame of each stream; the frames it replaces are counted as dropped, and the frames its rate
//   skips end there (they carry no result for the join).
// - The last node's items go to a bounded output queue, which pop_output() drains (the caller
//   puts them in stream order for the sinks). Metadata items of a RAW_STREAM join come out too.
// - The first Error from a node stops the graph: submit() and pop_output() return false/nullopt,
//   and error() says why. stop() does the same from outside (cancel, a failing sink).
//
// Why not oneTBB's flow graph: its buffers are unbounded unless every edge is wrapped in a
// limiter, and our nodes block on model calls (the Batcher), which would starve TBB's arena, capped
// at the CPU budget. This executor uses TBB's ideas (limiter, sequencer, tag-matching join,
// overwrite) with plain threads that may block.
//
// `Traits` gives, for items T: stream(), sequence(), time() (seconds), is_metadata(), and the Join
// hooks (join.hpp).
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "graph/graph_spec.hpp"
#include "graph/join.hpp"
#include "graph/sequencer.hpp"

namespace fp::graph {

template <class T>
struct NodeCalls {
  // Runs node `index` on an item; an Error (its message complete) stops the graph.
  std::function<Status(int index, T& item)> process;
  // Called instead for an item the node's rate lets through without running.
  std::function<void(int index, T& item)> pass;
  // Whether the node should run on this item at all (e.g. frames without an image do not).
  std::function<bool(const T& item)> runnable;
  // Optional: starts node `index` on an item without waiting, calling `done` exactly once with
  // what process() would return; false (without calling `done`) when the node only has process().
  // Used for stateless nodes: a worker is free while the node waits for a model.
  std::function<bool(int index, T& item, std::function<void(Status)> done)> start;
};

struct ExecutorOptions {
  int workers = 1;
  size_t frames_in_flight = 8;
  size_t output_capacity = 8;
};

// Counts per node, for the run report.
struct NodeCounts {
  int64_t ran = 0, passed = 0, dropped = 0;
};

template <class T, class Traits>
class Executor {
 public:
  Executor(GraphSpec graph, NodeCalls<T> calls, ExecutorOptions options)
      : graph_(std::move(graph)), calls_(std::move(calls)), options_(options) {
    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      const NodeSpec& spec = graph_.nodes[i];
      auto node = std::make_unique<Node>();
      node->consumers = graph_.consumers(static_cast<int>(i));
      if (spec.is_join()) node->join.emplace(spec.name, spec.policy, spec.inputs);
      nodes_.push_back(std::move(node));
    }
    frames_consumers_ = graph_.consumers(-1);
    for (int w = 0; w < std::max(1, options_.workers); ++w)
      workers_.emplace_back([this] { work(); });
  }
  ~Executor() {
    stop();
    for (std::thread& worker : workers_) worker.join();
    {  // started nodes call back into this executor until they are done
      std::unique_lock lock(mutex_);
      started_done_.wait(lock, [&] { return started_ == 0; });
    }
    nodes_.clear();  // frames held by joins and sequencers release their tickets while mutex_ lives
  }
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Blocks while the graph is full; false once the graph has stopped.
  bool submit(T item) {
    {
      std::unique_lock lock(mutex_);
      room_.wait(lock, [&] { return stopped_ || in_flight_ < options_.frames_in_flight; });
      if (stopped_) return false;
      ++in_flight_;
      high_water_ = std::max(high_water_, in_flight_);
    }
    auto ticket = std::make_shared<Ticket>(this, due(item));
    forward(Task{std::move(item), -1, 0, std::move(ticket)}, frames_consumers_);
    return true;
  }

  // No more submits: the output ends once every frame inside has left.
  void finish() {
    std::lock_guard lock(mutex_);
    input_done_ = true;
    end_if_drained();
  }

  // The next item of the last node; std::nullopt once finished and drained, or stopped.
  std::optional<T> pop_output() {
    std::unique_lock lock(mutex_);
    output_ready_.wait(lock, [&] { return !output_.empty() || output_closed_; });
    if (output_.empty()) return std::nullopt;
    T item = std::move(output_.front());
    output_.pop_front();
    output_room_.notify_one();
    return item;
  }

  // Stops the graph; `error`, when given and the first, is what error() returns.
  void stop(std::optional<Error> error = std::nullopt) {
    std::deque<Task> dropped;  // destroyed after the lock: their tickets take it
    std::lock_guard lock(mutex_);
    if (error && !error_) error_ = std::move(error);
    stopped_ = true;
    output_closed_ = true;
    dropped.swap(tasks_);
    room_.notify_all();
    task_ready_.notify_all();
    output_ready_.notify_all();
    output_room_.notify_all();
  }

  std::optional<Error> error() const {
    std::lock_guard lock(mutex_);
    return error_;
  }
  std::vector<NodeCounts> counts() const {
    std::vector<NodeCounts> out;
    for (const auto& node : nodes_) {
      std::lock_guard lock(node->mutex);
      out.push_back(node->counts);
    }
    return out;
  }
  size_t in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_;
  }
  size_t in_flight_high_water() const {
    std::lock_guard lock(mutex_);
    return high_water_;
  }

 private:
  // Keeps one frame counted as inside while any copy of it exists.
  // Also carries which nodes run on the frame: rates are decided when the frame enters, in each
  // stream's order, so they do not depend on which worker gets there first.
  struct Ticket {
    Ticket(Executor* executor, std::vector<bool> due) : executor(executor), due(std::move(due)) {}
    ~Ticket() { executor->release(); }
    Executor* executor;
    std::vector<bool> due;  // per node
  };
  struct Task {
    T item;
    int node;      // the node to run; -1 before the first
    size_t input;  // which input of the node it comes by (joins)
    std::shared_ptr<Ticket> ticket;
  };
  struct TaskTraits {
    static int stream(const Task& t) { return Traits::stream(t.item); }
    static int64_t sequence(const Task& t) { return Traits::sequence(t.item); }
    static double time(const Task& t) { return Traits::time(t.item); }
    static void merge(Task& into, Task&& from, const Merge& how) {
      Traits::merge(into.item, std::move(from.item), how);
    }
    static void mark_metadata(Task& t, const std::string& branch) {
      Traits::mark_metadata(t.item, branch);
    }
    static void keep_latest(Task& t) { t.ticket.reset(); }  // held results keep no frame inside
    static void overlaid(Task& t) { Traits::overlaid(t.item); }
  };
  struct Node {
    mutable std::mutex mutex;
    std::vector<int> consumers;
    std::optional<Join<Task, TaskTraits>> join;
    Sequencer<Task, TaskTraits> sequencer;  // stateful nodes
    bool busy = false;                      // stateful: draining; dropping: running
    std::map<int, Task> newest;             // dropping: the newest waiting frame per stream
    NodeCounts counts;
  };

  // Which nodes run on a frame entering now (see Ticket); called in each stream's order.
  std::vector<bool> due(const T& item) {
    std::vector<bool> out(graph_.nodes.size(), true);
    std::lock_guard lock(rates_mutex_);
    for (size_t i = 0; i < graph_.nodes.size(); ++i) {
      const NodeSpec& spec = graph_.nodes[i];
      out[i] = Traits::sequence(item) % spec.every == 0;
      if (!out[i] || spec.fps <= 0) continue;
      const double now = Traits::time(item);
      const auto last = last_run_.find({static_cast<int>(i), Traits::stream(item)});
      out[i] = last == last_run_.end() || now - last->second >= 1.0 / spec.fps - 1e-6;
      if (out[i]) last_run_[{static_cast<int>(i), Traits::stream(item)}] = now;
    }
    return out;
  }

  void release() {
    std::lock_guard lock(mutex_);
    --in_flight_;
    room_.notify_one();
    end_if_drained();
  }
  void end_if_drained() {  // under mutex_
    if (!input_done_ || in_flight_ != 0) return;
    output_closed_ = true;
    output_ready_.notify_all();
  }

  void work() {
    for (;;) {
      std::optional<Task> task;
      {
        std::unique_lock lock(mutex_);
        task_ready_.wait(lock, [&] { return stopped_ || !tasks_.empty() || output_closed_; });
        if (stopped_ || (tasks_.empty() && output_closed_)) return;
        task.emplace(std::move(tasks_.front()));
        tasks_.pop_front();
      }
      run(std::move(*task));
    }
  }

  void run(Task task) {
    const int index = task.node;
    const NodeSpec& spec = graph_.nodes[index];
    Node& node = *nodes_[index];
    if (node.join) {
      std::vector<Task> out;
      {
        std::lock_guard lock(node.mutex);
        out = node.join->offer(task.input, std::move(task));
      }
      for (Task& t : out) forward(std::move(t), node.consumers, index);
    } else if (Traits::is_metadata(task.item)) {
      forward(std::move(task), node.consumers, index);
    } else if (spec.stateful) {
      {
        std::lock_guard lock(node.mutex);
        node.sequencer.add(std::move(task));
        if (node.busy) return;  // the worker draining it takes this one too
        node.busy = true;
      }
      for (;;) {
        std::optional<Task> next;
        {
          std::lock_guard lock(node.mutex);
          next = node.sequencer.next();
          if (!next) {
            node.busy = false;
            return;
          }
        }
        if (!execute(index, *next)) return;
        forward(std::move(*next), node.consumers, index);
      }
    } else if (spec.drops) {
      {
        std::lock_guard lock(node.mutex);
        if (!task.ticket->due[index]) {  // no result for the join: the frame ends here
          ++node.counts.passed;
          return;
        }
        if (node.busy) {
          auto [it, fresh] = node.newest.try_emplace(Traits::stream(task.item));
          if (!fresh) ++node.counts.dropped;
          it->second = std::move(task);  // the replaced frame leaves here
          return;
        }
        node.busy = true;
      }
      for (;;) {
        if (!execute(index, task)) return;
        forward(std::move(task), node.consumers, index);
        std::lock_guard lock(node.mutex);
        if (node.newest.empty()) {
          node.busy = false;
          return;
        }
        task = std::move(node.newest.begin()->second);
        node.newest.erase(node.newest.begin());
      }
    } else if (!due(index, task)) {
      forward(std::move(task), node.consumers, index);
    } else if (calls_.start) {
      start(index, std::move(task));
    } else if (run_now(index, task)) {
      forward(std::move(task), node.consumers, index);
    }
  }

  // Starts a stateless node that may finish on another thread (NodeCalls::start).
  void start(int index, Task task) {
    {
      std::lock_guard lock(mutex_);
      ++started_;
    }
    auto held = std::make_shared<Task>(std::move(task));
    auto done = [this, held, index](Status status) {
      if (!status.ok()) {
        stop(status.error());
      } else {
        {
          std::lock_guard lock(nodes_[index]->mutex);
          ++nodes_[index]->counts.ran;
        }
        forward(std::move(*held), nodes_[index]->consumers, index);
      }
      held->ticket.reset();  // the frame leaves before this executor may end
      std::lock_guard lock(mutex_);
      if (--started_ == 0) started_done_.notify_all();
    };
    if (calls_.start(index, held->item, done)) return;
    {
      std::lock_guard lock(mutex_);
      --started_;
    }
    Task sync = std::move(*held);
    if (run_now(index, sync)) forward(std::move(sync), nodes_[index]->consumers, index);
  }

  // Whether the node runs on the item; if not, passes it by (counted) and returns false.
  bool due(int index, Task& task) {
    Node& node = *nodes_[index];
    if (!calls_.runnable(task.item)) return false;
    if (task.ticket->due[index]) return true;
    calls_.pass(index, task.item);
    std::lock_guard lock(node.mutex);
    ++node.counts.passed;
    return false;
  }

  // Runs the node on the item, or passes it by; false when the node failed (the graph stops).
  bool execute(int index, Task& task) { return !due(index, task) || run_now(index, task); }

  // Runs the node on the item on this thread; false when it failed (the graph stops).
  bool run_now(int index, Task& task) {
    const Status status = calls_.process(index, task.item);
    if (!status.ok()) {
      stop(status.error());
      return false;
    }
    Node& node = *nodes_[index];
    std::lock_guard lock(node.mutex);
    ++node.counts.ran;
    return true;
  }

  // Hands the task to each consumer (a copy each but the last), or to the output after the last
  // node (`from` is the node that produced it; -1: the frames).
  void forward(Task task, const std::vector<int>& consumers, int from = -1) {
    if (from == graph_.output()) {
      std::unique_lock lock(mutex_);
      output_room_.wait(
          lock, [&] { return output_closed_ || output_.size() < options_.output_capacity; });
      if (!output_closed_) {
        output_.push_back(std::move(task.item));
        output_ready_.notify_one();
      }
      lock.unlock();
      return;  // the task's ticket goes with it
    }
    const std::string& name = from < 0 ? std::string(kFramesInput) : graph_.nodes[from].name;
    std::vector<Task> copies;
    for (size_t c = 0; c < consumers.size(); ++c) {
      const auto& inputs = graph_.nodes[consumers[c]].inputs;
      const size_t input = std::find(inputs.begin(), inputs.end(), name) - inputs.begin();
      if (c + 1 < consumers.size()) {
        copies.push_back(Task{task.item, consumers[c], input, task.ticket});
      } else {
        task.node = consumers[c];
        task.input = input;
        copies.push_back(std::move(task));
      }
    }
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    for (Task& copy : copies) tasks_.push_back(std::move(copy));
    task_ready_.notify_all();
  }

  GraphSpec graph_;
  NodeCalls<T> calls_;
  ExecutorOptions options_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<int> frames_consumers_;
  std::vector<std::thread> workers_;

  std::mutex rates_mutex_;
  std::map<std::pair<int, int>, double> last_run_;  // (node, stream) -> stream time of its last run

  mutable std::mutex mutex_;
  std::condition_variable room_, task_ready_, output_ready_, output_room_;
  // Tasks ready to run: at most (frames inside) x (nodes), so bounded by the limiter.
  std::deque<Task> tasks_;
  std::deque<T> output_;
  size_t in_flight_ = 0, high_water_ = 0;
  size_t started_ = 0;  // nodes started (NodeCalls::start) and not done yet
  std::condition_variable started_done_;
  bool input_done_ = false, stopped_ = false, output_closed_ = false;
  std::optional<Error> error_;
};

}  // namespace fp::graph
