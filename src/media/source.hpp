// Source: where frames come from. A video file or stream (FFmpeg), one image, or a folder of
// images.
//
// Lifecycle: open_source() probes the input and fails with a user-facing Error if it cannot be
// read at all (missing path, not media, unreachable stream). next() is then called repeatedly from
// one thread (the pipeline's decode thread) until it returns std::nullopt at the end of the input.
// A frame that cannot be decoded is returned with skip_reason set and an empty image, so the
// pipeline can write a skip row; decode problems that lose frames are counted in report(). A Source
// is not thread-safe; report() may be called after next() has returned std::nullopt.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/frame.hpp"
#include "core/result.hpp"

namespace fp::media {

struct SourceInfo {
  std::string uri;    // as given by the user
  std::string kind;   // exactly one of "video", "stream", "image", "image_folder"
  std::string codec;  // decoder name, e.g. "h264"; "image" for image inputs
  int width = 0;      // of the first frame
  int height = 0;
  double fps = 0;               // nominal frame rate; 0 when unknown (images, some streams)
  double duration = 0;          // seconds; 0 when unknown (live streams)
  int64_t expected_frames = 0;  // frames the source should produce; 0 when unknown
  // A live source (a camera, a broadcast) has no end of its own: stopping it is how it ends, so
  // a stop keeps what was read as complete. A network stream is live when it has no known
  // duration, or when the pipeline declares it (source.live); files and images never are.
  bool live = false;
};

// Consecutive source frames that could not be decoded (first and last included).
struct DamagedRange {
  int64_t first_frame = 0;
  int64_t last_frame = 0;
  double first_pts = 0;
  double last_pts = 0;
};

// An image that could not be decoded, or was decoded from damaged data.
struct DamagedFile {
  std::string file;
  std::string problem;
};

// What went wrong while reading, for the run report. All counts are over the whole source.
struct SourceReport {
  int64_t frames = 0;          // frames returned by next(), skipped ones included
  int64_t skipped_frames = 0;  // returned with a skip_reason
  int64_t decode_errors = 0;   // packets/images the decoder rejected (no frame came out)
  // Frames of the source's timeline that no decoder call produced (a damaged range the demuxer
  // skipped, packets the decoder swallowed): each is returned as a skipped frame all the same.
  int64_t lost_frames = 0;
  // Images decoded with damage (corrupt data, cut short): processed, and flagged in their row.
  int64_t damaged_images = 0;
  // Where the skipped frames are, merged into ranges; at most kMaxDamagedRanges are kept, the
  // rest only counted in damaged_range_count.
  static constexpr size_t kMaxDamagedRanges = 100;
  std::vector<DamagedRange> damaged_ranges;
  int64_t damaged_range_count = 0;
  int64_t last_damaged_frame = -1;
  // Image inputs: the damaged or unreadable files, the first kMaxDamagedRanges of them.
  std::vector<DamagedFile> damaged_files;
  std::string last_error;        // the last decoder message, empty if none
  int64_t last_good_frame = -1;  // index of the last frame decoded without error
  double last_good_pts = 0;
  bool truncated = false;     // the input ended before its header said it would
  int64_t ignored_files = 0;  // image folders: files skipped because they are not images

  bool has_errors() const {
    return skipped_frames > 0 || decode_errors > 0 || damaged_images > 0 || truncated;
  }
  // Records a skipped frame in damaged_ranges (frames arrive in increasing index order).
  void add_damaged(int64_t index, double pts);
  void add_damaged_file(const std::string& file, const std::string& problem);
};

// Options a Source applies itself, so it can seek instead of decoding what is never used.
struct SourceOptions {
  int stream_id = 0;        // copied into Frame::stream
  double start = 0;         // seconds; frames before it are not returned
  int decoder_threads = 0;  // 0 lets the decoder choose
  // Pictures (images, video frames) larger than this are refused from their header, before any
  // memory is taken for their pixels: a 70 KB file can claim 30000x30000 pixels.
  int64_t max_pixels = 100'000'000;
  // Whether a network stream is live (see SourceInfo::live); unset: live when it has no duration.
  std::optional<bool> live;
  double io_timeout = 10;  // seconds a network read or open may block before it fails
  // When set and it becomes true (e.g. on Ctrl-C, from any thread), a blocked network open or read
  // gives up at once: open fails with an error saying it was cancelled, and next() returns
  // std::nullopt as at the end of the input, without recording an error or calling the input
  // truncated. Must outlive the Source.
  const std::atomic<bool>* cancel = nullptr;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual const SourceInfo& info() const = 0;
  // Next frame in presentation order; std::nullopt at the end. An Error is fatal for this source.
  virtual Result<std::optional<Frame>> next() = 0;
  virtual SourceReport report() const = 0;
};

// "WHAT is WxH (N megapixels), over the limit of M megapixels (source.max_megapixels)".
std::string pixel_limit_message(const std::string& what, int64_t width, int64_t height,
                                int64_t max_pixels);

// True when `uri` names a network stream (rtsp://, http://, udp://, ...), not a local path.
bool is_stream_uri(const std::string& uri);

// Opens a video file, stream URL, image file or image folder (images sorted by file name).
Result<std::unique_ptr<Source>> open_source(const std::string& uri, const SourceOptions& options);

}  // namespace fp::media
