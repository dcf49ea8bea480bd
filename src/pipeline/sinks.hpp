// Sinks: where processed frames end up. Each writes under a temporary name; finish() completes
// the file and commit() gives it its final name, so a run commits all its outputs or none. Sinks
// run on the runner's main thread, in frame order within each stream (streams are interleaved).
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

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
  // Final paths of the files this sink writes; empty when it had nothing to write.
  virtual std::vector<std::filesystem::path> paths() const = 0;
};

// Where a run writes: its output directory, and how many inputs (streams) it reads.
struct OutputLayout {
  std::filesystem::path dir;
  int streams = 1;
};

// A per-stream output: stream 0 writes `path` itself, stream k writes NAME.k.EXT beside it.
std::filesystem::path stream_path(const std::filesystem::path& path, int stream);

// [x1, y1, x2, y2] rounded to hundredths of a pixel, as every output writes boxes.
nlohmann::ordered_json box_json(const Box& box);

// [[x, y], ...] of a detection's keypoints, rounded like boxes.
nlohmann::ordered_json landmarks_json(const std::vector<float>& keypoints);

// The JSON row of one processed frame (documented in README.md, "Outputs").
nlohmann::ordered_json detection_row(const FrameResult& item);

// detections.jsonl: one row per processed frame, a skip row for each frame that had no image.
class DetectionsJsonlSink : public Sink {
 public:
  static Result<std::unique_ptr<Sink>> open(const std::filesystem::path& path);
  Status write(const FrameResult& item) override;
  Status finish() override { return writer_.finish(); }
  Status commit() override { return writer_.file().commit(); }
  std::vector<std::filesystem::path> paths() const override { return {writer_.file().path()}; }

 private:
  explicit DetectionsJsonlSink(io::JsonlWriter writer) : writer_(std::move(writer)) {}
  io::JsonlWriter writer_;
};

// Videos of the processed frames with their boxes drawn, one per stream (see stream_path). Each
// video's size comes from its stream's first frame with an image (later frames of other sizes are
// scaled) and its rate from `fps_of(stream)`, asked on that frame. A stream without a frame with an
// image gets no video.
class AnnotatedVideoSink : public Sink {
 public:
  AnnotatedVideoSink(std::filesystem::path path, std::function<double(int stream)> fps_of)
      : path_(std::move(path)), fps_of_(std::move(fps_of)) {}
  Status write(const FrameResult& item) override;
  Status finish() override;
  Status commit() override;
  std::vector<std::filesystem::path> paths() const override;

 private:
  struct Video {
    io::PendingFile file;
    std::unique_ptr<media::VideoWriter> writer;
  };
  std::filesystem::path path_;
  std::function<double(int stream)> fps_of_;
  std::map<int, Video> videos_;  // by stream; opened on the stream's first frame with an image
};

// Finishes every sink, then commits them all, or none if any failed or `commit` is false.
// `outputs` receives each sink's files by name (their final paths when committed, else their
// .partial names); the first error is returned, empty when none.
std::string close_sinks(std::vector<std::unique_ptr<Sink>>& sinks, bool commit,
                        nlohmann::ordered_json& outputs);

// Each sink's files by name, under the .partial names they have while the run goes.
nlohmann::ordered_json pending_outputs(const std::vector<std::unique_ptr<Sink>>& sinks);

}  // namespace fp::pipeline
