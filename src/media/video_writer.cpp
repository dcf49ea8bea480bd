#include "media/video_writer.hpp"

#include <array>

#include "media/ffmpeg_util.hpp"

extern "C" {
#include <libavutil/opt.h>
}

namespace fp::media {

namespace {

// Closes the file (when one was opened) and frees the muxer; used with or without a trailer.
struct FormatOutputDeleter {
  void operator()(AVFormatContext* context) const {
    if (!(context->oformat->flags & AVFMT_NOFILE)) avio_closep(&context->pb);
    avformat_free_context(context);
  }
};
using FormatOutputPtr = std::unique_ptr<AVFormatContext, FormatOutputDeleter>;

// libx264 gives much smaller files; the built-in mpeg4 encoder is there when x264 is not.
constexpr std::array<const char*, 2> kEncoders = {"libx264", "mpeg4"};
// mpeg4 quantiser (2 best .. 31 worst): 4 looks close to x264 at crf 23.
constexpr int kMpeg4Quantiser = 4;

class FfmpegVideoWriter final : public VideoWriter {
 public:
  explicit FfmpegVideoWriter(const std::string& path) : path_(path) {}

  Status open(const std::string& format, int width, int height, double fps);
  Status write(const cv::Mat& bgr) override;
  Status close() override;
  std::string codec_name() const override { return codec_->codec->name; }

 private:
  Status open_encoder(const AVCodec& encoder, AVRational frame_rate);
  Status encode(const AVFrame* frame);  // nullptr flushes the encoder
  Error error(const std::string& what, int code) const;

