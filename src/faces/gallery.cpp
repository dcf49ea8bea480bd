#include "faces/gallery.hpp"

#include <string>
#include <utility>

namespace fp::faces {

Status Gallery::add(const std::string& person, Embedding e) {
  if (person.empty()) return Error("gallery: a person needs a name");
  if (!l2_normalize(e)) {
    return Error("gallery: the embedding for '" + person +
                 "' is zero or not finite; use a photo where the face is clear");
  }
  if (!people_.empty() && e.size() != people_.front().references.front().size()) {
    return Error("gallery: the embedding for '" + person + "' has " + std::to_string(e.size()) +
                 " values but the gallery's have " +
                 std::to_string(people_.front().references.front().size()) +
                 "; build the whole gallery with one face-recognition model");
  }
  auto [it, added] = index_.try_emplace(person, people_.size());
  if (added) people_.push_back({person, {}});
  people_[it->second].references.push_back(std::move(e));
  return ok_status();
}

std::optional<GalleryMatch> Gallery::best_match(const Embedding& query, double threshold) const {
  Embedding unit = query;
  if (!l2_normalize(unit)) return std::nullopt;
  std::optional<GalleryMatch> best;
  for (const Person& p : people_) {
    for (const Embedding& ref : p.references) {
      const double s = cosine_similarity(unit, ref);
      if (!best || s > best->similarity) best = GalleryMatch{p.name, s};
    }
  }
  if (!best || !(best->similarity >= threshold)) return std::nullopt;
  return best;
}

std::vector<std::string> Gallery::people() const {
  std::vector<std::string> names;
  names.reserve(people_.size());
  for (const Person& p : people_) names.push_back(p.name);
  return names;
}

}  // namespace fp::faces
