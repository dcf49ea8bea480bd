#include "faces/identities.hpp"

#include <algorithm>
#include <cmath>

#include "faces/clustering.hpp"

namespace fp::faces {

Identities::Identities(IdentityOptions options, const Gallery* gallery)
    : options_(options), gallery_(gallery) {}

bool Identities::add(const FaceUnit& key, double quality, const Embedding& embedding) {
  const auto [it, added] = index_.emplace(key, units_.size());
  if (added) units_.push_back(Unit{.key = key});
  Unit& unit = units_[it->second];
  ++unit.faces;
  const bool best = quality > unit.best_quality;
  if (best) unit.best_quality = quality;
  if (unit.closed) return false;  // its embedding and thumbnail are fixed
  if (embedding.empty()) return best;
  unit.best.emplace_back(quality, embedding);
  std::stable_sort(unit.best.begin(), unit.best.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  if (unit.best.size() > kBestFaces) unit.best.pop_back();
  return best;
}

void Identities::close(const FaceUnit& key, const std::string& thumbnail) {
  const auto it = index_.find(key);
  if (it == index_.end() || units_[it->second].closed) return;
  Unit& unit = units_[it->second];
  unit.closed = true;
  std::vector<const Embedding*> embeddings;
  std::vector<double> weights;
  for (const auto& [quality, embedding] : unit.best) {
    embeddings.push_back(&embedding);
    weights.push_back(std::max(quality, 1e-3));
  }
  unit.embedding = weighted_mean(embeddings, weights);
  unit.best.clear();
  unit.thumbnail = thumbnail;
}

std::optional<nlohmann::ordered_json> Identities::gallery_match(const Embedding& embedding) const {
  if (gallery_ == nullptr) return std::nullopt;
  const auto match = gallery_->best_match(embedding, options_.gallery_threshold);
  if (!match) return nlohmann::ordered_json(nullptr);
  return nlohmann::ordered_json{{"person", match->person},
                                {"similarity", std::round(match->similarity * 1e4) / 1e4}};
}

nlohmann::ordered_json Identities::cluster() {
  for (Unit& unit : units_) close(unit.key, "");
  std::vector<Embedding> items;
  std::vector<size_t> unit_of_item;
  for (size_t u = 0; u < units_.size(); ++u) {
    if (units_[u].embedding.empty()) continue;
    items.push_back(units_[u].embedding);
    unit_of_item.push_back(u);
  }
  const std::vector<int> labels = cluster_identities(items, options_.identity_threshold);
  identity_of_unit_.assign(units_.size(), -1);
  const int count = labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
  std::vector<std::vector<size_t>> members(count);
  for (size_t i = 0; i < labels.size(); ++i) {
    identity_of_unit_[unit_of_item[i]] = labels[i];
    members[labels[i]].push_back(unit_of_item[i]);
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (int id = 0; id < count; ++id) list.push_back(identity_json(id, members[id]));
  return nlohmann::ordered_json{{"identity_threshold", options_.identity_threshold},
                                {"identities", std::move(list)}};
}

nlohmann::ordered_json Identities::identity_json(int id, const std::vector<size_t>& members) const {
  nlohmann::ordered_json tracks = nlohmann::ordered_json::array();
  nlohmann::ordered_json lone = nlohmann::ordered_json::array();
  std::vector<const Embedding*> embeddings;
  std::vector<double> weights;
  int64_t faces = 0;
  const Unit* best = nullptr;
  for (size_t u : members) {
    const Unit& unit = units_[u];
    if (unit.key.track_id != 0) {
      tracks.push_back(
          {{"stream", unit.key.stream}, {"track_id", unit.key.track_id}, {"faces", unit.faces}});
    } else {
      lone.push_back(unit.key.face_id);
    }
    faces += unit.faces;
    embeddings.push_back(&unit.embedding);
    weights.push_back(static_cast<double>(unit.faces));
    if (best == nullptr || unit.best_quality > best->best_quality) best = &unit;
  }
  nlohmann::ordered_json identity{
      {"identity", id}, {"faces", faces}, {"tracks", tracks}, {"face_ids", lone}};
  identity["thumbnail"] = best->thumbnail.empty() ? nlohmann::ordered_json(nullptr)
                                                  : nlohmann::ordered_json(best->thumbnail);
  if (gallery_ != nullptr) identity["gallery"] = *gallery_match(weighted_mean(embeddings, weights));
  return identity;
}

std::optional<int> Identities::identity_of(const FaceUnit& unit) const {
  const auto it = index_.find(unit);
  if (it == index_.end() || it->second >= identity_of_unit_.size()) return std::nullopt;
  const int identity = identity_of_unit_[it->second];
  if (identity < 0) return std::nullopt;
  return identity;
}

}  // namespace fp::faces