  std::string path_;
  // FFmpeg errors logged by the encoder (attached in open(), so its own threads' messages land here
  // too) and by the muxer; error() appends the last one. Declared before the FFmpeg objects so it
  // outlives the encoder threads that log into it.
  ErrorSink errors_;
  FormatOutputPtr output_;
  CodecContextPtr codec_;
  AVStream* stream_ = nullptr;  // owned by output_
  FramePtr frame_;
  PacketPtr packet_;
  SwsPtr sws_;
  int64_t next_pts_ = 0;
  bool closed_ = false;
};

Error FfmpegVideoWriter::error(const std::string& what, int code) const {
  std::string message = "cannot write video '" + path_ + "': " + what;
  if (code < 0) message += " (" + av_error_text(code) + ")";
  const std::string logged = errors_.last();
  if (!logged.empty()) message += "; ffmpeg: " + logged;
  return Error(message);
}

Status FfmpegVideoWriter::open(const std::string& format, int width, int height, double fps) {
  ScopedErrorSink scope(errors_);
  // yuv420p halves the chroma planes, so encoders need even sizes.
  width -= width % 2;
  height -= height % 2;
  if (width < 2 || height < 2) return error("frame size is too small", 0);
  if (!(fps > 0)) return error("frame rate must be positive", 0);

  AVFormatContext* raw = nullptr;
  int ret = avformat_alloc_output_context2(&raw, nullptr, format.c_str(), path_.c_str());
  if (ret < 0 || !raw) return error("unknown video format '" + format + "'", ret);
  output_.reset(raw);

  const AVRational frame_rate = av_d2q(fps, 65535);
  Status opened = error("no encoder for format '" + format + "'", 0);
  for (const char* name : kEncoders) {
    const AVCodec* encoder = avcodec_find_encoder_by_name(name);
    if (!encoder ||
        avformat_query_codec(output_->oformat, encoder->id, FF_COMPLIANCE_NORMAL) != 1) {
      continue;
    }
    codec_.reset(avcodec_alloc_context3(encoder));
    if (!codec_) return error("out of memory", 0);
    errors_.attach(codec_.get());
    codec_->width = width;
    codec_->height = height;
    opened = open_encoder(*encoder, frame_rate);
    if (opened.ok()) break;
  }
  FP_RETURN_IF_ERROR(opened);

  stream_ = avformat_new_stream(output_.get(), nullptr);
  if (!stream_) return error("out of memory", 0);
  stream_->time_base = codec_->time_base;
  stream_->avg_frame_rate = frame_rate;
  ret = avcodec_parameters_from_context(stream_->codecpar, codec_.get());
  if (ret < 0) return error("cannot set stream parameters", ret);
  if (!(output_->oformat->flags & AVFMT_NOFILE)) {
    ret = avio_open(&output_->pb, path_.c_str(), AVIO_FLAG_WRITE);
    if (ret < 0) return error("cannot create the file", ret);
  }
  ret = avformat_write_header(output_.get(), nullptr);
  if (ret < 0) return error("cannot write the header", ret);

  frame_.reset(av_frame_alloc());
  packet_.reset(av_packet_alloc());
  if (!frame_ || !packet_) return error("out of memory", 0);
  frame_->format = codec_->pix_fmt;
  frame_->width = width;
  frame_->height = height;
  ret = av_frame_get_buffer(frame_.get(), 0);
  if (ret < 0) return error("out of memory", ret);
  return ok_status();
}

Status FfmpegVideoWriter::open_encoder(const AVCodec& encoder, AVRational frame_rate) {
  codec_->pix_fmt = AV_PIX_FMT_YUV420P;
  codec_->time_base = av_inv_q(frame_rate);
  codec_->framerate = frame_rate;
  if (output_->oformat->flags & AVFMT_GLOBALHEADER) codec_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* options = nullptr;
  if (std::string(encoder.name) == "libx264") {
    av_dict_set(&options, "preset", "veryfast", 0);
    av_dict_set(&options, "crf", "23", 0);
  } else {
    codec_->flags |= AV_CODEC_FLAG_QSCALE;
    codec_->global_quality = FF_QP2LAMBDA * kMpeg4Quantiser;
  }
  const int ret = avcodec_open2(codec_.get(), &encoder, &options);
  av_dict_free(&options);
  if (ret < 0) return error(std::string("cannot open encoder ") + encoder.name, ret);
  return ok_status();
}

Status FfmpegVideoWriter::write(const cv::Mat& bgr) {
  ScopedErrorSink scope(errors_);
  if (closed_) return error("write() after close()", 0);
  if (bgr.empty() || bgr.type() != CV_8UC3) return error("frames must be 8-bit BGR images", 0);
  SwsContext* context = sws_getCachedContext(sws_.release(), bgr.cols, bgr.rows, AV_PIX_FMT_BGR24,
                                             frame_->width, frame_->height, AV_PIX_FMT_YUV420P,
                                             SWS_BILINEAR, nullptr, nullptr, nullptr);
  sws_.reset(context);
  if (!context) return error("cannot convert the frame to yuv420p", 0);
  // The encoder may still hold a reference to the previous frame's buffers.
  int ret = av_frame_make_writable(frame_.get());
  if (ret < 0) return error("out of memory", ret);
  const uint8_t* planes[4] = {bgr.data, nullptr, nullptr, nullptr};
  const int strides[4] = {static_cast<int>(bgr.step[0]), 0, 0, 0};
  sws_scale(context, planes, strides, 0, bgr.rows, frame_->data, frame_->linesize);
  frame_->pts = next_pts_++;
  frame_->quality = codec_->global_quality;
  return encode(frame_.get());
}

Status FfmpegVideoWriter::encode(const AVFrame* frame) {
  int ret = avcodec_send_frame(codec_.get(), frame);
  if (ret < 0) return error("encoding failed", ret);
  for (;;) {
    ret = avcodec_receive_packet(codec_.get(), packet_.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return ok_status();
    if (ret < 0) return error("encoding failed", ret);
    av_packet_rescale_ts(packet_.get(), codec_->time_base, stream_->time_base);
    packet_->stream_index = stream_->index;
    ret = av_interleaved_write_frame(output_.get(), packet_.get());  // takes the packet's data
    if (ret < 0) return error("writing failed", ret);
  }
}

Status FfmpegVideoWriter::close() {
  ScopedErrorSink scope(errors_);
  if (closed_) return ok_status();
  closed_ = true;
  FP_RETURN_IF_ERROR(encode(nullptr));
  int ret = av_write_trailer(output_.get());
  if (ret < 0) return error("cannot write the trailer", ret);
  if (!(output_->oformat->flags & AVFMT_NOFILE)) {
    ret = avio_closep(&output_->pb);
    if (ret < 0) return error("cannot finish the file", ret);
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<VideoWriter>> VideoWriter::open(const std::string& path,
                                                       const std::string& format, int width,
                                                       int height, double fps) {
  install_ffmpeg_log_capture();
  auto writer = std::make_unique<FfmpegVideoWriter>(path);
  FP_RETURN_IF_ERROR(writer->open(format, width, height, fps));
  return std::unique_ptr<VideoWriter>(std::move(writer));
}

}  // namespace fp::media
