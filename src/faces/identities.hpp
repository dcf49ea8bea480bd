// Identities: the faces of a run grouped into people, and named from a gallery.
//
// What is grouped are units: a face track of a stream, or a face without a track (photos, or a
// track's first frame). Each face that passed the quality checks is added to its unit, with its
// embedding when it has one (a not-sampled face counts for its unit without). A unit's embedding
// is the quality-weighted mean of the embeddings of its kBestFaces best faces; it is fixed when
// the unit is closed (the tracker ended the track, or the run's end), after which the unit holds
// one embedding, so memory follows the units alive, not the faces. cluster() then groups the
// units' embeddings into identities by average linkage (clustering.hpp, `identity_threshold`),
// and matches each identity's centre (the units' embeddings weighted by their face counts) and,
// on request, each face against the gallery (`gallery_threshold`).
// Not thread-safe: one per run, fed in frame order per stream.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "faces/embedding.hpp"
#include "faces/gallery.hpp"

namespace fp::faces {

// A unit's key: a track, or a face without one (track_id 0) by its face id.
struct FaceUnit {
  int stream = 0;
  int64_t track_id = 0;
  int64_t face_id = 0;  // 0 for a track
  auto operator<=>(const FaceUnit&) const = default;
};

struct IdentityOptions {
  double identity_threshold = 0.45;  // least average cosine similarity to join two clusters
  double gallery_threshold = 0.45;   // least similarity for a gallery match
};

class Identities {
 public:
  // A track's embedding averages this many of its best faces.
  static constexpr size_t kBestFaces = 5;

  // `gallery` (may be null: no names) must outlive this.
  Identities(IdentityOptions options, const Gallery* gallery);

  // A face of `unit` that passed the checks, with its quality and its embedding (empty for a
  // not-sampled face). True when it is the unit's best face so far and the unit is open (the
  // caller keeps its thumbnail); a later face must beat it, not tie. A closed unit still counts
  // the face, but its embedding and thumbnail stay as they are.
  bool add(const FaceUnit& unit, double quality, const Embedding& embedding);
  // Fixes the embedding of `unit` and records `thumbnail`, the path of its best face's image
  // ("" for none). A unit never added, or already closed, is left as it is.
  void close(const FaceUnit& unit, const std::string& thumbnail);

  // The gallery's person for one face's embedding, as faces.jsonl and identities.json give it:
  // {"person", "similarity"} or null below the threshold; std::nullopt without a gallery.
  std::optional<nlohmann::ordered_json> gallery_match(const Embedding& embedding) const;

  // Closes the units still open (without a thumbnail), clusters them and returns identities.json's
  // content: {"identity_threshold", "identities": [{"identity", "faces", "tracks", "face_ids",
  // "thumbnail", "gallery" (with a gallery)}]}, identities numbered by their first unit.
  nlohmann::ordered_json cluster();
  // After cluster(): the identity of `unit`; std::nullopt when it has no embedding (or is unknown).
  std::optional<int> identity_of(const FaceUnit& unit) const;

 private:
  struct Unit {
    FaceUnit key;
    int64_t faces = 0;
    std::vector<std::pair<double, Embedding>> best;  // (quality, embedding), best first
    double best_quality = -1;
    std::string thumbnail;
    Embedding embedding;  // set when closed
    bool closed = false;
  };
  // One identity's entry of identities.json, from its units.
  nlohmann::ordered_json identity_json(int id, const std::vector<size_t>& members) const;

  IdentityOptions options_;
  const Gallery* gallery_;
  std::vector<Unit> units_;  // in the order of their first face
  std::map<FaceUnit, size_t> index_;
  std::vector<int> identity_of_unit_;  // after cluster(); -1: none
};

}  // namespace fp::faces
