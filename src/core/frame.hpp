// Frame: one decoded picture of one input stream, as it travels through the pipeline.
#pragma once

#include <cstdint>
#include <opencv2/core/mat.hpp>
#include <optional>
#include <string>

namespace fp {

struct Frame {
  int stream = 0;           // position of the input on the command line (0-based)
  int64_t index = 0;        // frame index in the source: video frame number or image position
  double pts = 0.0;         // presentation time in seconds from the start of the source
  std::string file;         // for image inputs: the image's path; empty for video
  cv::Mat image;            // BGR, 8 bits per channel; empty when the frame is skipped
  std::string skip_reason;  // why this frame carries no image (e.g. "corrupt_frame"); empty if OK
  // The image was decoded from damaged data (the decoder concealed corrupt or missing parts):
  // what the decoder said. Processed all the same, and flagged in its row. Empty when clean.
  std::string damage;

  bool skipped() const { return !skip_reason.empty(); }
};

}  // namespace fp
