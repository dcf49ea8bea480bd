#include "faces/track_selection.hpp"

#include <algorithm>
#include <functional>

namespace fp::faces {

bool TrackSelection::offer(int64_t track_id, int64_t position, double quality) {
  const auto found = tracks_.find(track_id);
  if (found != tracks_.end()) {
    const Track& track = found->second;
    if (options_.max > 0 && track.taken >= options_.max) return false;
    if (position - track.last_position < options_.every) return false;
    const size_t best = static_cast<size_t>(options_.best);
    if (best > 0 && track.best.size() >= best && !(quality > track.best.back())) return false;
  }
  Track& track = tracks_[track_id];
  ++track.taken;
  track.last_position = position;
  if (options_.best > 0) {
    track.best.insert(
        std::upper_bound(track.best.begin(), track.best.end(), quality, std::greater<double>()),
        quality);
    if (track.best.size() > static_cast<size_t>(options_.best)) track.best.pop_back();
  }
  return true;
}

}  // namespace fp::faces
