// The face pipeline's outputs (README "Outputs"), written by one sink; each of the four is a sink
// name of its own (FaceParts), and only those chosen are written:
// - faces.jsonl: one row per detected face, in frame order per stream: its box, landmarks and
//   score, and either its quality, embedding, crop, gallery match and identity, or `skipped` with
//   the reason; a face not sampled (`not_sampled`: it passed the checks, but face_select embedded
//   other faces of its track) keeps its quality and its track's identity. Identities are known
//   only once every face has been seen, so rows are kept in a temporary file during the run and
//   written out with their identity at the end.
// - crops/: each embedded face's aligned 112x112 crop (s<stream>_f<frame>_<n>.jpg).
// - thumbs/: the best face (highest quality) of each track, or of each face without a track
//   (photos), cut from the frame with a margin; written when the tracker ends the track (or at
//   the end), so only the tracks alive hold one.
// - identities.json: tracks (or lone faces) clustered into identities, with their gallery match
//   (faces/identities.hpp, which keeps the tracks' embeddings and does the grouping).
#pragma once

#include <map>
#include <optional>

#include "faces/gallery.hpp"
#include "faces/identities.hpp"
#include "io/pending_file.hpp"
#include "outputs/sinks.hpp"
#include "pipeline/stage.hpp"

namespace fp::outputs {

using pipeline::FaceOutputOptions;

// Which of the face outputs a run writes.
struct FaceParts {
  bool rows = false;  // faces.jsonl
  bool identities = false;
  bool crops = false;
  bool thumbs = false;
};

class FaceOutputsSink : public Sink {
 public:
  static std::vector<std::filesystem::path> planned_paths(const std::filesystem::path& dir,
                                                          const FaceParts& parts);
  // `options.gallery` (may be null) must outlive the sink.
  static Result<std::unique_ptr<Sink>> open(const std::filesystem::path& dir,
                                            const FaceOutputOptions& options,
                                            const FaceParts& parts);
  Status write(const FrameResult& item) override;
  Status finish() override;
  std::vector<io::PendingFile> files() const override;

 private:
  FaceOutputsSink(std::filesystem::path dir, const FaceOutputOptions& options,
                  const FaceParts& parts, std::optional<io::JsonlWriter> rows);
  // Writes the unit's thumbnail (if it has one) and closes it in identities_.
  Status close(faces::FaceUnit unit);  // by value: it may be a key of thumbs_
  Status write_faces_with_identities();
  Status write_row(const nlohmann::ordered_json& row);  // to the rows file, when faces.jsonl is on

  std::filesystem::path dir_;
  FaceOutputOptions options_;
  FaceParts parts_;
  faces::Identities identities_;
  std::optional<io::JsonlWriter> rows_;  // rows without identities, during the run (parts_.rows)
  io::PendingFile faces_file_;
  io::PendingFile identities_file_;
  io::PendingFile crops_dir_;
  io::PendingFile thumbs_dir_;
  std::map<faces::FaceUnit, cv::Mat> thumbs_;  // each open unit's best face so far
  int64_t next_face_id_ = 0;
  bool wrote_crops_ = false, wrote_thumbs_ = false;
};

}  // namespace fp::outputs
