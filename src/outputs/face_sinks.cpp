#include "outputs/face_sinks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "faces/face_attributes.hpp"

namespace fp::outputs {

namespace fs = std::filesystem;

namespace {

constexpr int kThumbHeight = 128;

double round6(double v) { return std::round(v * 1e6) / 1e6; }

// The face with a margin of a fifth of its size, scaled to kThumbHeight pixels high.
cv::Mat thumbnail(const cv::Mat& image, const Box& box) {
  const float mx = box.width() * 0.2f, my = box.height() * 0.2f;
  const cv::Rect wanted(cv::Point(static_cast<int>(box.x1 - mx), static_cast<int>(box.y1 - my)),
                        cv::Point(static_cast<int>(box.x2 + mx), static_cast<int>(box.y2 + my)));
  const cv::Rect inside = wanted & cv::Rect(0, 0, image.cols, image.rows);
  if (inside.width < 1 || inside.height < 1) return {};
  const double scale = static_cast<double>(kThumbHeight) / inside.height;
  cv::Mat thumb;
  cv::resize(
      image(inside), thumb,
      cv::Size(std::max(1, static_cast<int>(std::lround(inside.width * scale))), kThumbHeight), 0,
      0, cv::INTER_AREA);
  return thumb;
}

Status write_image(const fs::path& path, const cv::Mat& image) {
  if (!cv::imwrite(path.string(), image)) return Error("cannot write " + path.string());
  return ok_status();
}

}  // namespace

std::vector<fs::path> FaceOutputsSink::planned_paths(const fs::path& dir, const FaceParts& parts) {
  std::vector<fs::path> paths;
  if (parts.rows) paths.insert(paths.end(), {dir / "faces.jsonl", dir / ".faces.rows"});
  if (parts.identities) paths.push_back(dir / "identities.json");
  if (parts.crops) paths.push_back(dir / "crops");
  if (parts.thumbs) paths.push_back(dir / "thumbs");
  return paths;
}

FaceOutputsSink::FaceOutputsSink(fs::path dir, const FaceOutputOptions& options,
                                 const FaceParts& parts, std::optional<io::JsonlWriter> rows)
    : dir_(std::move(dir)),
      options_(options),
      parts_(parts),
      identities_(options.identities, options.gallery),
      rows_(std::move(rows)),
      faces_file_(dir_ / "faces.jsonl"),
      identities_file_(dir_ / "identities.json"),
      crops_dir_(dir_ / "crops"),
      thumbs_dir_(dir_ / "thumbs") {}

Result<std::unique_ptr<Sink>> FaceOutputsSink::open(const fs::path& dir,
                                                    const FaceOutputOptions& options,
                                                    const FaceParts& parts) {
  std::optional<io::JsonlWriter> rows;
  if (parts.rows) {
    FP_ASSIGN_OR_RETURN(io::JsonlWriter opened, io::JsonlWriter::open(dir / ".faces.rows"));
    rows = std::move(opened);
  }
  return std::unique_ptr<Sink>(new FaceOutputsSink(dir, options, parts, std::move(rows)));
}

Status FaceOutputsSink::write_row(const nlohmann::ordered_json& row) {
  return rows_ ? rows_->write(row) : ok_status();
}

Status FaceOutputsSink::write(const FrameResult& item) {
  const Frame& frame = item.frame;
  // k numbers the frame's faces in the crops' names.
  const std::vector<size_t> face_indices = faces::checked_faces(item.detections);
  for (size_t k = 0; k < face_indices.size(); ++k) {
    const Detection& d = item.detections[face_indices[k]];
    const int64_t face_id = next_face_id_++;
    nlohmann::ordered_json row{{"stream", frame.stream},
                               {"frame", frame.index},
                               {"pts", std::round(frame.pts * 1000) / 1000}};
    if (!frame.file.empty()) row["file"] = frame.file;
    row["face_id"] = face_id;
    if (item.tracked) {
      row["track_id"] = d.track_id != 0 ? nlohmann::ordered_json(d.track_id) : nullptr;
    }
    row["box"] = box_json(d.box);
    if (!d.keypoints.empty()) row["landmarks"] = landmarks_json(d.keypoints);
    row["score"] = std::round(d.score * 1e4) / 1e4;
    const std::string skip_reason = faces::face_skip_reason(d);
    if (!faces::face_passed_checks(d)) {
      row["skipped"] = skip_reason;
      FP_RETURN_IF_ERROR(write_row(row));
      continue;
    }
    // A face that passed the checks has its quality and sharpness (faces/face_attributes.hpp).
    const double quality = *find_number(d.attributes, faces::kFaceQuality);
    row["quality"] = std::round(quality * 1e4) / 1e4;
    row["sharpness"] = std::round(*find_number(d.attributes, faces::kFaceSharpness) * 10) / 10;
    const faces::Embedding no_embedding;
    const std::vector<float>* found = find_vector(d.attributes, faces::kFaceEmbedding);
    const faces::Embedding& embedding = found != nullptr ? *found : no_embedding;
    const faces::FaceUnit unit = d.track_id != 0 ? faces::FaceUnit{frame.stream, d.track_id, 0}
                                                 : faces::FaceUnit{frame.stream, 0, face_id};
    if (identities_.add(unit, quality, embedding) && parts_.thumbs) {
      thumbs_[unit] = thumbnail(frame.image, d.box);
    }
    if (!skip_reason.empty()) {  // not sampled: of its track's identity, without an embedding
      row["skipped"] = skip_reason;
      FP_RETURN_IF_ERROR(write_row(row));
      continue;
    }
    nlohmann::ordered_json embedding_json = nlohmann::ordered_json::array();
    for (float v : embedding) embedding_json.push_back(round6(v));
    row["embedding"] = std::move(embedding_json);
    if (parts_.crops) {
      char name[96];
      std::snprintf(name, sizeof(name), "s%d_f%06lld_%zu.jpg", frame.stream,
                    static_cast<long long>(frame.index), k);
      if (!wrote_crops_) {
        fs::create_directories(crops_dir_.temp_path());
        wrote_crops_ = true;
      }
      FP_RETURN_IF_ERROR(
          write_image(crops_dir_.temp_path() / name, item.aligned_faces[face_indices[k]]));
      row["crop"] = std::string("crops/") + name;
    }
    if (auto match = identities_.gallery_match(embedding)) row["gallery"] = *match;
    FP_RETURN_IF_ERROR(write_row(row));
  }
  for (int64_t id : item.ended_tracks) FP_RETURN_IF_ERROR(close({frame.stream, id, 0}));
  return ok_status();
}

Status FaceOutputsSink::close(faces::FaceUnit unit) {
  std::string path;
  const auto it = thumbs_.find(unit);
  if (it != thumbs_.end() && !it->second.empty()) {
    if (!wrote_thumbs_) {
      fs::create_directories(thumbs_dir_.temp_path());
      wrote_thumbs_ = true;
    }
    char name[96];
    if (unit.track_id != 0) {
      std::snprintf(name, sizeof(name), "s%d_track%lld.jpg", unit.stream,
                    static_cast<long long>(unit.track_id));
    } else {
      std::snprintf(name, sizeof(name), "s%d_face%lld.jpg", unit.stream,
                    static_cast<long long>(unit.face_id));
    }
    FP_RETURN_IF_ERROR(write_image(thumbs_dir_.temp_path() / name, it->second));
    path = std::string("thumbs/") + name;
  }
  if (it != thumbs_.end()) thumbs_.erase(it);
  identities_.close(unit, path);
  return ok_status();
}

Status FaceOutputsSink::write_faces_with_identities() {
  FP_ASSIGN_OR_RETURN(io::JsonlWriter out, io::JsonlWriter::open(faces_file_.path()));
  std::ifstream in(rows_->file().temp_path());
  for (std::string line; std::getline(in, line);) {
    nlohmann::ordered_json row = nlohmann::ordered_json::parse(line);
    if (!row.contains("skipped") || row["skipped"] == faces::kNotSampled) {
      const int stream = row["stream"];
      const bool tracked = row.contains("track_id") && !row["track_id"].is_null();
      const faces::FaceUnit unit = tracked
                                       ? faces::FaceUnit{stream, row["track_id"].get<int64_t>(), 0}
                                       : faces::FaceUnit{stream, 0, row["face_id"].get<int64_t>()};
      const std::optional<int> identity = identities_.identity_of(unit);
      row["identity"] = identity ? nlohmann::ordered_json(*identity) : nullptr;
    }
    FP_RETURN_IF_ERROR(out.write(row));
  }
  if (in.bad()) return Error("cannot read " + rows_->file().temp_path().string());
  FP_RETURN_IF_ERROR(out.finish());
  std::error_code ignored;
  fs::remove(rows_->file().temp_path(), ignored);
  return ok_status();
}

Status FaceOutputsSink::finish() {
  if (rows_) FP_RETURN_IF_ERROR(rows_->finish());
  while (!thumbs_.empty()) FP_RETURN_IF_ERROR(close(thumbs_.begin()->first));
  const nlohmann::ordered_json identities_json = identities_.cluster();
  if (parts_.identities) {
    std::ofstream out(identities_file_.temp_path(), std::ios::trunc);
    out << io::dump_json(identities_json, 2) << "\n";
    if (!out) return Error("cannot write " + identities_file_.temp_path().string());
  }
  return rows_ ? write_faces_with_identities() : ok_status();
}

std::vector<io::PendingFile> FaceOutputsSink::files() const {
  std::vector<io::PendingFile> files;
  if (parts_.rows) files.push_back(faces_file_);
  if (parts_.identities) files.push_back(identities_file_);
  if (wrote_crops_) files.push_back(crops_dir_);
  if (wrote_thumbs_) files.push_back(thumbs_dir_);
  return files;
}

}  // namespace fp::outputs
