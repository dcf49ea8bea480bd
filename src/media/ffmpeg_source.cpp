#include "media/ffmpeg_source.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace fp::media {

namespace {

// Frames this close before `start` are kept: containers round timestamps (29.97 fps in ms units).
constexpr double kStartSlack = 0.0005;
// A source may end this many frames short of its header's count without being called truncated:
// containers and decoders disagree by a frame or two at the end (dropped last B-frames, rounding).
constexpr int64_t kEndSlack = 2;
// avformat_find_stream_info reads up to analyzeduration (5 s by default) of a live stream.
constexpr double kProbeSeconds = 5;

std::string format_seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", seconds);
  return text;
}

bool is_valid(AVRational rate) { return rate.num > 0 && rate.den > 0; }

// The rate frame indices are derived from, or 0 when it is not constant. Streams that only know a
// timestamp tick (r_frame_rate 90000) or whose average differs from the base rate (variable frame
// rate) fall back to counting decoded frames.
double constant_frame_rate(const AVStream& stream) {
  constexpr double kMaxFps = 1000;
  if (!is_valid(stream.r_frame_rate)) return 0;
  const double base = av_q2d(stream.r_frame_rate);
  if (base > kMaxFps) return 0;
  if (is_valid(stream.avg_frame_rate)) {
    const double average = av_q2d(stream.avg_frame_rate);
    if (std::abs(average - base) > 0.01 * base) return 0;
  }
  return base;
}

// FFmpeg's tty demuxer takes any plain text file of a few hundred bytes for ANSI art and "decodes"
// it into pictures of rendered characters; the other text-art codecs are the same kind of thing.
// None of them is a video a user meant to analyse.
bool is_text_art(const AVFormatContext& format) {
  if (format.iformat && std::strcmp(format.iformat->name, "tty") == 0) return true;
  for (unsigned i = 0; i < format.nb_streams; ++i) {
    switch (format.streams[i]->codecpar->codec_id) {
      case AV_CODEC_ID_ANSI:
      case AV_CODEC_ID_BINTEXT:
      case AV_CODEC_ID_XBIN:
      case AV_CODEC_ID_IDF:
        return true;
      default:
        break;
    }
  }
  return false;
}

}  // namespace

FfmpegSource::FfmpegSource(const std::string& uri, const SourceOptions& options)
    : uri_(uri), options_(options), is_stream_(is_stream_uri(uri)) {
  info_.uri = uri;
  info_.kind = is_stream_ ? "stream" : "video";
}

Result<std::unique_ptr<FfmpegSource>> FfmpegSource::open(const std::string& uri,
                                                         const SourceOptions& options) {
  install_ffmpeg_log_capture();
  std::unique_ptr<FfmpegSource> source(new FfmpegSource(uri, options));
  ScopedErrorSink scope(source->errors_);
  FP_RETURN_IF_ERROR(source->open_input());
  FP_RETURN_IF_ERROR(source->open_decoder());
  source->describe_stream();
  // The first frame's timestamp, not the container's start_time, is the origin of indices: in AVI
  // files with B-frames the decoder's reorder delay shifts every timestamp by a few frames.
  source->frame_pending_ = source->decode_next() == 0;
  if (source->cancel_requested()) return source->cancelled_error();
  if (source->frame_pending_) {
    source->origin_ = source->frame_->best_effort_timestamp;
    source->info_.width = source->frame_->width;
    source->info_.height = source->frame_->height;
  }
  if (source->origin_ == AV_NOPTS_VALUE) {
    const int64_t start_time = source->format_->streams[source->stream_index_]->start_time;
    source->origin_ = start_time == AV_NOPTS_VALUE ? 0 : start_time;
  }
  // Live streams cannot seek, and sources without a constant frame rate number frames by counting
  // them from the first: next() drops their frames before `start` instead.
  if (options.start > 0 && !source->is_stream_ && source->constant_fps_ > 0) {
    source->seek_to_start();
    if (source->cancel_requested()) return source->cancelled_error();
  }
  return source;
}

