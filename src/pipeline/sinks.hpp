// Sinks: where processed frames end up. Each writes under a temporary name; finish() completes
// the file and commit() gives it its final name, so a run commits all its outputs or none. Sinks
// run on the runner's main thread, in frame order.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "io/jsonl_writer.hpp"
#include "media/video_writer.hpp"
#include "pipeline/frame_result.hpp"

namespace fp::pipeline {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status write(const FrameResult& item) = 0;
  // Flushes and closes the output under its temporary name.
  virtual Status finish() = 0;
  // Moves the finished output to its final name.
  virtual Status commit() = 0;
  // Final path of what this sink writes; empty when it had nothing to write.
  virtual std::filesystem::path path() const = 0;
};

// The JSON row of one processed frame (documented in README.md, "Outputs").
nlohmann::ordered_json detection_row(const FrameResult& item);

// detections.jsonl: one row per processed frame, a skip row for each frame that had no image.
class DetectionsJsonlSink : public Sink {
 public:
  static Result<std::unique_ptr<Sink>> open(const std::filesystem::path& path);
  Status write(const FrameResult& item) override;
  Status finish() override { return writer_.finish(); }
  Status commit() override { return writer_.file().commit(); }
  std::filesystem::path path() const override { return writer_.file().path(); }

 private:
  explicit DetectionsJsonlSink(io::JsonlWriter writer) : writer_(std::move(writer)) {}
  io::JsonlWriter writer_;
};

// A video of the processed frames with their boxes drawn. The size and rate come from the first
// frame and the first input; frames of other sizes are scaled. No frame with an image, no video.
class AnnotatedVideoSink : public Sink {
 public:
  AnnotatedVideoSink(std::filesystem::path path, double fps) : file_(std::move(path)), fps_(fps) {}
  Status write(const FrameResult& item) override;
  Status finish() override;
  Status commit() override;
  std::filesystem::path path() const override { return writer_ ? file_.path() : ""; }

 private:
  io::PendingFile file_;
  double fps_;
  std::unique_ptr<media::VideoWriter> writer_;  // opened on the first frame
};

}  // namespace fp::pipeline
