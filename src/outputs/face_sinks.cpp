#include "outputs/face_sinks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "faces/clustering.hpp"

namespace fp::outputs {

namespace fs = std::filesystem;

namespace {

// A track's embedding averages this many of its best faces.
constexpr size_t kBestFaces = 5;
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

nlohmann::ordered_json match_json(const std::optional<faces::GalleryMatch>& match) {
  if (!match) return nullptr;
  return {{"person", match->person}, {"similarity", std::round(match->similarity * 1e4) / 1e4}};
}

}  // namespace

std::vector<fs::path> FaceOutputsSink::planned_paths(const fs::path& dir) {
  return {dir / "faces.jsonl", dir / "identities.json", dir / "crops", dir / "thumbs",
          dir / ".faces.rows"};
}

FaceOutputsSink::FaceOutputsSink(fs::path dir, const FaceOutputOptions& options,
                                 io::JsonlWriter rows)
    : dir_(std::move(dir)),
      options_(options),
      gallery_(options.gallery),
      rows_(std::move(rows)),
      faces_file_(dir_ / "faces.jsonl"),
      identities_file_(dir_ / "identities.json"),
      crops_dir_(dir_ / "crops"),
      thumbs_dir_(dir_ / "thumbs") {}

Result<std::unique_ptr<Sink>> FaceOutputsSink::open(const fs::path& dir,
                                                    const FaceOutputOptions& options) {
  FP_ASSIGN_OR_RETURN(io::JsonlWriter rows, io::JsonlWriter::open(dir / ".faces.rows"));
  return std::unique_ptr<Sink>(new FaceOutputsSink(dir, options, std::move(rows)));
}

FaceOutputsSink::Unit& FaceOutputsSink::unit_for(const UnitKey& key) {
  const auto [it, added] = unit_index_.emplace(key, units_.size());
  if (added) {
    Unit unit;
    unit.stream = std::get<0>(key);
    unit.track_id = std::get<1>(key);
    unit.face_id = std::get<2>(key);
    units_.push_back(std::move(unit));
  }
  return units_[it->second];
}

Status FaceOutputsSink::write(const FrameResult& item) {
  const Frame& frame = item.frame;
  for (size_t k = 0; k < item.faces.size(); ++k) {
    const faces::FaceResult& face = item.faces[k];
    const Detection& d = item.detections[face.detection];
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
    if (!face.passed_checks()) {
      row["skipped"] = face.skip_reason;
      FP_RETURN_IF_ERROR(rows_.write(row));
      continue;
    }
    row["quality"] = std::round(face.quality * 1e4) / 1e4;
    row["sharpness"] = std::round(face.sharpness * 10) / 10;
    Unit& unit = unit_for(d.track_id != 0 ? UnitKey{frame.stream, d.track_id, 0}
                                          : UnitKey{frame.stream, 0, face_id});
    ++unit.faces;
    if (face.quality > unit.best_quality) {
      unit.best_quality = face.quality;
      if (options_.thumbs) unit.thumb = thumbnail(frame.image, d.box);
    }
    if (face.skipped()) {  // not sampled: of its track's identity, without an embedding
      row["skipped"] = face.skip_reason;
      FP_RETURN_IF_ERROR(rows_.write(row));
      continue;
    }
    nlohmann::ordered_json embedding = nlohmann::ordered_json::array();
    for (float v : face.embedding) embedding.push_back(round6(v));
    row["embedding"] = std::move(embedding);
    if (options_.crops) {
      char name[96];
      std::snprintf(name, sizeof(name), "s%d_f%06lld_%zu.jpg", frame.stream,
                    static_cast<long long>(frame.index), k);
      if (!wrote_crops_) {
        fs::create_directories(crops_dir_.temp_path());
        wrote_crops_ = true;
      }
      FP_RETURN_IF_ERROR(write_image(crops_dir_.temp_path() / name, face.aligned));
      row["crop"] = std::string("crops/") + name;
    }
    if (gallery_ != nullptr) {
      row["gallery"] = match_json(gallery_->best_match(face.embedding, options_.gallery_threshold));
    }
    FP_RETURN_IF_ERROR(rows_.write(row));

    unit.best.emplace_back(face.quality, face.embedding);
    std::stable_sort(unit.best.begin(), unit.best.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    if (unit.best.size() > kBestFaces) unit.best.pop_back();
  }
  for (int64_t id : item.ended_tracks) {
    const auto it = unit_index_.find(UnitKey{frame.stream, id, 0});
    if (it != unit_index_.end()) FP_RETURN_IF_ERROR(close(units_[it->second]));
  }
  return ok_status();
}

Status FaceOutputsSink::close(Unit& unit) {
  if (unit.closed) return ok_status();
  unit.closed = true;
  std::vector<const faces::Embedding*> embeddings;
  std::vector<double> weights;
  for (const auto& [quality, embedding] : unit.best) {
    embeddings.push_back(&embedding);
    weights.push_back(std::max(quality, 1e-3));
  }
  unit.embedding = faces::weighted_mean(embeddings, weights);
  unit.best.clear();
  if (!unit.thumb.empty()) {
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
    FP_RETURN_IF_ERROR(write_image(thumbs_dir_.temp_path() / name, unit.thumb));
    unit.thumb_path = std::string("thumbs/") + name;
    unit.thumb.release();
  }
  return ok_status();
}

Result<nlohmann::ordered_json> FaceOutputsSink::identities(
    std::vector<int>& identity_of_unit) const {
  std::vector<faces::Embedding> items;
  std::vector<size_t> unit_of_item;
  for (size_t u = 0; u < units_.size(); ++u) {
    if (units_[u].embedding.empty()) continue;
    items.push_back(units_[u].embedding);
    unit_of_item.push_back(u);
  }
  const std::vector<int> labels = faces::cluster_identities(items, options_.identity_threshold);
  identity_of_unit.assign(units_.size(), -1);
  const int count = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
  std::vector<std::vector<size_t>> members(count);
  for (size_t i = 0; i < labels.size(); ++i) {
    identity_of_unit[unit_of_item[i]] = labels[i];
    members[labels[i]].push_back(unit_of_item[i]);
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (int id = 0; id < count; ++id) {
    nlohmann::ordered_json tracks = nlohmann::ordered_json::array();
    nlohmann::ordered_json lone = nlohmann::ordered_json::array();
    std::vector<const faces::Embedding*> embeddings;
    std::vector<double> weights;
    int64_t faces = 0;
    const Unit* best = nullptr;
    for (size_t u : members[id]) {
      const Unit& unit = units_[u];
      if (unit.track_id != 0) {
        tracks.push_back(
            {{"stream", unit.stream}, {"track_id", unit.track_id}, {"faces", unit.faces}});
      } else {
        lone.push_back(unit.face_id);
      }
      faces += unit.faces;
      embeddings.push_back(&unit.embedding);
      weights.push_back(static_cast<double>(unit.faces));
      if (best == nullptr || unit.best_quality > best->best_quality) best = &unit;
    }
    nlohmann::ordered_json identity{
        {"identity", id}, {"faces", faces}, {"tracks", tracks}, {"face_ids", lone}};
    identity["thumbnail"] = best->thumb_path.empty() ? nlohmann::ordered_json(nullptr)
                                                     : nlohmann::ordered_json(best->thumb_path);
    if (gallery_ != nullptr) {
      const faces::Embedding centre = faces::weighted_mean(embeddings, weights);
      identity["gallery"] = match_json(gallery_->best_match(centre, options_.gallery_threshold));
    }
    list.push_back(std::move(identity));
  }
  return nlohmann::ordered_json{{"identity_threshold", options_.identity_threshold},
                                {"identities", std::move(list)}};
}

Status FaceOutputsSink::write_faces_with_identities(const std::vector<int>& identity_of_unit) {
  FP_ASSIGN_OR_RETURN(io::JsonlWriter out, io::JsonlWriter::open(faces_file_.path()));
  std::ifstream in(rows_.file().temp_path());
  for (std::string line; std::getline(in, line);) {
    nlohmann::ordered_json row = nlohmann::ordered_json::parse(line);
    if (!row.contains("skipped") || row["skipped"] == faces::kNotSampled) {
      const int stream = row["stream"];
      const bool tracked = row.contains("track_id") && !row["track_id"].is_null();
      const UnitKey key = tracked ? UnitKey{stream, row["track_id"].get<int64_t>(), 0}
                                  : UnitKey{stream, 0, row["face_id"].get<int64_t>()};
      const int identity = identity_of_unit[unit_index_.at(key)];
      row["identity"] = identity >= 0 ? nlohmann::ordered_json(identity) : nullptr;
    }
    FP_RETURN_IF_ERROR(out.write(row));
  }
  if (in.bad()) return Error("cannot read " + rows_.file().temp_path().string());
  FP_RETURN_IF_ERROR(out.finish());
  std::error_code ignored;
  fs::remove(rows_.file().temp_path(), ignored);
  return ok_status();
}

Status FaceOutputsSink::finish() {
  FP_RETURN_IF_ERROR(rows_.finish());
  for (Unit& unit : units_) FP_RETURN_IF_ERROR(close(unit));
  std::vector<int> identity_of_unit;
  FP_ASSIGN_OR_RETURN(nlohmann::ordered_json identities_json, identities(identity_of_unit));
  {
    std::ofstream out(identities_file_.temp_path(), std::ios::trunc);
    out << io::dump_json(identities_json, 2) << "\n";
    if (!out) return Error("cannot write " + identities_file_.temp_path().string());
  }
  return write_faces_with_identities(identity_of_unit);
}

std::vector<io::PendingFile> FaceOutputsSink::files() const {
  std::vector<io::PendingFile> files{faces_file_, identities_file_};
  if (wrote_crops_) files.push_back(crops_dir_);
  if (wrote_thumbs_) files.push_back(thumbs_dir_);
  return files;
}

}  // namespace fp::outputs
