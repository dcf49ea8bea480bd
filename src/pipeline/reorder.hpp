// Reorder: puts processed frames back in read order within each stream, whatever order the workers
// finished them in. A frame is released as soon as it is the next one of its own stream, so one
// stream never waits on another. It holds only frames that finished ahead of an earlier frame of
// their own stream that is still in flight, so it stays bounded by the frames in flight. Used on
// one thread (the runner's sink thread).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "pipeline/frame_result.hpp"

namespace fp::pipeline {

class Reorder {
 public:
  // Takes a frame whose `sequence` is its position among its stream's queued frames (0, 1, ...).
  void add(FrameResult item);
  // The next released frame, in the order streams became ready; std::nullopt when none is.
  std::optional<FrameResult> next();

 private:
  struct StreamState {
    std::map<int64_t, FrameResult> pending;  // arrived ahead of an earlier frame of the stream
    int64_t next = 0;                        // sequence the stream releases next
  };
  std::map<int, StreamState> streams_;
  std::deque<FrameResult> ready_;
};

}  // namespace fp::pipeline
