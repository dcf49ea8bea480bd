#include "pipeline/sinks.hpp"

#include <cmath>

#include "vision/draw.hpp"

namespace fp::pipeline {

namespace {

// Two decimals are finer than any detector's accuracy and keep rows short.
double round2(double v) { return std::round(v * 100.0) / 100.0; }

}  // namespace

nlohmann::ordered_json detection_row(const FrameResult& item) {
  const Frame& frame = item.frame;
  nlohmann::ordered_json row{
      {"stream", frame.stream}, {"frame", frame.index}, {"pts", round2(frame.pts)}};
  if (!frame.file.empty()) row["file"] = frame.file;
  if (frame.skipped()) {
    row["skipped"] = frame.skip_reason;
    return row;
  }
  nlohmann::ordered_json detections = nlohmann::ordered_json::array();
  for (const Detection& d : item.detections) {
    detections.push_back(
        {{"class", d.label},
         {"class_id", d.class_id},
         {"score", std::round(d.score * 1e4) / 1e4},
         {"box", {round2(d.box.x1), round2(d.box.y1), round2(d.box.x2), round2(d.box.y2)}}});
  }
  row["detections"] = std::move(detections);
  return row;
}

Result<std::unique_ptr<Sink>> DetectionsJsonlSink::open(const std::filesystem::path& path) {
  FP_ASSIGN_OR_RETURN(io::JsonlWriter writer, io::JsonlWriter::open(path));
  return std::unique_ptr<Sink>(new DetectionsJsonlSink(std::move(writer)));
}

Status DetectionsJsonlSink::write(const FrameResult& item) {
  return writer_.write(detection_row(item));
}

Status AnnotatedVideoSink::write(const FrameResult& item) {
  if (item.frame.skipped()) return ok_status();
  if (!writer_) {
    FP_ASSIGN_OR_RETURN(
        writer_, media::VideoWriter::open(file_.temp_path().string(), "mp4", item.frame.image.cols,
                                          item.frame.image.rows, fps_));
  }
  cv::Mat canvas = item.frame.image.clone();
  vision::draw_detections(canvas, item.detections);
  return writer_->write(canvas);
}

Status AnnotatedVideoSink::finish() { return writer_ ? writer_->close() : ok_status(); }

Status AnnotatedVideoSink::commit() { return writer_ ? file_.commit() : ok_status(); }

}  // namespace fp::pipeline
