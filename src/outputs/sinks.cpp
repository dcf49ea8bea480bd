#include "outputs/sinks.hpp"

#include <cmath>

#include "faces/face_attributes.hpp"
#include "vision/draw.hpp"

namespace fp::outputs {

namespace {

// Two decimals are finer than any detector's accuracy and keep rows short.
double round2(double v) { return std::round(v * 100.0) / 100.0; }

// The zones and lines of `counts` with their counts, over the boxes.
void draw_counts(cv::Mat& canvas, const count::Counts& counts) {
  for (const count::ZoneCount& z : counts.zones) {
    const std::string text = z.zone.name + ": " + std::to_string(z.occupancy) + " (entered " +
                             std::to_string(z.entries) + ", left " + std::to_string(z.exits) + ")";
    vision::draw_zone(canvas, z.zone.polygon, text);
  }
  for (const count::LineCount& l : counts.lines) {
    const std::string text =
        l.line.name + ": in " + std::to_string(l.in) + ", out " + std::to_string(l.out);
    vision::draw_counting_line(canvas, l.line.from, l.line.to, count::in_side(l.line), text);
  }
}

}  // namespace

nlohmann::ordered_json box_json(const Box& box) {
  return {round2(box.x1), round2(box.y1), round2(box.x2), round2(box.y2)};
}

nlohmann::ordered_json landmarks_json(const std::vector<float>& keypoints) {
  nlohmann::ordered_json landmarks = nlohmann::ordered_json::array();
  for (size_t i = 0; i + 1 < keypoints.size(); i += 2) {
    landmarks.push_back({round2(keypoints[i]), round2(keypoints[i + 1])});
  }
  return landmarks;
}

nlohmann::ordered_json attributes_json(const std::vector<Attribute>& attributes) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const Attribute& a : attributes) {
    // The faces stage's attributes are written in faces.jsonl, not in the detection rows.
    if (faces::is_face_attribute(a.name)) continue;
    if (const double* number = std::get_if<double>(&a.value)) {
      json[a.name] = *number;
    } else if (const auto* label = std::get_if<AttributeLabel>(&a.value)) {
      json[a.name] = {{"label", label->label}, {"score", std::round(label->score * 1e4) / 1e4}};
    } else {
      const auto& values = std::get<std::vector<float>>(a.value);
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (float v : values) list.push_back(std::round(v * 1e4) / 1e4);
      json[a.name] = std::move(list);
    }
  }
  return json;
}

nlohmann::ordered_json frame_json(const Frame& frame) {
  return {{"stream", frame.stream}, {"frame", frame.index}, {"pts", round2(frame.pts)}};
}

nlohmann::ordered_json detection_row(const FrameResult& item) {
  const Frame& frame = item.frame;
  nlohmann::ordered_json row = frame_json(frame);
  if (!frame.file.empty()) row["file"] = frame.file;
  if (!frame.damage.empty()) row["damaged"] = frame.damage;
  if (frame.skipped()) {
    row["skipped"] = frame.skip_reason;
    return row;
  }
  nlohmann::ordered_json detections = nlohmann::ordered_json::array();
  for (const Detection& d : item.detections) {
    nlohmann::ordered_json detection{{"id", d.id},
                                     {"class", d.label},
                                     {"class_id", d.class_id},
                                     {"score", std::round(d.score * 1e4) / 1e4},
                                     {"box", box_json(d.box)}};
    if (d.parent != 0) detection["parent"] = d.parent;
    if (!d.keypoints.empty()) detection["landmarks"] = landmarks_json(d.keypoints);
    if (item.tracked) {
      detection["track_id"] = d.track_id != 0 ? nlohmann::ordered_json(d.track_id) : nullptr;
    }
    if (d.predicted) detection["predicted"] = true;
    nlohmann::ordered_json attributes = attributes_json(d.attributes);
    if (!attributes.empty()) detection["attributes"] = std::move(attributes);
    detections.push_back(std::move(detection));
  }
  row["detections"] = std::move(detections);
  if (item.detector_skipped && !item.tracked) row["detector_skipped"] = true;
  if (!item.metadata_of.empty()) row["metadata_of"] = item.metadata_of;
  for (const FrameResult::Overlay& overlay : item.overlays) {
    row["overlays"].push_back({{"branch", overlay.branch},
                               {"age_frames", overlay.age_frames},
                               {"age_ms", round2(overlay.age_ms)}});
  }
  return row;
}

nlohmann::ordered_json counts_row(const FrameResult& item) {
  if (item.counts.empty()) return nullptr;  // skipped, or not counted (a node's `every`)
  nlohmann::ordered_json row = frame_json(item.frame);
  if (!item.metadata_of.empty()) row["metadata_of"] = item.metadata_of;
  row.update(count::counts_json(item.counts));
  return row;
}

Result<std::unique_ptr<Sink>> FrameRowsSink::open(const std::filesystem::path& path, RowOf row_of) {
  FP_ASSIGN_OR_RETURN(io::JsonlWriter writer, io::JsonlWriter::open(path));
  return std::unique_ptr<Sink>(new FrameRowsSink(std::move(writer), row_of));
}

Status FrameRowsSink::write(const FrameResult& item) {
  const nlohmann::ordered_json row = row_of_(item);
  if (row.is_null()) return ok_status();
  return writer_.write(row);
}

std::filesystem::path stream_path(const std::filesystem::path& path, int stream) {
  if (stream == 0) return path;
  std::filesystem::path named = path;
  named.replace_filename(path.stem().string() + "." + std::to_string(stream) +
                         path.extension().string());
  return named;
}

Status AnnotatedVideoSink::write(const FrameResult& item) {
  const Frame& frame = item.frame;
  if (frame.skipped()) return ok_status();
  auto video = videos_.find(frame.stream);
  if (video == videos_.end()) {
    io::PendingFile file(stream_path(path_, frame.stream));
    FP_ASSIGN_OR_RETURN(auto writer,
                        media::VideoWriter::open(file.temp_path().string(), "mp4", frame.image.cols,
                                                 frame.image.rows, fps_of_(frame.stream)));
    video = videos_.emplace(frame.stream, Video{std::move(file), std::move(writer)}).first;
  }
  cv::Mat canvas = frame.image.clone();
  vision::draw_detections(canvas, item.detections);
  draw_counts(canvas, item.counts);
  return video->second.writer->write(canvas);
}

// Every video is finished even after one fails; the first error is returned.
Status AnnotatedVideoSink::finish() {
  Status first = ok_status();
  for (auto& [stream, video] : videos_) {
    const Status closed = video.writer->close();
    if (!closed.ok() && first.ok()) first = closed;
  }
  return first;
}

std::vector<io::PendingFile> AnnotatedVideoSink::files() const {
  std::vector<io::PendingFile> files;
  for (const auto& [stream, video] : videos_) files.push_back(video.file);
  return files;
}

}  // namespace fp::outputs
