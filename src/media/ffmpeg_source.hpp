// FfmpegSource: a video file or network stream decoded with libavformat/libavcodec into BGR frames.
//
// Frame::index is the frame number in the source, derived from the frame's timestamp when the
// stream has a constant frame rate (so seeking with SourceOptions::start keeps the source's
// numbering), otherwise a count of decoded frames. Timestamps come from the container's index
// where it has one (IndexTimestamps), so a damaged range the demuxer skipped does not renumber
// the frames after it. With a constant frame rate every frame of the timeline is returned: one
// that no decoder call produced (lost in a damaged range, swallowed by the decoder) comes back
// skipped as "undecodable_frame" at its own index, counted in SourceReport::lost_frames. A count is
// only right from the first frame, so sources without a constant frame rate are never seeked: with
// SourceOptions::start they are decoded from the beginning and the frames before `start` dropped.
// Frame::pts is seconds since the first frame.
//
// SourceOptions::cancel is polled by FFmpeg's interrupt callback (about every 100 ms while a
// network open or read blocks) and checked by next().
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "media/ffmpeg_util.hpp"
#include "media/index_timestamps.hpp"
#include "media/source.hpp"

namespace fp::media {

class FfmpegSource final : public Source {
 public:
  // `uri` is a local path or a stream URL (is_stream_uri); streams get io_timeout deadlines.
  static Result<std::unique_ptr<FfmpegSource>> open(const std::string& uri,
                                                    const SourceOptions& options);
  ~FfmpegSource() override = default;

  const SourceInfo& info() const override { return info_; }
  Result<std::optional<Frame>> next() override;
  SourceReport report() const override;

 private:
  struct Stamp {
    int64_t index = 0;
    double pts = 0;
  };

  FfmpegSource(const std::string& uri, const SourceOptions& options);
  Status open_input();
  Status open_decoder();
  void describe_stream();
  void seek_to_start();

  int decode_next();
  void feed_packet();
  void note_decode_error(int error, int64_t messages_before);
  Stamp stamp(const AVFrame& frame) const;
  // Returns `frame` after the lost frames in front of it (it is held until they are returned).
  Frame take_after_gap(Frame frame);
  Frame lost_frame(int64_t index);
  // The frame number of a pts, at the constant frame rate.
  int64_t frame_number(double pts) const;
  // The longest run of missing frames taken as lost: the header's frame count, or an hour of
  // frames without one. A longer jump is a broken timestamp, not a damaged range.
  int64_t max_lost_gap() const;
  // After the decoder's last frame: frames the demuxer read packets for but no frame came out of.
  void queue_lost_tail();
  bool convert_to_bgr(const AVFrame& frame, cv::Mat& out);
  void finish();

  Error open_error(const std::string& what, int error) const;
  Error cancelled_error() const;
  bool cancel_requested() const;
  std::string timeout_message() const;
  void arm_deadline(double seconds);
  bool deadline_passed() const;
  static int interrupt_callback(void* opaque);

  std::string uri_;
  SourceOptions options_;
  bool is_stream_ = false;
  SourceInfo info_;
  SourceReport report_;

  // Declared before the FFmpeg objects so it outlives the decoder threads that log into it.
  ErrorSink errors_;
  std::string end_error_;  // why the input ended early (read error, timeout, short file)
  bool deadline_armed_ = false;
  std::chrono::steady_clock::time_point deadline_;

  FormatInputPtr format_;
  CodecContextPtr codec_;
  PacketPtr packet_;
  std::optional<IndexTimestamps> index_timestamps_;
  FramePtr frame_;
  SwsPtr sws_;
  int stream_index_ = -1;
  AVRational time_base_{0, 1};
  double constant_fps_ = 0;  // 0 when the frame rate is unknown or variable

  int64_t origin_ = AV_NOPTS_VALUE;  // timestamp of the first frame: index 0, pts 0
  int64_t decoded_ = 0;              // frames the decoder produced, for sources without fps
  int64_t packets_in_ = 0;           // packets the decoder accepted, since the last seek
  int64_t frames_out_ = 0;           // frames it produced, since the last seek
  int64_t last_index_ = -1;          // of the last frame returned
  double last_pts_ = 0;
  int64_t end_index_ = 0;                    // one past the highest index decoded
  int64_t last_packet_ts_ = AV_NOPTS_VALUE;  // the highest timestamp of a packet read
  // Lost frames still to return, [lost_next_, lost_end_), before held_ (if any).
  int64_t lost_next_ = 0;
  int64_t lost_end_ = 0;
  std::optional<Frame> held_;
  bool frame_pending_ = false;  // frame_ holds a decoded frame next() has not returned yet
  bool draining_ = false;       // the demuxer is done and the decoder was told to flush
  bool finished_ = false;
  bool cancelled_ = false;  // next() saw SourceOptions::cancel set and ended the input
};

}  // namespace fp::media