Status FfmpegSource::open_input() {
  AVFormatContext* context = avformat_alloc_context();
  if (!context) return Error("input '" + uri_ + "': out of memory");
  context->interrupt_callback.callback = &FfmpegSource::interrupt_callback;
  context->interrupt_callback.opaque = this;
  AVDictionary* io_options = nullptr;
  if (is_stream_) {
    const auto micros = static_cast<int64_t>(options_.io_timeout * 1e6);
    av_dict_set_int(&io_options, "rw_timeout", micros, 0);
    // For rtmp, "timeout" means "listen for a connection", so only other protocols get it.
    if (uri_.rfind("rtmp", 0) != 0) av_dict_set_int(&io_options, "timeout", micros, 0);
    arm_deadline(options_.io_timeout);
  }
  const int opened = avformat_open_input(&context, uri_.c_str(), nullptr, &io_options);
  av_dict_free(&io_options);
  if (opened < 0) return open_error("cannot be opened", opened);  // context was freed
  format_.reset(context);
  if (is_text_art(*format_)) {
    return Error("input '" + uri_ +
                 "' is not a video or image FFmpeg can read (it is text, which FFmpeg's " +
                 format_->iformat->name + " demuxer would only render as ANSI art)");
  }
  if (is_stream_) arm_deadline(options_.io_timeout + kProbeSeconds);
  const int probed = avformat_find_stream_info(format_.get(), nullptr);
  if (probed < 0) return open_error("has no readable stream information", probed);
  return ok_status();
}

