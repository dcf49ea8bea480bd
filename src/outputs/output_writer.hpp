// OutputWriter: a run's sinks, each on a thread of its own behind a bounded queue, so that writing
// files and encoding video never hold up the thread that takes results from the graph, and the
// sinks work side by side (an H.264 encode beside the JSONL rows). Results are shared, not copied:
// every sink reads the same FrameResult.
//
// write() hands a result to every sink that takes it, in the order it is called; a full queue
// blocks it (backpressure reaches the graph). A sink whose write fails stops writing (its thread
// keeps taking results, so nothing blocks) and write() then returns its Error; the first error of
// any sink is kept. finish() waits for every sink to write what it was given and finishes them
// all; files() then lists what they wrote, under .partial names, for the run to commit together.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "core/bounded_queue.hpp"
#include "outputs/sinks.hpp"

namespace fp::outputs {

class OutputWriter {
 public:
  // `queue`: results waiting per sink.
  OutputWriter(std::vector<std::unique_ptr<Sink>> sinks, size_t queue);
  // Stops the threads (without finishing the sinks) when finish() was not called.
  ~OutputWriter();
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

  Status write(std::shared_ptr<const FrameResult> item);
  // Waits for the queues to drain, then finishes every sink; the first error of the run.
  Status finish();

  // Frames (not RAW_STREAM metadata results) that every sink has written so far.
  int64_t frames_written() const;
  // Every sink's files so far, under their .partial names. Safe while the sinks write.
  std::vector<io::PendingFile> files() const;
  // The same by name ({"detections.jsonl": "out/detections.jsonl.partial", ...}), for run.json
  // while the run goes.
  nlohmann::ordered_json pending() const;

 private:
  struct Lane {
    std::unique_ptr<Sink> sink;
    BoundedQueue<std::shared_ptr<const FrameResult>> queue;
    mutable std::mutex mutex;  // held while the sink writes, and by files()
    std::thread thread;
    bool failed = false;
    int64_t frames = 0;  // frames written (guarded by `mutex`)
    explicit Lane(std::unique_ptr<Sink> s, size_t capacity) : sink(std::move(s)), queue(capacity) {}
  };
  void drain(Lane& lane);
  void record(const Error& error);
  std::optional<Error> error() const;
  void stop();

  std::vector<std::unique_ptr<Lane>> lanes_;
  mutable std::mutex error_mutex_;
  std::optional<Error> error_;
  bool stopped_ = false;
};

// `outputs` by name, each file's final path when `committed`, else its .partial name.
nlohmann::ordered_json outputs_json(const std::vector<io::PendingFile>& files, bool committed);

}  // namespace fp::outputs
