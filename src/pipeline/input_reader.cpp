#include "pipeline/input_reader.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "media/sampler.hpp"

namespace fp::pipeline {

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

InputReader::InputReader(const PipelineConfig& config, std::vector<std::string> inputs,
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
  return ok_status();
}

Result<std::unique_ptr<media::Source>> InputReader::open_input(size_t index) const {
  media::SourceOptions options;
  options.stream_id = static_cast<int>(index);
  options.start = config_.sampling.start;
  options.decoder_threads = config_.decoder_threads;
  options.io_timeout = config_.io_timeout;
  options.cancel = cancel_;
  return media::open_source(inputs_[index], options);
}

void InputReader::run(BoundedQueue<FrameResult>& out) {
  for (size_t i = 0; i < inputs_.size() && !cancelled_; ++i) {
    InputRecord& record = records_[i];
    std::unique_ptr<media::Source> source = i == 0 ? std::move(first_) : nullptr;
    if (!source) {
      auto opened = open_input(i);
      if (!opened.ok()) {
        record.error = opened.error().message();
        spdlog::warn("{}", record.error);
        continue;
      }
      source = std::move(opened).value();
    }
    record.info = source->info();
    const media::Sampler estimator(sampling_for(record.info, config_.sampling));
    expected_frames_ += estimator.estimate(record.info.expected_frames, record.info.fps);
    bool go_on = false;
    try {
      go_on = read_source(*source, record, out);
    } catch (const std::exception& e) {
      record.error = std::string("reading stopped on an internal error: ") + e.what();
    }
    record.source = source->report();
    if (cancelled_) cancelled_live_stream_ = record.info.kind == "stream";
    if (record.source.frames == 0 && record.error.empty() && !cancelled_) {
      record.error = "no frame could be read from this input";
      if (!record.source.last_error.empty()) record.error += " (" + record.source.last_error + ")";
    }
    if (!go_on) break;
  }
  out.close();
}

bool InputReader::read_source(media::Source& source, InputRecord& record,
                              BoundedQueue<FrameResult>& out) {
  media::Sampler sampler(sampling_for(record.info, config_.sampling));
  double decode_ms = 0;  // decoding time since the last queued frame, skipped frames included
  while (true) {
    if (cancel_requested()) {
      cancelled_ = true;
      return false;
    }
    const auto start = SteadyClock::now();
    auto next = source.next();
    decode_ms += std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
    if (!next.ok()) {
      record.error = next.error().message();
      return true;
    }
    if (!next->has_value()) {
      cancelled_ = cancel_requested();  // a cancelled network read ends the source early
      return !cancelled_;
    }
    Frame& frame = **next;
    if (sampler.finished(frame.pts)) return true;
    if (!sampler.accept(frame.index, frame.pts)) continue;
    FrameResult item;
    item.frame = std::move(frame);
    item.sequence = sequence_++;
    item.decoded_at = SteadyClock::now();
    item.timings.emplace_back("decode", decode_ms);
    decode_ms = 0;
    if (!out.push(std::move(item))) return false;
  }
}

}  // namespace fp::pipeline