Status FfmpegSource::open_decoder() {
  const AVCodec* decoder = nullptr;
  const int index = av_find_best_stream(format_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
  if (index == AVERROR_STREAM_NOT_FOUND) return Error("input '" + uri_ + "' has no video stream");
  if (index < 0 || !decoder) {
    return Error("input '" + uri_ + "': no decoder for its video codec (" +
                 av_error_text(index < 0 ? index : AVERROR_DECODER_NOT_FOUND) + ")");
  }
  stream_index_ = index;
  // Other streams (audio, subtitles) are never decoded, so the demuxer may skip their packets.
  for (unsigned i = 0; i < format_->nb_streams; ++i) {
    if (static_cast<int>(i) != index) format_->streams[i]->discard = AVDISCARD_ALL;
  }
  AVStream* stream = format_->streams[index];
  const int width = stream->codecpar->width;
  const int height = stream->codecpar->height;
  if (static_cast<int64_t>(width) * height > options_.max_pixels) {
    return Error(pixel_limit_message("input '" + uri_ + "'", width, height, options_.max_pixels));
  }
  if (!is_stream_) index_timestamps_.emplace(stream);
  codec_.reset(avcodec_alloc_context3(decoder));
  packet_.reset(av_packet_alloc());
  frame_.reset(av_frame_alloc());
  if (!codec_ || !packet_ || !frame_) return Error("input '" + uri_ + "': out of memory");
  int ret = avcodec_parameters_to_context(codec_.get(), stream->codecpar);
  if (ret < 0) return open_error("has unusable codec parameters", ret);
  codec_->pkt_timebase = stream->time_base;
  codec_->thread_count = options_.decoder_threads;
  // Frames that grow past the limit later in the stream fail to decode instead of allocating.
  codec_->max_pixels = options_.max_pixels;
  errors_.attach(codec_.get());
  ret = avcodec_open2(codec_.get(), decoder, nullptr);
  if (ret < 0) return open_error("cannot be decoded by " + std::string(decoder->name), ret);
  info_.codec = decoder->name;
  return ok_status();
}

void FfmpegSource::describe_stream() {
  const AVStream& stream = *format_->streams[stream_index_];
  time_base_ = stream.time_base;
  constant_fps_ = constant_frame_rate(stream);
  const AVRational guessed =
      av_guess_frame_rate(format_.get(), format_->streams[stream_index_], nullptr);
  info_.fps = constant_fps_ > 0 ? constant_fps_ : (is_valid(guessed) ? av_q2d(guessed) : 0);
  info_.width = stream.codecpar->width;
  info_.height = stream.codecpar->height;
  // Durations estimated from the bit rate are guesses and would flag good inputs as truncated.
  const bool duration_is_estimate =
      format_->duration_estimation_method == AVFMT_DURATION_FROM_BITRATE;
  if (stream.duration != AV_NOPTS_VALUE && stream.duration > 0) {
    info_.duration = static_cast<double>(stream.duration) * av_q2d(time_base_);
  } else if (format_->duration != AV_NOPTS_VALUE && format_->duration > 0) {
    info_.duration = static_cast<double>(format_->duration) / AV_TIME_BASE;
  }
  if (duration_is_estimate) info_.duration = 0;
  info_.live = is_stream_ && options_.live.value_or(info_.duration <= 0);
  if (stream.nb_frames > 0) {
    info_.expected_frames = stream.nb_frames;
  } else if (info_.duration > 0 && constant_fps_ > 0) {
    info_.expected_frames = std::llround(info_.duration * constant_fps_);
  }
}

// Seeks to the keyframe before options_.start. A demuxer may land after the target (imprecise
// indexes, reorder delay), so when the first decoded frame is already past `start` the seek is
// retried from further back, up to the beginning of the file.
void FfmpegSource::seek_to_start() {
  for (double margin = 0;; margin = margin == 0 ? 1 : margin * 2) {
    const double target_seconds = options_.start - margin;
    const int64_t target = target_seconds <= 0
                               ? origin_
                               : origin_ + av_rescale_q(std::llround(target_seconds * AV_TIME_BASE),
                                                        AV_TIME_BASE_Q, time_base_);
    if (av_seek_frame(format_.get(), stream_index_, target, AVSEEK_FLAG_BACKWARD) < 0) return;
    av_frame_unref(frame_.get());
    avcodec_flush_buffers(codec_.get());  // drops packets in flight: restart the loss count
    packets_in_ = 0;
    frames_out_ = 0;
    draining_ = false;
    frame_pending_ = decode_next() == 0;
    if (!frame_pending_ || target_seconds <= 0) return;
    if (stamp(*frame_).pts <= options_.start + kStartSlack) return;
  }
}

// Leaves the next decoded frame in frame_ and returns 0, or AVERROR_EOF when nothing is left.
int FfmpegSource::decode_next() {
  for (;;) {
    const int64_t messages_before = errors_.count();
    const int ret = avcodec_receive_frame(codec_.get(), frame_.get());
    if (ret == 0) {
      ++decoded_;
      ++frames_out_;
      return 0;
    }
    if (ret == AVERROR_EOF) return AVERROR_EOF;
    if (ret != AVERROR(EAGAIN)) {
      note_decode_error(ret, messages_before);
      continue;
    }
    if (draining_ || cancelled_) return AVERROR_EOF;
    feed_packet();
  }
}

void FfmpegSource::feed_packet() {
  if (is_stream_) arm_deadline(options_.io_timeout);
  const int read = av_read_frame(format_.get(), packet_.get());
  if (read < 0 && cancel_requested()) {
    // The caller stopped the input: not an error, not a truncation. Frames still in the decoder
    // are dropped; next() ends the input.
    cancelled_ = true;
    draining_ = true;
    return;
  }
  if (read < 0) {
    // Anything but a clean end of file means frames were lost: report it, decode what we have.
    if (read != AVERROR_EOF) {
      report_.truncated = true;
      const bool timed_out =
          is_stream_ && (read == AVERROR_EXIT || read == AVERROR(ETIMEDOUT) || deadline_passed());
      end_error_ =
          timed_out ? timeout_message() : "reading '" + uri_ + "' failed: " + av_error_text(read);
      errors_.record(end_error_);
    }
    avcodec_send_packet(codec_.get(), nullptr);
    draining_ = true;
    return;
  }
  if (packet_->stream_index == stream_index_) {
    if (index_timestamps_) index_timestamps_->repair(*packet_);
    const int64_t ts = packet_->pts != AV_NOPTS_VALUE ? packet_->pts : packet_->dts;
    if (ts != AV_NOPTS_VALUE && (last_packet_ts_ == AV_NOPTS_VALUE || ts > last_packet_ts_)) {
      last_packet_ts_ = ts;
    }
    const int64_t messages_before = errors_.count();
    const int sent = avcodec_send_packet(codec_.get(), packet_.get());
    if (sent < 0) {
      note_decode_error(sent, messages_before);
    } else {
      ++packets_in_;
    }
  }
  av_packet_unref(packet_.get());
}

void FfmpegSource::note_decode_error(int error, int64_t messages_before) {
  ++report_.decode_errors;
  // Keep FFmpeg's own message when it logged one; it says more than the error code.
  if (errors_.count() == messages_before) {
    errors_.record("decoder rejected a packet: " + av_error_text(error));
  }
}

FfmpegSource::Stamp FfmpegSource::stamp(const AVFrame& frame) const {
  Stamp out;
  const int64_t ts = frame.best_effort_timestamp;
  if (ts != AV_NOPTS_VALUE) {
    // Exact rational arithmetic keeps pts == index / fps for integer rates (300 * 1/10 == 30.0).
    // In doubles: hostile timestamps near the int64 limits must not overflow a subtraction.
    out.pts =
        (static_cast<double>(ts) - static_cast<double>(origin_)) * time_base_.num / time_base_.den;
    out.index = constant_fps_ > 0 ? frame_number(out.pts) : decoded_ - 1;
  } else {
    out.index = constant_fps_ > 0 ? last_index_ + 1 : decoded_ - 1;
    out.pts = constant_fps_ > 0 ? static_cast<double>(out.index) / constant_fps_ : last_pts_;
  }
  // Indices key the pipeline's reordering, so they must grow even when timestamps repeat.
  if (out.index <= last_index_) out.index = last_index_ + 1;
  return out;
}

Result<std::optional<Frame>> FfmpegSource::next() {
  ScopedErrorSink scope(errors_);
  for (;;) {
    if (!finished_ && cancel_requested()) cancelled_ = true;
    if (cancelled_) {
      finished_ = true;
      return std::optional<Frame>();
    }
    if (lost_next_ < lost_end_) return std::optional<Frame>(lost_frame(lost_next_++));
    if (held_) {
      std::optional<Frame> out = std::move(held_);
      held_.reset();
      return out;
    }
    if (!frame_pending_) {
      if (finished_) return std::optional<Frame>();
      if (decode_next() != 0) {
        if (!cancelled_) finish();  // may queue lost frames at the end
        continue;
      }
    }
    frame_pending_ = false;
    const Stamp stamped = stamp(*frame_);
    end_index_ = std::max(end_index_, stamped.index + 1);
    if (stamped.pts < options_.start - kStartSlack) {
      av_frame_unref(frame_.get());
      continue;
    }
    Frame out;
    out.stream = options_.stream_id;
    out.index = stamped.index;
    out.pts = stamped.pts;
    ++report_.frames;
    const bool corrupt =
        (frame_->flags & AV_FRAME_FLAG_CORRUPT) != 0 || frame_->decode_error_flags != 0;
    if (corrupt) {
      out.skip_reason = "corrupt_frame";
      report_.add_damaged(out.index, out.pts);
    } else if (!convert_to_bgr(*frame_, out.image)) {
      out.skip_reason = "unsupported_pixel_format";
    }
    if (out.skipped()) {
      ++report_.skipped_frames;
    } else {
      report_.last_good_frame = out.index;
      report_.last_good_pts = out.pts;
    }
    av_frame_unref(frame_.get());
    return std::optional<Frame>(take_after_gap(std::move(out)));
  }
}

Frame FfmpegSource::take_after_gap(Frame frame) {
  const int64_t first_missing = last_index_ + 1;
  const bool gap = constant_fps_ > 0 && last_index_ >= 0 && frame.index > first_missing;
  last_index_ = frame.index;
  last_pts_ = frame.pts;
  if (!gap) return frame;
  if (is_stream_) {
    // A live stream's timeline may jump (a camera's clock, a restarted encoder): the frames in
    // between are counted, not invented.
    report_.lost_frames += frame.index - first_missing;
    return frame;
  }
  if (frame.index - first_missing > max_lost_gap()) {
    errors_.record("timestamps jump from frame " + std::to_string(first_missing - 1) +
                   " to frame " + std::to_string(frame.index) +
                   ": more than the file holds, so no frames are taken as lost there");
    return frame;
  }
  lost_next_ = first_missing;
  lost_end_ = frame.index;
  held_ = std::move(frame);
  return lost_frame(lost_next_++);
}

int64_t FfmpegSource::frame_number(double pts) const {
  // Clamped so that no timestamp, however hostile, overflows the conversion.
  constexpr double kLimit = 1e15;
  return std::llround(std::clamp(pts * constant_fps_, -kLimit, kLimit));
}

int64_t FfmpegSource::max_lost_gap() const {
  constexpr double kSecondsWithoutHeader = 3600;
  return info_.expected_frames > 0 ? info_.expected_frames
                                   : std::llround(constant_fps_ * kSecondsWithoutHeader);
}

Frame FfmpegSource::lost_frame(int64_t index) {
  Frame out;
  out.stream = options_.stream_id;
  out.index = index;
  out.pts = static_cast<double>(index) / constant_fps_;
  out.skip_reason = "undecodable_frame";
  ++report_.frames;
  ++report_.skipped_frames;
  ++report_.lost_frames;
  report_.add_damaged(index, out.pts);
  return out;
}

bool FfmpegSource::convert_to_bgr(const AVFrame& frame, cv::Mat& out) {
  if (frame.width <= 0 || frame.height <= 0 || frame.format < 0) return false;
  SwsContext* context = sws_getCachedContext(
      sws_.release(), frame.width, frame.height, static_cast<AVPixelFormat>(frame.format),
      frame.width, frame.height, AV_PIX_FMT_BGR24, SWS_BILINEAR, nullptr, nullptr, nullptr);
  sws_.reset(context);
  if (!context) {
    // av_get_pix_fmt_name() returns null for formats it does not know.
    const char* name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame.format));
    std::string message = "cannot convert pixel format ";
    message += name ? name : "unknown";
    message += " (";
    message += std::to_string(frame.format);
    message += ") to BGR";
    errors_.record(message);
    return false;
  }
  out.create(frame.height, frame.width, CV_8UC3);
  uint8_t* planes[4] = {out.data, nullptr, nullptr, nullptr};
  int strides[4] = {static_cast<int>(out.step[0]), 0, 0, 0};
  sws_scale(context, frame.data, frame.linesize, 0, frame.height, planes, strides);
  return true;
}

