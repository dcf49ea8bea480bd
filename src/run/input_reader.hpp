// InputReader: the decode threads' work. Reads up to `source.streams` inputs at the same time,
// each on its own thread with its own decoder, samples their frames and queues them all on one
// bounded queue for the stages (a full queue blocks every reader: backpressure; with source.live:
// drop_oldest a live input's newest frame replaces its oldest queued one instead). When an input
// ends, its thread takes the next input not yet started. The first input is opened up front, so a
// bad first input fails before any work; later ones are opened when a thread takes them, and one
// that cannot be opened then is an error of that input, not of the run.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/bounded_queue.hpp"
#include "media/source.hpp"
#include "pipeline/frame_result.hpp"
#include "pipeline/pipeline_config.hpp"
#include "run/run_report.hpp"

namespace fp::run {

using pipeline::FrameResult;

class InputReader {
 public:
  InputReader(const pipeline::PipelineConfig& config, std::vector<std::string> inputs,
              const std::atomic<bool>* cancel);

  // Checks every input can be found and opens the first; the Error names the bad input.
  Status open();
  const media::SourceInfo& first_info() const { return info(0); }
  // What input `stream` is, once open() succeeded (stream 0) or once a frame of that stream has
  // come out of the queue: it is set before the stream's first frame is queued and never after.
  const media::SourceInfo& info(int stream) const { return records_[stream].info; }

  // Reads every input into `out` on up to `source.streams` threads of its own, joins them, then
  // closes `out`. Returns early when `out` is closed by a consumer or cancel is set: every reading
  // thread stops and no further input starts. Never throws.
  void run(BoundedQueue<FrameResult>& out);

  // Frames the run should produce over the inputs opened so far (0 for unknown lengths).
  int64_t expected_frames() const { return expected_frames_.load(); }
  // After run(): one record per input, and whether reading ended because of cancel, and if so
  // whether it ended live streams only (the normal way to end one): at least one live input
  // (SourceInfo::live) and no other input (a file, an image, a finite stream) was being read
  // when cancel hit.
  const std::vector<InputRecord>& records() const { return records_; }
  bool cancelled() const { return cancelled_.load(); }
  bool cancelled_live_stream() const { return cut_stream_.load() && !cut_other_.load(); }

 private:
  Result<std::unique_ptr<media::Source>> open_input(size_t index) const;
  // One reading thread: takes inputs not yet started until none is left or the run must stop.
  void read_inputs(BoundedQueue<FrameResult>& out);
  // Opens (unless it is the first) and reads input `index` into `out`.
  void read_input(size_t index, BoundedQueue<FrameResult>& out);
  // How reading one source ended: at its end or on its own error, or because the run must stop.
  enum class ReadEnd { kFinished, kCancelled, kQueueClosed };
  ReadEnd read_source(media::Source& source, InputRecord& record, BoundedQueue<FrameResult>& out);
  bool cancel_requested() const { return cancel_ && cancel_->load(); }

  const pipeline::PipelineConfig& config_;
  std::vector<std::string> inputs_;
  const std::atomic<bool>* cancel_;
  std::unique_ptr<media::Source> first_;
  // Each record is written only by the thread that took its input, and read after run().
  std::vector<InputRecord> records_;
  std::atomic<size_t> next_input_{0};  // the next input a free thread takes
  std::atomic<int64_t> expected_frames_{0};
  std::atomic<bool> stopped_{false};     // queue closed or cancelled: start no further input
  std::atomic<bool> cancelled_{false};   // reading ended because of cancel
  std::atomic<bool> cut_stream_{false};  // cancel cut a stream input short
  std::atomic<bool> cut_other_{false};   // cancel cut a file or image input short
};

}  // namespace fp::run
