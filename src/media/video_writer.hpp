// VideoWriter: encodes BGR frames into a video file (H.264 in MP4 when available) with FFmpeg.
#pragma once

#include <memory>
#include <opencv2/core/mat.hpp>
#include <string>

#include "core/result.hpp"

namespace fp::media {

class VideoWriter {
 public:
  // Opens `path` for frames of the given size; the container is chosen from `format` ("mp4" ...),
  // not from the path, so the caller may write to a temporary name.
  static Result<std::unique_ptr<VideoWriter>> open(const std::string& path,
                                                   const std::string& format, int width, int height,
                                                   double fps);
  virtual ~VideoWriter() = default;
  // Frames of another size are scaled to the writer's size.
  virtual Status write(const cv::Mat& bgr) = 0;
  // Flushes the encoder and writes the trailer; the file is complete only after close() succeeds.
  virtual Status close() = 0;
  virtual std::string codec_name() const = 0;
};

}  // namespace fp::media
