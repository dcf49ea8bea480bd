#include "outputs/track_sinks.hpp"

#include <cmath>

#include "io/mot_file.hpp"

namespace fp::outputs {

Result<std::unique_ptr<Sink>> TrackSummarySink::open(const std::filesystem::path& path) {
  FP_ASSIGN_OR_RETURN(io::JsonlWriter writer, io::JsonlWriter::open(path));
  return std::unique_ptr<Sink>(new TrackSummarySink(std::move(writer)));
}

Status TrackSummarySink::write(const FrameResult& item) {
  const Frame& frame = item.frame;
  for (const Detection& d : item.detections) {
    if (d.track_id == 0) continue;
    Summary& s = open_[{frame.stream, d.track_id}];
    if (s.frames++ == 0) {
      s.label = d.label;
      s.first_frame = frame.index;
      s.first_pts = frame.pts;
    }
    s.last_frame = frame.index;
    s.last_pts = frame.pts;
    if (d.predicted) continue;
    ++s.detected;
    s.score_sum += d.score;
    if (s.best_frame < 0 || d.score > s.best.score) {
      s.best = d;
      s.best_frame = frame.index;
      s.best_pts = frame.pts;
    }
  }
  for (int64_t id : item.ended_tracks) {
    const auto it = open_.find({frame.stream, id});
    if (it == open_.end()) continue;  // ended before it was ever reported
    FP_RETURN_IF_ERROR(write_summary(it->first, it->second));
    open_.erase(it);
  }
  return ok_status();
}

Status TrackSummarySink::finish() {
  for (const auto& [key, summary] : open_) FP_RETURN_IF_ERROR(write_summary(key, summary));
  open_.clear();
  return writer_.finish();
}

Status TrackSummarySink::write_summary(const Key& key, const Summary& s) {
  auto time = [](double pts) { return std::round(pts * 1000) / 1000; };
  nlohmann::ordered_json row{{"stream", key.first},
                             {"track_id", key.second},
                             {"class", s.label},
                             {"first_frame", s.first_frame},
                             {"last_frame", s.last_frame},
                             {"first_pts", time(s.first_pts)},
                             {"last_pts", time(s.last_pts)},
                             {"frames", s.frames},
                             {"detected", s.detected}};
  row["mean_score"] = s.detected > 0 ? std::round(s.score_sum / s.detected * 1e4) / 1e4 : 0.0;
  if (s.best_frame >= 0) {
    row["best"] = {{"frame", s.best_frame},
                   {"pts", time(s.best_pts)},
                   {"score", std::round(s.best.score * 1e4) / 1e4},
                   {"box", box_json(s.best.box)}};
  }
  return writer_.write(row);
}

Status MotTracksSink::write(const FrameResult& item) {
  const Frame& frame = item.frame;
  auto it = files_.find(frame.stream);
  if (it == files_.end()) {
    io::PendingFile file(stream_path(path_, frame.stream));
    std::ofstream out(file.temp_path());
    if (!out) return Error("cannot write " + file.temp_path().string());
    it = files_.emplace(frame.stream, File{std::move(file), std::move(out)}).first;
  }
  std::ofstream& out = it->second.out;
  for (const Detection& d : item.detections) {
    if (d.track_id != 0) out << io::mot_line(frame.index + 1, d.track_id, d.box, d.score) << '\n';
  }
  if (!out) return Error("cannot write " + it->second.file.temp_path().string());
  return ok_status();
}

Status MotTracksSink::finish() {
  for (auto& [stream, f] : files_) {
    f.out.close();
    if (!f.out) return Error("cannot finish " + f.file.temp_path().string());
  }
  return ok_status();
}

std::vector<io::PendingFile> MotTracksSink::files() const {
  std::vector<io::PendingFile> files;
  for (const auto& [stream, f] : files_) files.push_back(f.file);
  return files;
}

}  // namespace fp::outputs
