// Shared FFmpeg plumbing for the media module: owning pointers for libav objects, error text, and
// the log capture that turns FFmpeg's log lines into per-source "last error" messages.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

namespace fp::media {

struct FormatInputDeleter {
  void operator()(AVFormatContext* context) const { avformat_close_input(&context); }
};
struct CodecContextDeleter {
  void operator()(AVCodecContext* context) const { avcodec_free_context(&context); }
};
struct FrameDeleter {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct PacketDeleter {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct SwsDeleter {
  void operator()(SwsContext* context) const { sws_freeContext(context); }
};

using FormatInputPtr = std::unique_ptr<AVFormatContext, FormatInputDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;

// av_err2str() is a C compound literal and does not compile as C++.
std::string av_error_text(int error);

// Collects FFmpeg error-level messages meant for one source or writer. FFmpeg logs from the
// caller's thread (demuxer) and from its own decoder threads, so a sink is reached two ways: the
// ScopedErrorSink of the calling thread, and AVCodecContext::opaque (copied into every decoder
// thread's context by FFmpeg).
class ErrorSink {
 public:
  ErrorSink();
  ~ErrorSink();
  ErrorSink(const ErrorSink&) = delete;
  ErrorSink& operator=(const ErrorSink&) = delete;

  void record(const std::string& message);
  std::string last() const;
  int64_t count() const;  // messages recorded so far; lets callers see whether a call logged

  // Routes messages logged by `context` and its decoder threads here.
  void attach(AVCodecContext* context) { context->opaque = this; }

 private:
  // Guarded by a mutex shared by all sinks: errors are rare, and the log callback must check that
  // a sink is still registered before writing to it.
  std::string last_;
  int64_t count_ = 0;
};

// While alive, FFmpeg errors logged on this thread go to `sink`.
class ScopedErrorSink {
 public:
  explicit ScopedErrorSink(ErrorSink& sink);
  ~ScopedErrorSink();
  ScopedErrorSink(const ScopedErrorSink&) = delete;
  ScopedErrorSink& operator=(const ScopedErrorSink&) = delete;

 private:
  ErrorSink* previous_;
};

// Replaces FFmpeg's stderr printing with the capture above (forwarding to spdlog at debug level).
// Every open calls it, but it installs the callback only once per process: setting it again would
// race with FFmpeg threads logging at the same time. Nothing else in framepipe may set FFmpeg's log
// callback (OpenCV's videoio would; framepipe does not link it).
void install_ffmpeg_log_capture();

}  // namespace fp::media
