// Sinks: where processed frames end up. Each writes its files under their .partial names
// (io::PendingFile) and finish() completes them; the run then commits every sink's files() in one
// step (io::OutputSet), or none. A sink gets each stream's frames in order (streams interleaved),
// on a thread of its own (outputs/output_writer.hpp), so it needs no lock.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/result.hpp"
#include "io/jsonl_writer.hpp"
#include "io/pending_file.hpp"
#include "media/video_writer.hpp"
#include "pipeline/frame_result.hpp"

namespace fp::outputs {

using pipeline::FrameResult;

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status write(const FrameResult& item) = 0;
  // Flushes and closes the output under its temporary name.
  virtual Status finish() = 0;
  // The files and folders it has opened so far (all of them once finished); empty when it had
  // nothing to write.
  virtual std::vector<io::PendingFile> files() const = 0;
  // Whether it also takes the results that a RAW_STREAM_WITH_METADATA join publishes apart from
  // their frame (FrameResult::metadata_of set); other sinks get frames only.
  virtual bool takes_metadata() const { return false; }
};

// A per-stream output: stream 0 writes `path` itself, stream k writes NAME.k.EXT beside it.
std::filesystem::path stream_path(const std::filesystem::path& path, int stream);

// [x1, y1, x2, y2] rounded to hundredths of a pixel, as every output writes boxes.
nlohmann::ordered_json box_json(const Box& box);

// [[x, y], ...] of a detection's keypoints, rounded like boxes.
nlohmann::ordered_json landmarks_json(const std::vector<float>& keypoints);

// {"name": value, ...}: a number, {"label", "score"}, or a list of numbers (rounded to 1e-4); the
// faces stage's attributes (faces/face_attributes.hpp) left out: faces.jsonl writes them.
nlohmann::ordered_json attributes_json(const std::vector<Attribute>& attributes);

// {"stream", "frame", "pts"}: how every row about a frame begins.
nlohmann::ordered_json frame_json(const Frame& frame);

// The detections.jsonl row of one frame (documented in README.md, "Outputs"): its objects, or
// a skip row for a frame that had no image.
nlohmann::ordered_json detection_row(const FrameResult& item);

// The counts.jsonl row of a frame that went through a count stage (README.md, "Counting"); null
// for other frames.
//   {"stream":0,"frame":40,"pts":4.0,"zones":[{"name":"door","occupancy":2,"entries":5,
//    "exits":3}],"lines":[{"name":"entrance","in":4,"out":1}]}
nlohmann::ordered_json counts_row(const FrameResult& item);

// A JSONL file of a row per frame, `row_of(item)` (detection_row, counts_row), and none for a
// frame it gives null for. It also takes the results that a RAW_STREAM_WITH_METADATA join
// publishes apart.
class FrameRowsSink : public Sink {
 public:
  using RowOf = nlohmann::ordered_json (*)(const FrameResult&);
  static Result<std::unique_ptr<Sink>> open(const std::filesystem::path& path, RowOf row_of);
  Status write(const FrameResult& item) override;
  Status finish() override { return writer_.finish(); }
  std::vector<io::PendingFile> files() const override { return {writer_.file()}; }
  bool takes_metadata() const override { return true; }

 private:
  FrameRowsSink(io::JsonlWriter writer, RowOf row_of)
      : writer_(std::move(writer)), row_of_(row_of) {}
  io::JsonlWriter writer_;
  RowOf row_of_;
};

// Videos of the processed frames with their boxes, and the zones and lines of count stages with
// their counts, drawn, one per stream (see stream_path). Each
// video's size comes from its stream's first frame with an image (later frames of other sizes are
// scaled) and its rate from `fps_of(stream)`, asked on that frame. A stream without a frame with an
// image gets no video.
class AnnotatedVideoSink : public Sink {
 public:
  AnnotatedVideoSink(std::filesystem::path path, std::function<double(int stream)> fps_of)
      : path_(std::move(path)), fps_of_(std::move(fps_of)) {}
  Status write(const FrameResult& item) override;
  Status finish() override;
  std::vector<io::PendingFile> files() const override;

 private:
  struct Video {
    io::PendingFile file;
    std::unique_ptr<media::VideoWriter> writer;
  };
  std::filesystem::path path_;
  std::function<double(int stream)> fps_of_;
  std::map<int, Video> videos_;  // by stream; opened on the stream's first frame with an image
};

}  // namespace fp::outputs
