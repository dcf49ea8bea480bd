// InputReader: the decode thread's work. Opens each input in turn (the first one up front, so a
// bad input fails before any work; later ones when their turn comes, so only one decoder and one
// connection are open at a time), samples its frames and queues them for the stages.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "media/source.hpp"
#include "pipeline/bounded_queue.hpp"
#include "pipeline/frame_result.hpp"
#include "pipeline/pipeline_config.hpp"
#include "pipeline/run_report.hpp"

namespace fp::pipeline {

class InputReader {
 public:
  InputReader(const PipelineConfig& config, std::vector<std::string> inputs,
              const std::atomic<bool>* cancel);

  // Checks every input can be found and opens the first; the Error names the bad input.
  Status open();
  const media::SourceInfo& first_info() const { return first_->info(); }

  // Reads every input into `out`, then closes it. Returns early when `out` is closed by a
  // consumer or cancel is set. Runs on the decode thread; never throws.
  void run(BoundedQueue<FrameResult>& out);

  // Frames the run should produce over the inputs opened so far (0 for unknown lengths).
  int64_t expected_frames() const { return expected_frames_.load(); }
  // After run(): one record per input, and whether reading ended because of cancel, and if so
  // whether it was a live stream that was being read (the normal way to end one).
  const std::vector<InputRecord>& records() const { return records_; }
  bool cancelled() const { return cancelled_; }
  bool cancelled_live_stream() const { return cancelled_live_stream_; }

 private:
  Result<std::unique_ptr<media::Source>> open_input(size_t index) const;
  // Reads one source; false when the run must stop (queue closed or cancelled).
  bool read_source(media::Source& source, InputRecord& record, BoundedQueue<FrameResult>& out);
  bool cancel_requested() const { return cancel_ && cancel_->load(); }

  const PipelineConfig& config_;
  std::vector<std::string> inputs_;
  const std::atomic<bool>* cancel_;
  std::unique_ptr<media::Source> first_;
  std::vector<InputRecord> records_;
  std::atomic<int64_t> expected_frames_{0};
  int64_t sequence_ = 0;
  bool cancelled_ = false;
  bool cancelled_live_stream_ = false;
};

}  // namespace fp::pipeline
