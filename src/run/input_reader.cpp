#include "run/input_reader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "media/sampler.hpp"

namespace fp::run {

namespace {

bool is_image_input(const media::SourceInfo& info) {
  return info.kind == "image" || info.kind == "image_folder";
}

// Images have no timeline: only the stride applies to them.
media::SamplingOptions sampling_for(const media::SourceInfo& info, media::SamplingOptions options) {
  if (!is_image_input(info)) return options;
  if (options.fps > 0 || options.start > 0 || options.end > 0) {
    spdlog::warn("input '{}' is made of images: fps, start and end do not apply to it", info.uri);
  }
  options.fps = 0;
  options.start = 0;
  options.end = 0;
  return options;
}

}  // namespace

InputReader::InputReader(const pipeline::PipelineConfig& config, std::vector<std::string> inputs,
                         const std::atomic<bool>* cancel)
    : config_(config), inputs_(std::move(inputs)), cancel_(cancel) {
  for (size_t i = 0; i < inputs_.size(); ++i) {
    InputRecord record;
    record.info.uri = inputs_[i];
    records_.push_back(std::move(record));
  }
}

Status InputReader::open() {
  if (inputs_.empty()) {
    return Error("no input given: name a video, image, image folder or stream URL");
  }
  for (const std::string& input : inputs_) {
    if (!media::is_stream_uri(input) && !std::filesystem::exists(input)) {
      return Error("input '" + input + "' does not exist");
    }
  }
  FP_ASSIGN_OR_RETURN(first_, open_input(0));
  records_[0].info = first_->info();
  return ok_status();
}

Result<std::unique_ptr<media::Source>> InputReader::open_input(size_t index) const {
  media::SourceOptions options;
  options.stream_id = static_cast<int>(index);
  options.start = config_.sampling.start;
  options.decoder_threads = config_.decoder_threads;
  options.io_timeout = config_.io_timeout;
  options.max_pixels = config_.max_pixels;
  options.live = config_.live;
  options.cancel = cancel_;
  return media::open_source(inputs_[index], options);
}

void InputReader::run(BoundedQueue<FrameResult>& out) {
  const size_t threads = std::min(inputs_.size(), static_cast<size_t>(config_.streams));
  std::vector<std::thread> readers;
  for (size_t t = 1; t < threads; ++t) {  // the calling thread is the first reader
    try {
      readers.emplace_back([&] { read_inputs(out); });
    } catch (const std::system_error& e) {
      spdlog::warn("reading {} inputs at a time, not {}: {}", t, threads, e.what());
      break;
    }
  }
  read_inputs(out);
  for (std::thread& reader : readers) reader.join();
  out.close();
}

void InputReader::read_inputs(BoundedQueue<FrameResult>& out) {
  while (!stopped_) {
    const size_t index = next_input_++;
    if (index >= inputs_.size()) return;
    if (cancel_requested()) {  // this input never starts
      cancelled_ = true;
      stopped_ = true;
      return;
    }
    try {
      read_input(index, out);
    } catch (const std::exception& e) {  // from opening: reading catches its own
      records_[index].error = std::string("opening stopped on an internal error: ") + e.what();
    }
  }
}

void InputReader::read_input(size_t index, BoundedQueue<FrameResult>& out) {
  InputRecord& record = records_[index];
  std::unique_ptr<media::Source> source = index == 0 ? std::move(first_) : nullptr;
  if (!source) {
    auto opened = open_input(index);
    if (!opened.ok() && cancel_requested()) {  // a cancelled network open: never started
      cancelled_ = true;
      stopped_ = true;
      return;
    }
    if (!opened.ok()) {
      record.error = opened.error().message();
      spdlog::warn("{}", record.error);
      return;
    }
    source = std::move(opened).value();
    record.info = source->info();  // before the first frame is queued: see info()
  }
  const media::Sampler estimator(sampling_for(record.info, config_.sampling));
  expected_frames_ += estimator.estimate(record.info.expected_frames, record.info.fps);
  ReadEnd end = ReadEnd::kFinished;
  try {
    end = read_source(*source, record, out);
  } catch (const std::exception& e) {
    record.error = std::string("reading stopped on an internal error: ") + e.what();
  }
  record.source = source->report();
  if (end == ReadEnd::kCancelled) {
    cancelled_ = true;
    (record.info.live ? cut_stream_ : cut_other_) = true;
  }
  if (end != ReadEnd::kFinished) stopped_ = true;
  if (record.source.frames == 0 && record.error.empty() && end == ReadEnd::kFinished) {
    record.error = "no frame could be read from this input";
    if (!record.source.last_error.empty()) record.error += " (" + record.source.last_error + ")";
  }
}

InputReader::ReadEnd InputReader::read_source(media::Source& source, InputRecord& record,
                                              BoundedQueue<FrameResult>& out) {
  media::Sampler sampler(sampling_for(record.info, config_.sampling));
  const bool drop_oldest = config_.drop_oldest && record.info.live;
  std::optional<std::pair<SteadyClock::time_point, double>> first_arrival;  // (when, pts)
  double decode_ms = 0;  // decoding time since the last queued frame, skipped frames included
  while (true) {
    if (cancel_requested()) return ReadEnd::kCancelled;
    const auto start = SteadyClock::now();
    auto next = source.next();
    decode_ms += std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
    if (!next.ok()) {
      record.error = next.error().message();
      return ReadEnd::kFinished;
    }
    if (!next->has_value()) {  // a cancelled network read ends the source early
      return cancel_requested() ? ReadEnd::kCancelled : ReadEnd::kFinished;
    }
    Frame& frame = **next;
    if (sampler.finished(frame.pts)) return ReadEnd::kFinished;
    if (!sampler.accept(frame.index, frame.pts)) continue;
    FrameResult item;
    item.frame = std::move(frame);
    item.decoded_at = SteadyClock::now();
    if (record.info.live) {
      // The stream's clock: the first frame's arrival plus the pts since. A frame that arrives
      // before its capture time by that clock (the timeline jumped ahead) sets the clock again.
      auto capture = [&] {
        return first_arrival->first +
               std::chrono::duration_cast<SteadyClock::duration>(
                   std::chrono::duration<double>(item.frame.pts - first_arrival->second));
      };
      if (!first_arrival || capture() > item.decoded_at) {
        first_arrival.emplace(item.decoded_at, item.frame.pts);
      }
      item.captured_at = capture();
    }
    item.timings.emplace_back("decode", decode_ms);
    decode_ms = 0;
    const int stream = item.frame.stream;
    auto same_stream = [stream](const FrameResult& queued) {
      return queued.frame.stream == stream;
    };
    const bool queued = drop_oldest
                            ? out.push_replacing(std::move(item), same_stream, record.dropped)
                            : out.push(std::move(item));
    if (!queued) return ReadEnd::kQueueClosed;
  }
}

}  // namespace fp::run