void FfmpegSource::queue_lost_tail() {
  if (constant_fps_ <= 0 || is_stream_ || last_index_ < 0 || last_packet_ts_ == AV_NOPTS_VALUE) {
    return;
  }
  const double last_packet_pts =
      (static_cast<double>(last_packet_ts_) - static_cast<double>(origin_)) * time_base_.num /
      time_base_.den;
  const int64_t packet_end = frame_number(last_packet_pts) + 1;
  if (packet_end - end_index_ > max_lost_gap()) return;  // a broken timestamp, not lost frames
  // Decoders hold back the last frame or two (reorder delay) and containers round: only a larger
  // shortfall is frames lost at the end.
  if (packet_end <= end_index_ + kEndSlack) return;
  lost_next_ = last_index_ + 1;
  lost_end_ = packet_end;
  end_index_ = packet_end;
}

void FfmpegSource::finish() {
  finished_ = true;
  queue_lost_tail();
  if (info_.expected_frames > 0 && end_index_ + kEndSlack < info_.expected_frames) {
    report_.truncated = true;
    if (end_error_.empty() && errors_.last().empty()) {
      end_error_ = "input '" + uri_ + "' ends after " + std::to_string(end_index_) +
                   " frames but its header says " + std::to_string(info_.expected_frames) +
                   " (truncated file?)";
    }
  }
}

