// The face pipeline's outputs (README "Outputs"), written by one sink:
// - faces.jsonl: one row per detected face, in frame order per stream: its box, landmarks and
//   score, and either its quality, embedding, crop, gallery match and identity, or `skipped` with
//   the reason; a face not sampled (`not_sampled`: it passed the checks, but face_select embedded
//   other faces of its track) keeps its quality and its track's identity. Identities are known
//   only once every face has been seen, so rows are kept in a temporary file during the run and
//   written out with their identity at the end.
// - crops/: each embedded face's aligned 112x112 crop (s<stream>_f<frame>_<n>.jpg).
// - thumbs/: the best face (highest quality) of each track, or of each face without a track
//   (photos), cut from the frame with a margin.
// - identities.json: tracks (or lone faces) clustered into identities by their embeddings
//   (average linkage, `identity_threshold`), each with its tracks, faces, representative
//   thumbnail and gallery match.
// A track's embedding is the quality-weighted mean of its best embedded faces' embeddings (its
// thumbnail and face count take its not-sampled faces too); it is fixed when the tracker ends the
// track, which also frees its thumbnail, so memory stays bounded by the tracks alive at a time
// (and one embedding per track or lone face).
#pragma once

#include <map>
#include <tuple>

#include "faces/gallery.hpp"
#include "io/pending_file.hpp"
#include "outputs/sinks.hpp"
#include "pipeline/stage.hpp"

namespace fp::outputs {

using pipeline::FaceOutputOptions;

class FaceOutputsSink : public Sink {
 public:
  static std::vector<std::filesystem::path> planned_paths(const std::filesystem::path& dir);
  // `options.gallery` (may be null) must outlive the sink.
  static Result<std::unique_ptr<Sink>> open(const std::filesystem::path& dir,
                                            const FaceOutputOptions& options);
  Status write(const FrameResult& item) override;
  Status finish() override;
  std::vector<io::PendingFile> files() const override;

 private:
  // What identities are made of: a face track, or a face without a track.
  struct Unit {
    int stream = 0;
    int64_t track_id = 0;  // 0: a lone face
    int64_t face_id = 0;   // the lone face's id
    int64_t faces = 0;
    std::vector<std::pair<double, faces::Embedding>> best;  // (quality, embedding), best first
    double best_quality = -1;
    cv::Mat thumb;  // of the best face, until the unit is closed
    std::string thumb_path;
    faces::Embedding embedding;  // set when closed
    bool closed = false;
  };
  using UnitKey = std::tuple<int, int64_t, int64_t>;  // stream, track id, face id (lone faces)

  FaceOutputsSink(std::filesystem::path dir, const FaceOutputOptions& options,
                  io::JsonlWriter rows);
  Unit& unit_for(const UnitKey& key);
  Status close(Unit& unit);
  Result<nlohmann::ordered_json> identities(std::vector<int>& identity_of_unit) const;
  Status write_faces_with_identities(const std::vector<int>& identity_of_unit);

  std::filesystem::path dir_;
  FaceOutputOptions options_;
  const faces::Gallery* gallery_;
  io::JsonlWriter rows_;  // rows without identities, during the run
  io::PendingFile faces_file_;
  io::PendingFile identities_file_;
  io::PendingFile crops_dir_;
  io::PendingFile thumbs_dir_;
  std::vector<Unit> units_;
  std::map<UnitKey, size_t> unit_index_;
  int64_t next_face_id_ = 0;
  bool wrote_crops_ = false, wrote_thumbs_ = false;
};

}  // namespace fp::outputs