SourceReport FfmpegSource::report() const {
  SourceReport out = report_;
  // Why the input ended early says more than a decoder complaining about the last partial frame.
  out.last_error = end_error_.empty() ? errors_.last() : end_error_;
  return out;
}

Error FfmpegSource::open_error(const std::string& what, int error) const {
  if (cancel_requested()) return cancelled_error();
  if (is_stream_) {
    if (error == AVERROR_EXIT || error == AVERROR(ETIMEDOUT) || deadline_passed()) {
      return Error(timeout_message());
    }
    return Error("stream '" + uri_ + "' " + what + " (" + av_error_text(error) + ")");
  }
  if (error == AVERROR(ENOENT)) return Error("input '" + uri_ + "' does not exist");
  std::string detail = av_error_text(error);
  const std::string logged = errors_.last();
  if (!logged.empty()) detail += ": " + logged;
  if (error == AVERROR_INVALIDDATA) {
    return Error("input '" + uri_ + "' is not a video or image FFmpeg can read (" + detail + ")");
  }
  return Error("input '" + uri_ + "' " + what + " (" + detail + ")");
}

std::string FfmpegSource::timeout_message() const {
  return "stream " + uri_ + ": no data for " + format_seconds(options_.io_timeout) + " s";
}

void FfmpegSource::arm_deadline(double seconds) {
  deadline_armed_ = true;
  deadline_ = std::chrono::steady_clock::now() +
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  std::chrono::duration<double>(seconds));
}

bool FfmpegSource::deadline_passed() const {
  return deadline_armed_ && std::chrono::steady_clock::now() > deadline_;
}

Error FfmpegSource::cancelled_error() const {
  return Error((is_stream_ ? "stream '" : "input '") + uri_ + "': opening was cancelled");
}

bool FfmpegSource::cancel_requested() const {
  return options_.cancel != nullptr && options_.cancel->load(std::memory_order_relaxed);
}

int FfmpegSource::interrupt_callback(void* opaque) {
  const auto* source = static_cast<const FfmpegSource*>(opaque);
  return source->cancel_requested() || source->deadline_passed() ? 1 : 0;
}

}  // namespace fp::media
